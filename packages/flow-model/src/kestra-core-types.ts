/**
 * Kestra's core plugin types (`io.kestra.plugin.core.*`), compiled from the material in
 * `../shared/kestra` and `../shared/corpus`:
 * - the current names of KESTRA-API.md §7.3's alias table (`@Plugin(aliases=...)` at 1.0.3),
 * - the core types used by Kestra's own valid fixtures (`fixtures/valids-1.0.3`, `valids-2.0-snapshot`),
 * - core types of Kestra's plugin documentation used in the blueprints corpus (kv, namespace files,
 *   runner, output, storage.Write, trigger.ScheduleOnDates).
 * Test-only classes of Kestra's own test suite (`debug.MissingOne`, `trigger.WebhookTestPlugin`,
 * `flow.WorkingDirectoryTest`) are deliberately absent. `kestra-core-types.test.ts` checks the list
 * covers every core type used by the valid fixtures and the corpus flows Kestra accepts.
 */
export const KESTRA_CORE_TYPES: readonly string[] = [
  // condition
  "io.kestra.plugin.core.condition.DateTimeBetween",
  "io.kestra.plugin.core.condition.DayWeek",
  "io.kestra.plugin.core.condition.DayWeekInMonth",
  "io.kestra.plugin.core.condition.ExecutionFlow",
  "io.kestra.plugin.core.condition.ExecutionLabels",
  "io.kestra.plugin.core.condition.ExecutionNamespace",
  "io.kestra.plugin.core.condition.ExecutionOutputs",
  "io.kestra.plugin.core.condition.ExecutionStatus",
  "io.kestra.plugin.core.condition.Expression",
  "io.kestra.plugin.core.condition.FlowCondition",
  "io.kestra.plugin.core.condition.FlowNamespaceCondition",
  "io.kestra.plugin.core.condition.HasRetryAttempt",
  "io.kestra.plugin.core.condition.MultipleCondition",
  "io.kestra.plugin.core.condition.Not",
  "io.kestra.plugin.core.condition.Or",
  "io.kestra.plugin.core.condition.PublicHoliday",
  "io.kestra.plugin.core.condition.TimeBetween",
  "io.kestra.plugin.core.condition.Weekend",
  // debug
  "io.kestra.plugin.core.debug.Echo",
  "io.kestra.plugin.core.debug.Return",
  // execution
  "io.kestra.plugin.core.execution.Assert",
  "io.kestra.plugin.core.execution.Count",
  "io.kestra.plugin.core.execution.Exit",
  "io.kestra.plugin.core.execution.Fail",
  "io.kestra.plugin.core.execution.Labels",
  "io.kestra.plugin.core.execution.PurgeExecutions",
  "io.kestra.plugin.core.execution.Resume",
  "io.kestra.plugin.core.execution.SetVariables",
  "io.kestra.plugin.core.execution.UnsetVariables",
  // flow
  "io.kestra.plugin.core.flow.AllowFailure",
  "io.kestra.plugin.core.flow.Dag",
  "io.kestra.plugin.core.flow.EachParallel",
  "io.kestra.plugin.core.flow.EachSequential",
  "io.kestra.plugin.core.flow.ForEach",
  "io.kestra.plugin.core.flow.ForEachItem",
  "io.kestra.plugin.core.flow.If",
  "io.kestra.plugin.core.flow.Loop",
  "io.kestra.plugin.core.flow.LoopUntil",
  "io.kestra.plugin.core.flow.Parallel",
  "io.kestra.plugin.core.flow.Pause",
  "io.kestra.plugin.core.flow.Sequential",
  "io.kestra.plugin.core.flow.Sleep",
  "io.kestra.plugin.core.flow.Subflow",
  "io.kestra.plugin.core.flow.Switch",
  "io.kestra.plugin.core.flow.Template",
  "io.kestra.plugin.core.flow.WorkingDirectory",
  // http
  "io.kestra.plugin.core.http.Download",
  "io.kestra.plugin.core.http.Request",
  "io.kestra.plugin.core.http.Trigger",
  // kv
  "io.kestra.plugin.core.kv.Delete",
  "io.kestra.plugin.core.kv.Get",
  "io.kestra.plugin.core.kv.GetKeys",
  "io.kestra.plugin.core.kv.PurgeKV",
  "io.kestra.plugin.core.kv.Set",
  // log
  "io.kestra.plugin.core.log.Fetch",
  "io.kestra.plugin.core.log.Log",
  "io.kestra.plugin.core.log.PurgeLogs",
  // namespace files
  "io.kestra.plugin.core.namespace.DeleteFiles",
  "io.kestra.plugin.core.namespace.DownloadFiles",
  "io.kestra.plugin.core.namespace.UploadFiles",
  // output
  "io.kestra.plugin.core.output.OutputValues",
  // runner
  "io.kestra.plugin.core.runner.Process",
  // state
  "io.kestra.plugin.core.state.Delete",
  "io.kestra.plugin.core.state.Get",
  "io.kestra.plugin.core.state.Set",
  // storage
  "io.kestra.plugin.core.storage.Concat",
  "io.kestra.plugin.core.storage.DeduplicateItems",
  "io.kestra.plugin.core.storage.Delete",
  "io.kestra.plugin.core.storage.FilterItems",
  "io.kestra.plugin.core.storage.LocalFiles",
  "io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles",
  "io.kestra.plugin.core.storage.Reverse",
  "io.kestra.plugin.core.storage.Size",
  "io.kestra.plugin.core.storage.Split",
  "io.kestra.plugin.core.storage.Write",
  // templating
  "io.kestra.plugin.core.templating.TemplatedTask",
  // trigger
  "io.kestra.plugin.core.trigger.Flow",
  "io.kestra.plugin.core.trigger.Schedule",
  "io.kestra.plugin.core.trigger.ScheduleOnDates",
  "io.kestra.plugin.core.trigger.Toggle",
  "io.kestra.plugin.core.trigger.Webhook",
];

const K = "io.kestra.";

function aliasEntries(): [string, string][] {
  const entries: [string, string][] = [];
  const add = (oldName: string, newName: string): void => {
    entries.push([K + oldName, K + newName]);
  };
  for (const name of ["Return", "Echo"]) add(`core.tasks.debugs.${name}`, `plugin.core.debug.${name}`);
  add("core.tasks.executions.Counts", "plugin.core.execution.Count");
  add("core.tasks.executions.Fail", "plugin.core.execution.Fail");
  add("core.tasks.executions.Labels", "plugin.core.execution.Labels");
  add("core.tasks.storages.Purge", "plugin.core.execution.PurgeExecutions");
  add("plugin.core.storage.Purge", "plugin.core.execution.PurgeExecutions");
  for (const name of ["Log", "Fetch"]) add(`core.tasks.log.${name}`, `plugin.core.log.${name}`);
  for (const name of ["Get", "Set", "Delete"]) add(`core.tasks.states.${name}`, `plugin.core.state.${name}`);
  for (const name of ["AllowFailure", "Dag", "EachParallel", "EachSequential", "ForEachItem", "If", "Parallel", "Pause", "Sequential", "Switch", "Template"]) {
    add(`core.tasks.flows.${name}`, `plugin.core.flow.${name}`);
  }
  add("core.tasks.flows.Subflow", "plugin.core.flow.Subflow");
  add("core.tasks.flows.Flow", "plugin.core.flow.Subflow");
  add("core.tasks.flows.WorkingDirectory", "plugin.core.flow.WorkingDirectory");
  add("core.tasks.flows.Worker", "plugin.core.flow.WorkingDirectory");
  add("plugin.core.flow.WaitFor", "plugin.core.flow.LoopUntil");
  for (const name of ["Concat", "DeduplicateItems", "Delete", "FilterItems", "LocalFiles", "Reverse", "Size", "Split"]) {
    add(`core.tasks.storages.${name}`, `plugin.core.storage.${name}`);
  }
  add("core.tasks.storages.PurgeExecution", "plugin.core.storage.PurgeCurrentExecutionFiles");
  add("plugin.core.storage.PurgeExecution", "plugin.core.storage.PurgeCurrentExecutionFiles");
  add("core.tasks.templating.TemplatedTask", "plugin.core.templating.TemplatedTask");
  for (const name of ["Flow", "Schedule", "Webhook"]) add(`core.models.triggers.types.${name}`, `plugin.core.trigger.${name}`);
  add("core.tasks.trigger.Toggle", "plugin.core.trigger.Toggle");
  for (const name of ["Request", "Download", "Trigger"]) add(`plugin.fs.http.${name}`, `plugin.core.http.${name}`);
  for (const name of [
    "DateTimeBetween", "DayWeek", "DayWeekInMonth", "ExecutionFlow", "ExecutionLabels", "ExecutionNamespace",
    "ExecutionOutputs", "ExecutionStatus", "HasRetryAttempt", "Not", "Or", "PublicHoliday", "TimeBetween", "Weekend",
  ]) {
    add(`core.models.conditions.types.${name}Condition`, `plugin.core.condition.${name}`);
    add(`plugin.core.condition.${name}Condition`, `plugin.core.condition.${name}`);
  }
  add("core.models.conditions.types.VariableCondition", "plugin.core.condition.Expression");
  add("plugin.core.condition.ExpressionCondition", "plugin.core.condition.Expression");
  for (const name of ["FlowCondition", "FlowNamespaceCondition", "MultipleCondition"]) {
    add(`core.models.conditions.types.${name}`, `plugin.core.condition.${name}`);
  }
  return entries;
}

/**
 * Kestra's alias table at 1.0.3 (KESTRA-API.md §7.3): legacy type name -> current type name.
 * Kestra 1.x still accepts the legacy names; 2.0 drops the `io.kestra.core.*` ones.
 */
export const KESTRA_TYPE_ALIASES: ReadonlyMap<string, string> = new Map(aliasEntries());

/** Aliases Kestra 2.0 still accepts (KESTRA-API.md §7.3, last bullet). */
export function aliasSurvivesKestra2(legacyName: string): boolean {
  return legacyName === `${K}plugin.core.flow.WaitFor` || legacyName.startsWith(`${K}plugin.fs.http.`);
}
