/** A core type Kestra removed without registering an alias: flows using it no longer load. */
export interface RemovedType {
  /** What to write instead. */
  replacement: string;
  /** The Kestra release that removed it. */
  release: string;
}

/**
 * Core types Kestra removed without an alias, from kestra-io/kestra's history:
 * - 0.11.0, commit 1112b9d ("remove old scripting tasks"): the core script tasks left the core
 *   (deprecated copies lived on for a while in the script plugins; Kestra's migration guide
 *   "Script tasks moved to dedicated plugins" names the replacements).
 * - 0.17.0, commit a313108 ("move plugin classes to a dedicated package"): every core class moved
 *   to `io.kestra.plugin.core.*`; these were moved without `@Plugin(aliases = ...)`, unlike the
 *   ones in flow-model's `kestra-core-types.ts` alias table. ProcessTaskRunner had also been renamed Process
 *   (commit 17ccfcf).
 */
export const KESTRA_REMOVED_TYPES: ReadonlyMap<string, RemovedType> = new Map([
  ["io.kestra.core.tasks.scripts.Bash", { replacement: "io.kestra.plugin.scripts.shell.Commands", release: "0.11.0" }],
  ["io.kestra.core.tasks.scripts.Python", { replacement: "io.kestra.plugin.scripts.python.Script", release: "0.11.0" }],
  ["io.kestra.core.tasks.scripts.Node", { replacement: "io.kestra.plugin.scripts.node.Script", release: "0.11.0" }],
  ["io.kestra.core.tasks.outputs.OutputValues", { replacement: "io.kestra.plugin.core.output.OutputValues", release: "0.17.0" }],
  ["io.kestra.core.tasks.executions.Resume", { replacement: "io.kestra.plugin.core.execution.Resume", release: "0.17.0" }],
  ["io.kestra.core.models.tasks.runners.types.ProcessTaskRunner", { replacement: "io.kestra.plugin.core.runner.Process", release: "0.17.0" }],
]);
