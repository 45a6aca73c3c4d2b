import type { KestraClient } from "./client.js";
import { inNamespaceTree } from "./client.js";
import { KestraApiError } from "./errors.js";
import type { FlowKey, KestraServerInfo } from "./types.js";
import { isAtLeast, parseKestraVersion } from "./version.js";

/**
 * Execution states of Kestra 1.0 (`State.Type`, KESTRA-EXECUTIONS.md §3.1), in the classes flowops
 * reads health by. A state outside these (2.0's SUBMITTED, RESUBMITTED) still counts in totals.
 */
export const EXECUTION_STATE_CLASSES = {
  success: ["SUCCESS"],
  warning: ["WARNING"],
  /** Terminated in error: what a morning report lists. */
  failed: ["FAILED", "KILLED", "CANCELLED"],
  /** Terminated but superseded or skipped: not counted in success rates. */
  ignored: ["RETRIED", "SKIPPED"],
  /** Not terminated yet. Every name exists in 1.0, so the server never rejects the list (422). */
  inFlight: ["CREATED", "RUNNING", "PAUSED", "RESTARTED", "KILLING", "QUEUED", "RETRYING", "BREAKPOINT"],
} as const;

/** A half-open time window [from, to) on an execution's start date. */
export interface TimeWindow {
  from: Date;
  to: Date;
}

/**
 * Filters of an execution search. The window is required: without a start filter Kestra searches
 * only the last 8 days whatever else is asked (KESTRA-EXECUTIONS.md §2.2).
 */
export interface ExecutionQuery {
  window: TimeWindow;
  /** A namespace and its children (`ns`, `ns.*`; Kestra's PREFIX operator). */
  namespacePrefix?: string;
  /** Exactly this namespace. */
  namespace?: string;
  flowId?: string;
  /** Only these states (`State.Type` names, case-sensitive). */
  states?: readonly string[];
  /**
   * Every state but this one (`NOT_EQUALS`; Kestra splits only `IN` values on commas, so one
   * state). Needs `filters[...]` (0.22+); older servers get a TypeError before any request.
   */
  notState?: string;
}

/** An execution as flowops reads it, the same from 1.x (full `Execution`) and 2.0 (`ApiLightExecution`). */
export interface ExecutionSummary {
  id: string;
  namespace: string;
  flowId: string;
  state: string;
  /** ISO instant of creation (Kestra's `state.startDate`: queue time included). */
  startDate: string;
  endDate?: string;
  /** What started it; absent for a manual run. `date` is the slot a Schedule trigger fired for. */
  trigger?: { id: string; type: string; date?: string };
}

export interface ExecutionPage {
  results: ExecutionSummary[];
  /** Kestra's count of every match, exact on page 1 (§4.3). */
  total: number;
}

export interface ListExecutionsOptions {
  /** Rows per request; kept small because 1.x answers carry every task run. Default 100. */
  pageSize?: number;
  /** Pages read at most; the answer says when it stopped early. Default 10. */
  maxPages?: number;
}

export interface ExecutionList {
  executions: ExecutionSummary[];
  total: number;
  /** False when the page cap stopped the listing before Kestra's total. */
  complete: boolean;
}

/** The latest terminated (or paused) execution of one flow (`POST {base}/executions/latest`). */
export interface LatestExecution {
  id: string;
  namespace: string;
  flowId: string;
  startDate: string;
  state: string;
}

/**
 * One page of `GET {base}/executions/search`, newest first (`state.startDate:desc`, then `id`
 * for stable pages). Filters use `filters[...]` from 0.22, the legacy parameters before.
 */
export async function searchExecutions(client: KestraClient, query: ExecutionQuery, page = 1, size = 100): Promise<ExecutionPage> {
  const info = await client.serverInfo();
  const params = executionSearchParams(info, query);
  params.set("page", String(page));
  params.set("size", String(size));
  const path = `/executions/search?${params.toString()}`;
  const body = (await client.readJson("GET", path)) as { results?: unknown; total?: unknown };
  if (!body || !Array.isArray(body.results) || typeof body.total !== "number") {
    throw shapeError(client, info, path, "{results, total}");
  }
  const results: ExecutionSummary[] = [];
  for (const row of body.results) {
    const execution = normaliseExecution(row);
    if (!execution) throw shapeError(client, info, path, "executions with id, namespace, flowId and state");
    // Legacy `namespace` and some servers match more than asked: keep exactly the query's tree.
    if (query.namespacePrefix !== undefined && !inNamespaceTree(execution.namespace, query.namespacePrefix)) continue;
    if (query.namespace !== undefined && execution.namespace !== query.namespace) continue;
    results.push(execution);
  }
  return { results, total: body.total };
}

/**
 * The exact number of executions matching the query, read from `total` with `size=1`: one request
 * whatever the count (KESTRA-EXECUTIONS.md §4.3).
 */
export async function countExecutions(client: KestraClient, query: ExecutionQuery): Promise<number> {
  return (await searchExecutions(client, query, 1, 1)).total;
}

/**
 * Every execution matching the query, newest first, paging until Kestra's total or the page cap
 * (whichever comes first): at most `maxPages` requests.
 */
export async function listExecutions(client: KestraClient, query: ExecutionQuery, options: ListExecutionsOptions = {}): Promise<ExecutionList> {
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPages ?? 10;
  const seen = new Map<string, ExecutionSummary>();
  let total = 0;
  let read = 0;
  for (let page = 1; page <= maxPages; page++) {
    const result = await searchExecutions(client, query, page, pageSize);
    // Postgres and H2 count on the page itself: a page past the end says total 0 (§2).
    if (page === 1) total = result.total;
    for (const execution of result.results) seen.set(execution.id, execution);
    read += pageSize;
    if (result.results.length === 0 || read >= total) return { executions: [...seen.values()], total, complete: true };
  }
  return { executions: [...seen.values()], total, complete: seen.size >= total };
}

/**
 * The latest terminated or paused execution of each flow, in as few requests as the API allows
 * (`POST {base}/executions/latest`, from 0.24; 500 flows per request). Keys are `namespace/id`.
 * Undefined on servers without the endpoint. Executions still running are not in it.
 */
export async function latestExecutions(client: KestraClient, flows: readonly FlowKey[], chunkSize = 500): Promise<Map<string, LatestExecution> | undefined> {
  const info = await client.serverInfo();
  const version = parseKestraVersion(info.version);
  if (!version || !isAtLeast(version, 0, 24)) return undefined;
  const latest = new Map<string, LatestExecution>();
  for (let start = 0; start < flows.length; start += chunkSize) {
    // An empty list would mean "every flow" to Kestra: only non-empty chunks are sent.
    const chunk = flows.slice(start, start + chunkSize).map(({ namespace, id }) => ({ namespace, id }));
    const body = await client.readJson("POST", "/executions/latest", chunk);
    if (!Array.isArray(body)) throw shapeError(client, info, "/executions/latest", "a JSON array", "POST");
    for (const row of body as Record<string, unknown>[]) {
      const { id, namespace, flowId, startDate, status } = row;
      if (typeof id !== "string" || typeof namespace !== "string" || typeof flowId !== "string" || typeof startDate !== "string") continue;
      latest.set(`${namespace}/${flowId}`, { id, namespace, flowId, startDate, state: typeof status === "string" ? status : "UNKNOWN" });
    }
  }
  return latest;
}

/**
 * The link to an execution in Kestra's UI: `{url}/ui/{tenant}/executions/{namespace}/{flowId}/{id}`
 * from 0.23, without the tenant segment before (KESTRA-EXECUTIONS.md §7).
 */
export function executionUiUrl(client: KestraClient, info: KestraServerInfo, execution: Pick<ExecutionSummary, "id" | "namespace" | "flowId">): string {
  const uiBase = info.apiBase.replace(/^\/api\/v1/, "/ui");
  return `${client.url}${uiBase}/executions/${encodeURIComponent(execution.namespace)}/${encodeURIComponent(execution.flowId)}/${encodeURIComponent(execution.id)}`;
}

/**
 * Milliseconds since the epoch of a Kestra instant, which may carry up to 9 fractional digits
 * (Java's `Instant`) or a `[Zone]` suffix; NaN when unreadable.
 */
export function parseKestraInstant(text: string): number {
  const cleaned = text.replace(/\[[^\]]*\]$/, "").replace(/(\.\d{3})\d+/, "$1");
  return Date.parse(cleaned);
}

function executionSearchParams(info: KestraServerInfo, query: ExecutionQuery): URLSearchParams {
  const params = new URLSearchParams();
  params.append("sort", "state.startDate:desc");
  params.append("sort", "id:asc");
  const from = query.window.from.toISOString();
  const to = query.window.to.toISOString();
  const states = query.states ?? [];
  if (info.supportsQueryFilters) {
    if (query.namespacePrefix !== undefined) params.set("filters[namespace][PREFIX]", query.namespacePrefix);
    if (query.namespace !== undefined) params.set("filters[namespace][EQUALS]", query.namespace);
    if (query.flowId !== undefined) params.set("filters[flowId][EQUALS]", query.flowId);
    // One IN value: repeated keys would each become a filter, ANDed (§2.1).
    if (states.length === 1) params.set("filters[state][EQUALS]", states[0]!);
    else if (states.length > 1) params.set("filters[state][IN]", states.join(","));
    if (query.notState !== undefined) params.set("filters[state][NOT_EQUALS]", query.notState);
    // `endDate` bounds the start date too (§2.1), so these two make start ∈ [from, to).
    params.set("filters[startDate][GREATER_THAN_OR_EQUAL_TO]", from);
    params.set("filters[endDate][LESS_THAN]", to);
  } else {
    if (query.notState !== undefined) throw new TypeError(`Kestra ${info.version} has no filters[...] search: a state cannot be excluded`);
    const namespace = query.namespace ?? query.namespacePrefix;
    if (namespace !== undefined) params.set("namespace", namespace);
    if (query.flowId !== undefined) params.set("flowId", query.flowId);
    for (const state of states) params.append("state", state);
    params.set("startDate", from);
    params.set("endDate", to);
  }
  return params;
}

/** Reads the fields flowops uses from a 1.x `Execution` or a 2.0 `ApiLightExecution`. */
export function normaliseExecution(row: unknown): ExecutionSummary | undefined {
  if (!row || typeof row !== "object") return undefined;
  const value = row as Record<string, unknown>;
  const state = value.state as Record<string, unknown> | undefined;
  if (typeof value.id !== "string" || typeof value.namespace !== "string" || typeof value.flowId !== "string" || !state || typeof state.current !== "string") return undefined;
  const histories = Array.isArray(state.histories) ? (state.histories as { date?: unknown }[]) : [];
  const startDate = typeof state.startDate === "string" ? state.startDate : typeof histories[0]?.date === "string" ? histories[0].date : undefined;
  if (startDate === undefined) return undefined;
  const execution: ExecutionSummary = { id: value.id, namespace: value.namespace, flowId: value.flowId, state: state.current, startDate };
  if (typeof state.endDate === "string") execution.endDate = state.endDate;
  const trigger = value.trigger as Record<string, unknown> | undefined;
  if (trigger && typeof trigger.id === "string" && typeof trigger.type === "string") {
    execution.trigger = { id: trigger.id, type: trigger.type };
    const variables = trigger.variables as Record<string, unknown> | undefined;
    const date = variables?.date ?? value.scheduleDate;
    if (typeof date === "string") execution.trigger.date = date;
  }
  return execution;
}

/** An answer that is JSON but not the shape the API documents. */
export function shapeError(client: KestraClient, info: KestraServerInfo, path: string, expected: string, method: "GET" | "POST" = "GET"): KestraApiError {
  const url = `${client.url}${info.apiBase}${path}`;
  return new KestraApiError({ method, url, request: { method, url, headers: {} }, message: `${method} ${url} did not answer ${expected}` });
}
