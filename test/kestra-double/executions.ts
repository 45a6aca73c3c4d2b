import { Cron } from "croner";

/**
 * Kestra's execution and trigger read API for the double, per shared/kestra/KESTRA-EXECUTIONS.md:
 * `GET executions/search` (§2: filters, default 8-day window, `endDate` bounding the start date,
 * 400/422 errors, 1-based pages, Postgres' page-local total), `POST executions/latest` (§6, from
 * 0.24) and `GET triggers/search` (§5), in the 1.x or the 2.0 shape.
 */

/** An execution to seed. Dates are ISO strings or Dates; a terminated one without `endDate` ends a minute after its start. */
export interface SeedExecution {
  id?: string;
  namespace: string;
  flowId: string;
  state: string;
  startDate: string | Date;
  endDate?: string | Date;
  trigger?: { id: string; type: string; date?: string };
  /** TEST or PLAYGROUND runs: never in search results. */
  kind?: string;
  deleted?: boolean;
  labels?: Record<string, string>;
}

/** Runtime state of a trigger (`triggerContext` in 1.x, `state` in 2.0). */
export interface SeedTriggerState {
  namespace: string;
  flowId: string;
  triggerId: string;
  disabled?: boolean;
  nextExecutionDate?: string;
  /** 1.x `date`, 2.0 `lastTriggeredDate`. */
  date?: string;
  backfill?: { paused: boolean };
  executionId?: string;
}

/** A flow whose schedule a generated history follows. */
export interface HistoryFlow {
  namespace: string;
  flowId: string;
  cron: string;
  timezone?: string;
  triggerId?: string;
}

export interface HistoryOptions {
  flows: readonly HistoryFlow[];
  from: Date;
  to: Date;
  /**
   * The state of the run of `flow` at `slot`; `undefined` leaves the slot without an execution
   * (a missed schedule). Default: SUCCESS.
   */
  outcome?: (flow: HistoryFlow, slot: Date, index: number) => string | undefined;
  /** Seconds between the slot and the execution's creation; default 1. */
  delaySeconds?: number;
  /** Run length in seconds; default 60. */
  durationSeconds?: number;
}

export interface StoredExecution {
  id: string;
  namespace: string;
  flowId: string;
  state: string;
  start: number;
  end?: number;
  trigger?: { id: string; type: string; date?: string };
  kind?: string;
  deleted: boolean;
  labels: [string, string][];
}

const TERMINATED = new Set(["FAILED", "WARNING", "SUCCESS", "KILLED", "CANCELLED", "RETRIED", "SKIPPED", "RESUBMITTED"]);
const STATES_1_0 = new Set(["CREATED", "RUNNING", "PAUSED", "RESTARTED", "KILLING", "SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "QUEUED", "RETRYING", "RETRIED", "SKIPPED", "BREAKPOINT"]);
const STATES_2_0 = new Set([...STATES_1_0, "SUBMITTED", "RESUBMITTED"]);
const EXECUTION_FIELDS = new Set(["q", "scope", "flowId", "startDate", "endDate", "state", "labels", "triggerExecutionId", "childFilter", "namespace", "timeRange"]);
const KNOWN_FIELDS = new Set([...EXECUTION_FIELDS, "triggerId", "executionId", "workerId", "kind", "taskId", "id", "parentId", "flowRevision"]);
const SORT_FIELDS = new Set(["id", "state.startDate", "state.endDate", "state.duration", "namespace", "flowId", "state.current"]);
const DAY_MS = 86_400_000;
const SCHEDULE = /(^|\.)Schedule$/;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Executions and trigger states of one Kestra tenant. */
export class ExecutionStore {
  /** Executions by exact namespace, in seeding order. */
  private readonly byNamespace = new Map<string, StoredExecution[]>();
  private readonly triggerStates = new Map<string, SeedTriggerState>();
  private nextId = 1;

  add(executions: readonly SeedExecution[]): StoredExecution[] {
    return executions.map((seed) => {
      const start = Date.parse(new Date(seed.startDate).toISOString());
      const stored: StoredExecution = {
        id: seed.id ?? `exec${String(this.nextId++).padStart(8, "0")}`,
        namespace: seed.namespace,
        flowId: seed.flowId,
        state: seed.state,
        start,
        deleted: seed.deleted ?? false,
        labels: Object.entries(seed.labels ?? {}),
      };
      if (seed.endDate !== undefined) stored.end = new Date(seed.endDate).getTime();
      else if (TERMINATED.has(seed.state) || seed.state === "PAUSED") stored.end = start + 60_000;
      if (seed.trigger) stored.trigger = seed.trigger;
      if (seed.kind !== undefined) stored.kind = seed.kind;
      const list = this.byNamespace.get(seed.namespace) ?? [];
      list.push(stored);
      this.byNamespace.set(seed.namespace, list);
      return stored;
    });
  }

  setTriggerState(state: SeedTriggerState): void {
    this.triggerStates.set(`${state.namespace}/${state.flowId}/${state.triggerId}`, state);
  }

  triggerState(namespace: string, flowId: string, triggerId: string): SeedTriggerState | undefined {
    return this.triggerStates.get(`${namespace}/${flowId}/${triggerId}`);
  }

  count(): number {
    let total = 0;
    for (const list of this.byNamespace.values()) total += list.length;
    return total;
  }

  /** Executions whose namespace passes `accept` (checked once per namespace, not per execution). */
  inNamespaces(accept: (namespace: string) => boolean, exactly?: string): StoredExecution[] {
    if (exactly !== undefined) return accept(exactly) ? [...(this.byNamespace.get(exactly) ?? [])] : [];
    const out: StoredExecution[] = [];
    for (const [namespace, list] of this.byNamespace) if (accept(namespace)) out.push(...list);
    return out;
  }
}

/** Seeds one execution per cron slot of each flow in [from, to); returns the executions made. */
export function historyExecutions(options: HistoryOptions): SeedExecution[] {
  const executions: SeedExecution[] = [];
  const delay = (options.delaySeconds ?? 1) * 1000;
  const duration = (options.durationSeconds ?? 60) * 1000;
  let index = 0;
  for (const flow of options.flows) {
    const cron = new Cron(flow.cron, { paused: true, ...(flow.timezone ? { timezone: flow.timezone } : {}) });
    let slot = cron.nextRun(new Date(options.from.getTime() - 1000));
    while (slot && slot.getTime() < options.to.getTime()) {
      const state = options.outcome ? options.outcome(flow, slot, index) : "SUCCESS";
      index++;
      if (state !== undefined) {
        const start = new Date(slot.getTime() + delay);
        const execution: SeedExecution = {
          namespace: flow.namespace,
          flowId: flow.flowId,
          state,
          startDate: start,
          trigger: { id: flow.triggerId ?? "schedule", type: "io.kestra.plugin.core.trigger.Schedule", date: slot.toISOString() },
        };
        if (TERMINATED.has(state)) execution.endDate = new Date(start.getTime() + duration);
        executions.push(execution);
      }
      slot = cron.nextRun(slot);
    }
  }
  return executions;
}

export interface ExecutionApiContext {
  store: ExecutionStore;
  /** `2.0` answers light executions and `{trigger, state}` rows; `1.x` full executions and `{abstractTrigger, triggerContext}`. */
  major: number;
  minor: number;
  tenantId: string | undefined;
  now: () => number;
  /** Live flows' parsed documents, for trigger definitions. */
  liveFlows: () => { namespace: string; id: string; doc: Record<string, unknown> }[];
}

/** Answers `rest` (the path after `{base}`) when it is an execution or trigger read; undefined otherwise. */
export function routeExecutionApi(context: ExecutionApiContext, method: string, rest: string, query: URLSearchParams, body: string): [number, unknown] | undefined {
  if (method === "GET" && rest === "/executions/search") return [200, searchExecutions(context, query)];
  if (method === "POST" && rest === "/executions/latest" && (context.major > 0 || context.minor >= 24)) return [200, latest(context, body)];
  if (method === "GET" && rest === "/triggers/search") return [200, searchTriggers(context, query)];
  return undefined;
}

interface ParsedFilter {
  field: string;
  op: string;
  value: string;
  key?: string;
}

function parseFilters(query: URLSearchParams): ParsedFilter[] {
  const filters: ParsedFilter[] = [];
  for (const [name, value] of query) {
    if (!name.startsWith("filters[")) continue;
    const match = /^filters\[(\w+)\]\[(\w+)\](?:\[(.+)\])?$/.exec(name);
    if (!match) throw new ApiError(400, `Invalid query filter: ${name}`);
    const filter: ParsedFilter = { field: match[1]!, op: match[2]!, value };
    if (match[3] !== undefined) filter.key = match[3];
    filters.push(filter);
  }
  return filters;
}

function parseDate(value: string): number {
  // ZonedDateTime.parse: an offset is required.
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) throw new ApiError(500, `Internal Server Error: Text '${value}' could not be parsed`);
  return Date.parse(value);
}

/** Java `Duration.parse` for the forms Kestra's UI sends (`PT24H`, `P7D`, `PT90M`). */
function parseDuration(value: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!match || value === "P" || value.endsWith("T")) throw new ApiError(422, `Illegal argument: Text cannot be parsed to a Duration: ${value}`);
  const [, d = "0", h = "0", m = "0", s = "0"] = match;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60_000 + Number(s) * 1000;
}

function namespacePredicate(op: string, value: string): (namespace: string) => boolean {
  const list = value.replace(/[[\]]/g, "").split(",");
  const ops: Record<string, (ns: string) => boolean> = {
    EQUALS: (ns) => ns === value,
    NOT_EQUALS: (ns) => ns !== value,
    CONTAINS: (ns) => ns.includes(value),
    STARTS_WITH: (ns) => ns.startsWith(value),
    ENDS_WITH: (ns) => ns.endsWith(value),
    PREFIX: (ns) => ns === value || ns.startsWith(`${value}.`),
    IN: (ns) => list.includes(ns),
    NOT_IN: (ns) => !list.includes(ns),
    REGEX: (ns) => new RegExp(value).test(ns),
  };
  const predicate = ops[op];
  if (!predicate) throw new ApiError(400, `Operation ${op} is not supported for field NAMESPACE`);
  return predicate;
}

function searchExecutions(context: ExecutionApiContext, query: URLSearchParams): unknown {
  const page = Number(query.get("page") ?? "1");
  const size = Number(query.get("size") ?? "10");
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1) throw new ApiError(422, "page must be at least 1 and size at least 1");
  const sorts = query.getAll("sort").flatMap((s) => s.split(","));
  for (const sort of sorts) {
    if (!/^[\w.]+:\w+$/.test(sort)) throw new ApiError(422, "Illegal argument: Invalid sort parameter");
    if (!SORT_FIELDS.has(sort.split(":")[0]!)) {
      if (context.major >= 2) throw new ApiError(422, `Illegal argument: Invalid sort field '${sort.split(":")[0]}'`);
      throw new ApiError(500, "Internal Server Error: java.lang.NullPointerException");
    }
  }
  const states = context.major >= 2 ? STATES_2_0 : STATES_1_0;
  let namespaceOk: (ns: string) => boolean = () => true;
  let exactNamespace: string | undefined;
  const predicates: ((e: StoredExecution) => boolean)[] = [];
  let from: number | undefined;
  let to: number | undefined;
  let timeRange: number | undefined;
  const filters = parseFilters(query);
  const andNamespace = (next: (ns: string) => boolean) => {
    const before = namespaceOk;
    namespaceOk = (ns) => before(ns) && next(ns);
  };
  const stateValue = (value: string): string => {
    if (!states.has(value)) throw new ApiError(422, `Illegal argument: No enum constant io.kestra.core.models.flows.State.Type.${value}`);
    return value;
  };
  if (filters.length > 0) {
    for (const { field, op, value, key } of filters) {
      if (!KNOWN_FIELDS.has(field)) throw new ApiError(422, `Illegal argument: unknown filter field '${field}'`);
      if (!EXECUTION_FIELDS.has(field)) {
        throw new ApiError(400, `Field ${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()} is not supported for resource EXECUTION: Provided query filters are invalid`);
      }
      if (field === "namespace") {
        andNamespace(namespacePredicate(op, value));
        if (op === "EQUALS") exactNamespace = value;
      } else if (field === "flowId") {
        if (op === "EQUALS") predicates.push((e) => e.flowId === value);
        else if (op === "NOT_EQUALS") predicates.push((e) => e.flowId !== value);
        else if (op === "CONTAINS") predicates.push((e) => e.flowId.includes(value));
        else if (op === "STARTS_WITH") predicates.push((e) => e.flowId.startsWith(value));
        else throw new ApiError(400, `Operation ${op} is not supported for field FLOW_ID`);
      } else if (field === "state") {
        if (op === "EQUALS") {
          const wanted = stateValue(value);
          predicates.push((e) => e.state === wanted);
        } else if (op === "NOT_EQUALS") {
          const unwanted = stateValue(value);
          predicates.push((e) => e.state !== unwanted);
        } else if (op === "IN" || op === "NOT_IN") {
          const list = new Set(value.replace(/[[\]]/g, "").split(",").map(stateValue));
          predicates.push(op === "IN" ? (e) => list.has(e.state) : (e) => !list.has(e.state));
        } else throw new ApiError(400, `Operation ${op} is not supported for field STATE`);
      } else if (field === "startDate" || field === "endDate") {
        // Both bound the start date (T23, T103: `filter(filters, "start_date", …)`).
        const at = parseDate(value);
        if (op === "GREATER_THAN_OR_EQUAL_TO") from = at;
        else if (op === "GREATER_THAN") from = at + 1;
        else if (op === "LESS_THAN") to = at;
        else if (op === "LESS_THAN_OR_EQUAL_TO") to = at + 1;
        else if (op === "EQUALS") predicates.push((e) => e.start === at);
        else throw new ApiError(400, `Operation ${op} is not supported for field ${field}`);
      } else if (field === "timeRange") {
        if (op !== "EQUALS") throw new ApiError(400, `Operation ${op} is not supported for field TIME_RANGE`);
        timeRange = parseDuration(value);
      } else if (field === "labels") {
        if (key === undefined) throw new ApiError(400, "Label field value must but instance of Map");
        const wanted = op === "EQUALS";
        predicates.push((e) => e.labels.some(([k, v]) => k === key && v === value) === wanted);
      } else if (field === "q") {
        predicates.push((e) => e.namespace.includes(value) || e.flowId.includes(value) || e.id.includes(value));
      } else if (field === "scope") {
        predicates.push(value === "USER" ? (e) => e.namespace !== "system" : (e) => e.namespace === "system");
      } else if (field === "childFilter") {
        // The double seeds no subflow executions: every execution is a MAIN one.
        if (value === "CHILD") predicates.push(() => false);
      } else {
        predicates.push(() => false);
      }
    }
  } else if (context.major < 2) {
    // Legacy parameters, read only when no `filters[...]` is present (gone in 2.0).
    const namespace = query.get("namespace");
    if (namespace !== null) andNamespace(namespacePredicate("PREFIX", namespace));
    const flowId = query.get("flowId");
    if (flowId !== null) predicates.push((e) => e.flowId === flowId);
    const legacyStates = query.getAll("state").map(stateValue);
    if (legacyStates.length > 0) predicates.push((e) => legacyStates.includes(e.state));
    const startDate = query.get("startDate");
    if (startDate !== null) from = parseDate(startDate);
    const endDate = query.get("endDate");
    if (endDate !== null) to = parseDate(endDate);
  }
  if (timeRange !== undefined) {
    if (from !== undefined || to !== undefined) throw new ApiError(422, "Illegal argument: Parameters 'startDate'/'endDate' and 'timeRange' are mutually exclusive");
    from = context.now() - timeRange;
  }
  // Without a start, Kestra searches the last 8 days only (TimeLineSearch).
  if (from === undefined) from = context.now() - 8 * DAY_MS;
  if (to !== undefined && from > to) throw new ApiError(422, "Illegal argument: Start date must be before End Date");
  const lower = from;
  const upper = to ?? Number.POSITIVE_INFINITY;
  const matching = context.store
    .inNamespaces(namespaceOk, exactNamespace)
    .filter((e) => !e.deleted && e.kind === undefined && e.start >= lower && e.start < upper && predicates.every((p) => p(e)));
  if (sorts.length > 0) {
    const comparators = sorts.map((sort) => {
      const [field, direction] = sort.split(":") as [string, string];
      const sign = direction === "asc" ? 1 : -1;
      const key = (e: StoredExecution): string | number =>
        field === "state.startDate" ? e.start : field === "state.endDate" ? (e.end ?? 0) : field === "state.duration" ? (e.end ?? context.now()) - e.start : field === "state.current" ? e.state : field === "namespace" ? e.namespace : field === "flowId" ? e.flowId : e.id;
      return (a: StoredExecution, b: StoredExecution): number => {
        const [x, y] = [key(a), key(b)];
        return x < y ? -sign : x > y ? sign : 0;
      };
    });
    matching.sort((a, b) => {
      for (const compare of comparators) {
        const result = compare(a, b);
        if (result !== 0) return result;
      }
      return 0;
    });
  }
  const results = matching.slice((page - 1) * size, page * size);
  // Postgres and H2 count over the page (`count(*) over()`): a page past the end says 0.
  return { results: results.map((e) => executionJson(context, e)), total: results.length === 0 ? 0 : matching.length };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function javaDuration(ms: number): string {
  return `PT${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}S`;
}

/** `Execution` (1.x, with task runs) or `ApiLightExecution` (2.0), nulls left out. */
export function executionJson(context: Pick<ExecutionApiContext, "major" | "tenantId" | "now">, e: StoredExecution): Record<string, unknown> {
  const histories = [{ state: "CREATED", date: iso(e.start) }];
  if (e.state !== "CREATED") histories.push({ state: "RUNNING", date: iso(e.start + 500) });
  if (e.end !== undefined) histories.push({ state: e.state, date: iso(e.end) });
  const state: Record<string, unknown> = { current: e.state, histories, startDate: iso(e.start), duration: javaDuration((e.end ?? context.now()) - e.start) };
  if (e.end !== undefined) state.endDate = iso(e.end);
  const labels = [...e.labels.map(([key, value]) => ({ key, value })), { key: "system.correlationId", value: e.id }];
  const json: Record<string, unknown> = { id: e.id, namespace: e.namespace, flowId: e.flowId, flowRevision: 1, labels, state };
  if (context.tenantId !== undefined) json.tenantId = context.tenantId;
  if (e.trigger) {
    const trigger: Record<string, unknown> = { id: e.trigger.id, type: e.trigger.type };
    if (e.trigger.date !== undefined) trigger.variables = { date: e.trigger.date };
    json.trigger = trigger;
    if (context.major >= 2 && e.trigger.date !== undefined) json.scheduleDate = e.trigger.date;
  }
  if (context.major < 2) {
    // 1.x search results carry every task run in full (§3).
    const taskState = { ...state, histories: histories.slice(1) };
    json.taskRunList = [{ id: `${e.id}-t1`, executionId: e.id, namespace: e.namespace, flowId: e.flowId, taskId: "main", attempts: [{ state: taskState }], outputs: {}, state: taskState }];
    json.metadata = { attemptNumber: 1, originalCreatedDate: iso(e.start) };
    json.deleted = false;
  }
  return json;
}

function latest(context: ExecutionApiContext, body: string): unknown {
  let flows: unknown;
  try {
    flows = JSON.parse(body);
  } catch {
    throw new ApiError(400, "Invalid JSON");
  }
  if (!Array.isArray(flows)) throw new ApiError(400, "Invalid JSON: expected an array");
  const wanted = new Set((flows as { namespace?: unknown; id?: unknown }[]).map((f) => `${String(f.namespace)}/${String(f.id)}`));
  const namespaces = new Set((flows as { namespace?: unknown }[]).map((f) => String(f.namespace)));
  const best = new Map<string, StoredExecution>();
  // `[]` returns every flow (§6).
  for (const e of context.store.inNamespaces((ns) => wanted.size === 0 || namespaces.has(ns))) {
    const key = `${e.namespace}/${e.flowId}`;
    if (e.end === undefined || e.kind !== undefined || e.deleted || (wanted.size > 0 && !wanted.has(key))) continue;
    const current = best.get(key);
    if (!current || e.end > current.end!) best.set(key, e);
  }
  return [...best.values()].map((e) => ({ id: e.id, flowId: e.flowId, namespace: e.namespace, startDate: iso(e.start), status: e.state }));
}

function searchTriggers(context: ExecutionApiContext, query: URLSearchParams): unknown {
  const page = Number(query.get("page") ?? "1");
  const size = Number(query.get("size") ?? "10");
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1) throw new ApiError(422, "page must be at least 1 and size at least 1");
  let namespaceOk: (ns: string) => boolean = () => true;
  let flowOk: (id: string) => boolean = () => true;
  const filters = parseFilters(query);
  if (filters.length > 0) {
    for (const { field, op, value } of filters) {
      if (field === "namespace") {
        const before = namespaceOk;
        const next = namespacePredicate(op, value);
        namespaceOk = (ns) => before(ns) && next(ns);
      } else if (field === "flowId" && op === "EQUALS") flowOk = (id) => id === value;
      else throw new ApiError(400, `Field ${field} with operation ${op} is not supported by the flowops double for resource TRIGGER`);
    }
  } else if (context.major < 2) {
    const namespace = query.get("namespace");
    if (namespace !== null) namespaceOk = namespacePredicate("PREFIX", namespace);
  }
  // Rows exist for triggers the scheduler tracks: Schedule here (no Flow triggers, no webhooks).
  const rows: Record<string, unknown>[] = [];
  const flows = context.liveFlows().filter((f) => namespaceOk(f.namespace) && flowOk(f.id));
  flows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.id.localeCompare(b.id));
  for (const flow of flows) {
    const triggers = Array.isArray(flow.doc.triggers) ? (flow.doc.triggers as Record<string, unknown>[]) : [];
    for (const definition of triggers) {
      if (typeof definition.type !== "string" || !SCHEDULE.test(definition.type) || typeof definition.id !== "string") continue;
      rows.push(triggerRow(context, flow.namespace, flow.id, definition));
    }
  }
  return { results: rows.slice((page - 1) * size, page * size), total: rows.length };
}

function triggerRow(context: ExecutionApiContext, namespace: string, flowId: string, definition: Record<string, unknown>): Record<string, unknown> {
  const triggerId = definition.id as string;
  const seeded = context.store.triggerState(namespace, flowId, triggerId);
  const abstract: Record<string, unknown> = { id: triggerId, type: definition.type };
  for (const key of ["cron", "timezone", "disabled", "withSeconds"]) if (definition[key] !== undefined) abstract[key] = definition[key];
  if (context.major >= 2) {
    const state: Record<string, unknown> = { namespace, flowId, triggerId, updatedAt: iso(context.now()), disabled: seeded?.disabled ?? false, locked: false };
    if (seeded?.nextExecutionDate) state.nextEvaluationDate = seeded.nextExecutionDate;
    if (seeded?.date) state.lastTriggeredDate = seeded.date;
    if (seeded?.backfill) state.backfill = seeded.backfill;
    return { trigger: abstract, state };
  }
  const triggerContext: Record<string, unknown> = { namespace, flowId, triggerId, date: seeded?.date ?? iso(context.now()), disabled: seeded?.disabled ?? false };
  if (context.tenantId !== undefined) triggerContext.tenantId = context.tenantId;
  if (seeded?.nextExecutionDate) triggerContext.nextExecutionDate = seeded.nextExecutionDate;
  if (seeded?.backfill) triggerContext.backfill = seeded.backfill;
  if (seeded?.executionId) triggerContext.executionId = seeded.executionId;
  return { abstractTrigger: abstract, triggerContext };
}
