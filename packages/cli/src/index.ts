export { COMMANDS, main, type CommandIO } from "./main.js";
export type { Command } from "./args.js";
