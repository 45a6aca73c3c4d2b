export { errorBody, startKestraDouble } from "./server.js";
export type { FaultKind, KestraDouble, KestraDoubleFaults, KestraDoubleOptions, LoggedRequest, QueuedFault } from "./server.js";
export { parseFlowSource } from "./validate.js";
export type { ParsedFlow, Violation } from "./validate.js";
export { executionJson, historyExecutions } from "./executions.js";
export type { HistoryFlow, HistoryOptions, SeedExecution, SeedTriggerState } from "./executions.js";
