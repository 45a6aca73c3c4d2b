/** A flow label as Kestra serialises it in responses (always a list of pairs). */
export interface KestraLabel {
  key: string;
  value: string;
}

/**
 * A flow as Kestra returns it without source (`Flow` in the OpenAPI spec). Only the fields flowops
 * reads are typed; the rest of the parsed flow (tasks, triggers, ...) is kept as unknown values.
 */
export interface KestraFlow {
  id: string;
  namespace: string;
  revision?: number;
  disabled?: boolean;
  deleted?: boolean;
  /** A list of pairs in every Kestra version flowops knows; a map is accepted too. */
  labels?: KestraLabel[] | Record<string, string>;
  tenantId?: string;
  [key: string]: unknown;
}

/** A flow with its YAML source exactly as stored (`FlowWithSource`). */
export interface KestraFlowWithSource extends KestraFlow {
  source: string;
}

/** One page of `GET {base}/flows/search` (`PagedResults_Flow_`). */
export interface KestraPagedFlows {
  results: KestraFlow[];
  total: number;
}

/** A flow identity: Kestra's `IdWithNamespace`. */
export interface FlowKey {
  namespace: string;
  id: string;
}

/** What `GET /api/v1/configs` told about the server, plus the API root flowops derived from it. */
export interface KestraServerInfo {
  /** Version string as the server reports it, e.g. `1.0.3` or `2.0.0-SNAPSHOT`. */
  version: string;
  /** `OSS` or `EE` when the server says so (newer versions only). */
  edition?: string;
  /** Path prefix of tenant-scoped endpoints: `/api/v1` before 0.23, `/api/v1/<tenant>` from 0.23. */
  apiBase: string;
  /** True from 0.22: `filters[...]` query syntax on search; before that, legacy query params. */
  supportsQueryFilters: boolean;
}

export type KestraAuth =
  | { kind: "basic"; username: string; password: string }
  | { kind: "bearer"; token: string };

/** One HTTP exchange, reported to `onRequest` (no headers, no body: nothing secret). */
/** A retry about to happen: what failed and how long the client waits before trying again. */
export interface KestraRetryEvent {
  method: string;
  /** Path and query from the server root; no credentials. */
  path: string;
  /** The try that failed, 1 for the first. */
  attempt: number;
  maxAttempts: number;
  /** Why it failed: `HTTP 503`, `no answer within 20 s`, `network error (ECONNREFUSED)`. */
  reason: string;
  waitMs: number;
  /** Time spent on this request so far, and the most it may take. */
  elapsedMs: number;
  totalTimeoutMs: number;
}

export interface KestraRequestEvent {
  method: string;
  /** URL without credentials. */
  url: string;
  /** HTTP status, or undefined when no answer came (network error, timeout). */
  status?: number;
  /** 1 for the first try. */
  attempt: number;
  durationMs: number;
  /** Short reason when the exchange failed without an answer. */
  error?: string;
}

/** Filters for flow search. */
export interface FlowSearchQuery {
  /**
   * Namespace root: flows in this namespace and its children (`ns` or `ns.*`). Kestra's own
   * filter may return more (e.g. `ns2` on servers where `STARTS_WITH` is a plain string prefix);
   * the client drops those, so callers get exactly the dot-bounded subtree.
   */
  namespacePrefix?: string;
  /** Every label must match (key = value). */
  labels?: Record<string, string>;
  /** Kestra's free-text query (id and namespace). */
  query?: string;
}
