export { collectStatus } from "./collect.js";
export type { CollectStatusOptions } from "./collect.js";
export { expectedSlots, needsAttention, parseSince, slotsWithoutRun, successRate, summarize, syncOf, worstFirst, SLOT_TOLERANCE_MS } from "./health.js";
export type { ScheduleDefinition } from "./health.js";
export { MORNING_REPORT_TITLE, formatRate, formatStatusJson, formatStatusMarkdown, formatStatusText, summaryLine } from "./format.js";
export type {
  DailyRate,
  ExecutionCounts,
  FailedExecution,
  FlowCounts,
  MissedSchedule,
  StatusReport,
  StatusResult,
  StatusSummary,
  SyncStatus,
  TenantStatus,
} from "./types.js";
