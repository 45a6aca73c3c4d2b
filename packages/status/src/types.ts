/** Sync of one tenant with Git, as Argo CD shows an application. */
export type SyncStatus = "synced" | "out-of-sync" | "unknown";

/** Flow counts of one tenant in one environment. */
export interface FlowCounts {
  /** Flows Git renders for the tenant. */
  desired: number;
  /** Flows Kestra holds in the tenant's namespaces, managed or not. */
  live: number;
  /** Rendered flows Kestra does not hold (or holds only as an unmanaged flow of the same id). */
  missing: number;
  /** Managed flows whose live source differs from Git, or that Git no longer renders. */
  drifted: number;
  /** Flows in the tenant's namespaces without the ownership label. */
  unmanaged: number;
}

/** Executions that started in the window, by state class. */
export interface ExecutionCounts {
  total: number;
  success: number;
  warning: number;
  failed: number;
  killed: number;
  cancelled: number;
  running: number;
}

/** A FAILED, KILLED or CANCELLED execution, with its page in Kestra's UI. */
export interface FailedExecution {
  namespace: string;
  flowId: string;
  executionId: string;
  state: string;
  startDate: string;
  url: string;
}

/** A Schedule trigger's slot in the window with no execution of its flow started near it. */
export interface MissedSchedule {
  namespace: string;
  flowId: string;
  triggerId: string;
  expectedAt: string;
}

export interface TenantStatus {
  /** The tenant code; null in a plain repository. */
  tenant: string | null;
  sync: SyncStatus;
  flows: FlowCounts;
  executions: ExecutionCounts;
  /** (success + warning) / (success + warning + failed + killed + cancelled); null when nothing terminated. */
  successRate: number | null;
  failures: FailedExecution[];
  missedSchedules: MissedSchedule[];
}

export interface StatusSummary {
  tenants: number;
  synced: number;
  executions: number;
  successRate: number | null;
  /** Failed, killed and cancelled executions in the window. */
  failures: number;
}

/** The JSON document of `flowops status --format json` (DESIGN.md, "The CLI contract"). */
export interface StatusReport {
  env: string;
  kestra: { url: string; version: string };
  window: { from: string; to: string };
  tenants: TenantStatus[];
  summary: StatusSummary;
}

/** The success rate of one UTC day, for the morning report's chart. */
export interface DailyRate {
  /** `YYYY-MM-DD` */
  day: string;
  successRate: number | null;
  terminated: number;
}

/** Everything a status run found: the contract's report plus what the text and Markdown forms add. */
export interface StatusResult {
  report: StatusReport;
  /** Last 7 UTC days, oldest first, when asked for. */
  daily?: DailyRate[];
  /** Why a tenant's sync is unknown, or where a listing was cut short: printed, never in the JSON. */
  notes: string[];
  /** HTTP requests sent to Kestra (plan included). */
  requests: number;
}
