import { aliasSurvivesKestra2, KESTRA_TYPE_ALIASES } from "../../data/kestra-core-types.js";
import { collectTypedNodes, isMap, stringProperty } from "../../flow-model.js";
import type { Rule } from "../../types.js";

/**
 * A legacy type name with a current replacement, from Kestra's alias table (KESTRA-API.md §7.3).
 * Kestra 1.x still runs them (and lists "`<alias>` is replaced by `<new>`" in validate's infos);
 * 2.0 drops the `io.kestra.core.*` names.
 */
export const deprecatedTaskType: Rule = {
  meta: {
    id: "deprecated-task-type",
    description: "A legacy type with a current replacement (e.g. io.kestra.core.tasks.* names)",
    defaultSeverity: "warning",
    docs: "packages/lint/src/rules/deprecated-task-type/README.md",
    messages: {
      removedIn2: "'{{type}}' is a legacy name of '{{replacement}}'; Kestra 2.0 no longer accepts it: write '{{replacement}}'",
      legacy: "'{{type}}' is a legacy name of '{{replacement}}'; write '{{replacement}}'",
    },
  },
  checkFlow({ flow, report }) {
    const check = (type: string, path: readonly (string | number)[]): void => {
      const replacement = KESTRA_TYPE_ALIASES.get(type);
      if (replacement === undefined) return;
      report({ messageId: aliasSurvivesKestra2(type) ? "legacy" : "removedIn2", path: [...path, "type"], data: { type, replacement } });
    };
    for (const { type, path } of collectTypedNodes(flow.document)) check(type, path);
    const defaults = (flow.document as Record<string, unknown>).pluginDefaults;
    if (Array.isArray(defaults)) {
      defaults.forEach((entry, index) => {
        const type = isMap(entry) ? stringProperty(entry, "type") : undefined;
        if (type !== undefined) check(type, ["pluginDefaults", index]);
      });
    }
  },
};
