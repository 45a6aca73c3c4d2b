import { aliasSurvivesKestra2, KESTRA_TYPE_ALIASES } from "@flowops/flow-model";
import { isMap, stringProperty, type ValuePath } from "@flowops/flow-model";
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
  visitFlow({ flow, report }) {
    const check = (type: string, path: ValuePath): void => {
      const replacement = KESTRA_TYPE_ALIASES.get(type);
      if (replacement === undefined) return;
      report({ messageId: aliasSurvivesKestra2(type) ? "legacy" : "removedIn2", path: [...path, "type"], data: { type, replacement } });
    };
    return {
      flow() {
        for (const key of ["pluginDefaults", "taskDefaults"]) {
          const defaults = (flow.document as Record<string, unknown>)[key];
          if (!Array.isArray(defaults)) continue;
          defaults.forEach((entry, index) => {
            const type = isMap(entry) ? stringProperty(entry, "type") : undefined;
            if (type !== undefined) check(type, [key, index]);
          });
        }
      },
      typedNode({ type, path }) {
        check(type, path);
      },
    };
  },
};
