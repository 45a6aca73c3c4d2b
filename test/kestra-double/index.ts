export { errorBody, startKestraDouble } from "./server.js";
export type { FaultKind, KestraDouble, KestraDoubleFaults, KestraDoubleOptions, LoggedRequest, QueuedFault } from "./server.js";
export { parseFlowSource } from "./validate.js";
export type { ParsedFlow, Violation } from "./validate.js";
