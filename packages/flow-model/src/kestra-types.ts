/**
 * Kestra's type names that carry meaning for the model, current names first, then the legacy
 * names Kestra still resolves through `@Plugin(aliases = ...)` (KESTRA-API.md §7.3). Written
 * without the `io.kestra.` prefix.
 */
export const SUBFLOW_TYPES = ["plugin.core.flow.Subflow", "core.tasks.flows.Subflow", "core.tasks.flows.Flow"] as const;
export const FOREACH_ITEM_TYPES = ["plugin.core.flow.ForEachItem", "core.tasks.flows.ForEachItem"] as const;
export const FLOW_TRIGGER_TYPES = ["plugin.core.trigger.Flow", "core.models.triggers.types.Flow"] as const;
export const SCHEDULE_TRIGGER_TYPES = ["plugin.core.trigger.Schedule", "core.models.triggers.types.Schedule"] as const;
export const SCHEDULE_ON_DATES_TRIGGER_TYPES = ["plugin.core.trigger.ScheduleOnDates"] as const;
export const IF_TYPES = ["plugin.core.flow.If", "core.tasks.flows.If"] as const;
export const EXECUTION_FLOW_CONDITION_TYPES = [
  "plugin.core.condition.ExecutionFlow",
  "plugin.core.condition.ExecutionFlowCondition",
  "core.models.conditions.types.ExecutionFlowCondition",
] as const;
export const EXECUTION_NAMESPACE_CONDITION_TYPES = [
  "plugin.core.condition.ExecutionNamespace",
  "plugin.core.condition.ExecutionNamespaceCondition",
  "core.models.conditions.types.ExecutionNamespaceCondition",
] as const;

const KESTRA = "io.kestra.";
const fullNames = new WeakMap<readonly string[], ReadonlySet<string>>();

/** The full names (`io.kestra.` prefixed) of `names`, one set per list. */
export function typeNames(names: readonly string[]): ReadonlySet<string> {
  let set = fullNames.get(names);
  if (!set) {
    set = new Set(names.map((name) => KESTRA + name));
    fullNames.set(names, set);
  }
  return set;
}

/** True when `type` is one of `names` (written without the `io.kestra.` prefix). */
export function isOneOfTypes(type: string | undefined, names: readonly string[]): boolean {
  return type !== undefined && typeNames(names).has(type);
}

/** Sets read on every task of every flow, looked up once. */
export const SUBFLOW_TYPE_NAMES = typeNames(SUBFLOW_TYPES);
/** Tasks running another flow: Subflow and ForEachItem. */
export const FLOW_CALLING_TYPE_NAMES: ReadonlySet<string> = new Set([...SUBFLOW_TYPE_NAMES, ...typeNames(FOREACH_ITEM_TYPES)]);

/** Kestra's own types (current `io.kestra.plugin.core.*` and legacy `io.kestra.core.*`). */
export function isCoreType(type: string | undefined): boolean {
  return type !== undefined && (type.startsWith("io.kestra.plugin.core.") || type.startsWith("io.kestra.core."));
}

/** A dotted Java class name: what a plugin's `type` looks like (`$` marks nested classes). */
export const PLUGIN_TYPE = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)+$/;
