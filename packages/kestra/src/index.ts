export { DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_BULK_ANSWER_BYTES, DEFAULT_MAX_PAGES, KestraClient, YAML_CONTENT_TYPE, flowKeyFromSource, flowKeyString, inNamespaceTree, sameSource } from "./client.js";
export type { GetFlowOptions, KestraClientOptions } from "./client.js";
export { KestraConfigError, kestraClientFromEnvironment, kestraClientOptionsFromEnvironment } from "./config.js";
export type { ClientFromEnvironmentOptions, KestraEnvironmentConfig } from "./config.js";
export { KestraApiError, parseKestraErrorBody } from "./errors.js";
export type { KestraApiErrorInit, KestraViolation, RedactedRequest } from "./errors.js";
export { DEFAULT_RETRY_POLICY, backoffDelay, parseRetryAfter } from "./retry.js";
export type { RetryPolicy } from "./retry.js";
export { apiBaseFor, parseKestraVersion } from "./version.js";
export type { KestraVersion } from "./version.js";
export type {
  FlowKey,
  FlowSearchQuery,
  KestraAuth,
  KestraFlow,
  KestraFlowWithSource,
  KestraLabel,
  KestraPagedFlows,
  KestraRequestEvent,
  KestraRetryEvent,
  KestraServerInfo,
} from "./types.js";
export { EXECUTION_STATE_CLASSES, countExecutions, executionUiUrl, latestExecutions, listExecutions, normaliseExecution, parseKestraInstant, searchExecutions } from "./executions.js";
export type { ExecutionList, ExecutionPage, ExecutionQuery, ExecutionSummary, LatestExecution, ListExecutionsOptions, TimeWindow } from "./executions.js";
export { listTriggers, normaliseTrigger } from "./triggers.js";
export type { ListTriggersOptions, TriggerList, TriggerState } from "./triggers.js";
