import type { KestraClient } from "./client.js";
import { inNamespaceTree } from "./client.js";
import { shapeError } from "./executions.js";

/**
 * A trigger with its runtime state, the same from 1.x (`{abstractTrigger, triggerContext}`) and
 * 2.0 (`{trigger, state}`) answers of `GET {base}/triggers/search` (KESTRA-EXECUTIONS.md §5).
 */
export interface TriggerState {
  namespace: string;
  flowId: string;
  triggerId: string;
  /** The trigger's plugin type; absent when the flow's current revision no longer has it. */
  type?: string;
  /** Schedule triggers: the cron expression and its timezone as the flow states them. */
  cron?: string;
  timezone?: string;
  /** Disabled in the flow's YAML, or switched off at runtime (API, `stopAfter`). */
  disabled: boolean;
  /** When the scheduler next evaluates it (1.x `nextExecutionDate`, 2.0 `nextEvaluationDate`). */
  nextExecutionDate?: string;
  /** When it last fired (2.0 `lastTriggeredDate`) or was last evaluated (1.x `date`). */
  lastDate?: string;
  /** True while a backfill that is not paused runs. */
  backfilling: boolean;
  /** An execution this trigger started that is still running, when Kestra says so. */
  executionId?: string;
}

export interface TriggerList {
  triggers: TriggerState[];
  total: number;
  /** False when the page cap stopped the listing before Kestra's total. */
  complete: boolean;
}

export interface ListTriggersOptions {
  /** A namespace and its children. */
  namespacePrefix?: string;
  /** Rows per request; default 500. */
  pageSize?: number;
  /** Pages read at most; default 20. */
  maxPages?: number;
}

/**
 * The triggers Kestra keeps state for (Schedule, polling and realtime triggers; Flow triggers and
 * webhooks have none), paged by namespace, flow and trigger id. There is no date window on this
 * search. Rows Kestra drops (a flow without triggers) still count in its total, so paging stops on
 * pages read, not on rows seen.
 */
export async function listTriggers(client: KestraClient, options: ListTriggersOptions = {}): Promise<TriggerList> {
  const info = await client.serverInfo();
  const pageSize = options.pageSize ?? 500;
  const maxPages = options.maxPages ?? 20;
  const triggers: TriggerState[] = [];
  let total = 0;
  for (let page = 1; page <= maxPages; page++) {
    const params = new URLSearchParams({ page: String(page), size: String(pageSize) });
    for (const sort of ["namespace:asc", "flowId:asc", "triggerId:asc"]) params.append("sort", sort);
    if (options.namespacePrefix !== undefined) {
      // STARTS_WITH is a plain string prefix on some versions: narrowed to the dot-bounded tree below.
      if (info.supportsQueryFilters) params.set("filters[namespace][STARTS_WITH]", options.namespacePrefix);
      else params.set("namespace", options.namespacePrefix);
    }
    const path = `/triggers/search?${params.toString()}`;
    const body = (await client.readJson("GET", path)) as { results?: unknown; total?: unknown };
    if (!body || !Array.isArray(body.results) || typeof body.total !== "number") throw shapeError(client, info, path, "{results, total}");
    if (page === 1) total = body.total;
    for (const row of body.results) {
      const trigger = normaliseTrigger(row);
      if (!trigger) continue;
      if (options.namespacePrefix !== undefined && !inNamespaceTree(trigger.namespace, options.namespacePrefix)) continue;
      triggers.push(trigger);
    }
    if (body.results.length === 0 || page * pageSize >= total) return { triggers, total, complete: true };
  }
  return { triggers, total, complete: false };
}

/** Reads one row of `triggers/search`, 1.x or 2.0 shaped; undefined when it names no trigger. */
export function normaliseTrigger(row: unknown): TriggerState | undefined {
  if (!row || typeof row !== "object") return undefined;
  const value = row as Record<string, unknown>;
  const definition = (value.abstractTrigger ?? value.trigger) as Record<string, unknown> | null | undefined;
  const context = (value.triggerContext ?? value.state) as Record<string, unknown> | undefined;
  if (!context || typeof context.namespace !== "string" || typeof context.flowId !== "string" || typeof context.triggerId !== "string") return undefined;
  const backfill = context.backfill as Record<string, unknown> | undefined;
  const trigger: TriggerState = {
    namespace: context.namespace,
    flowId: context.flowId,
    triggerId: context.triggerId,
    disabled: context.disabled === true || definition?.disabled === true,
    backfilling: backfill !== undefined && backfill !== null && backfill.paused !== true,
  };
  if (definition) {
    if (typeof definition.type === "string") trigger.type = definition.type;
    if (typeof definition.cron === "string") trigger.cron = definition.cron;
    if (typeof definition.timezone === "string") trigger.timezone = definition.timezone;
  }
  const next = context.nextExecutionDate ?? context.nextEvaluationDate;
  if (typeof next === "string") trigger.nextExecutionDate = next;
  const last = context.lastTriggeredDate ?? context.date;
  if (typeof last === "string") trigger.lastDate = last;
  if (typeof context.executionId === "string") trigger.executionId = context.executionId;
  return trigger;
}
