export { main, type CommandIO } from "./main.js";
