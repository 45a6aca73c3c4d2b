import { KESTRA_CORE_TYPES, KESTRA_TYPE_ALIASES } from "@flowops/flow-model";
import { hasPebble, PLUGIN_TYPE } from "@flowops/flow-model";
import { KESTRA_REMOVED_TYPES } from "../../data/kestra-removed-types.js";
import type { Rule } from "../../types.js";

const CORE_PREFIX = "io.kestra.plugin.core.";
/** A core package Kestra removed whole (0.11.0): a class there that is not a known removed one never existed. */
const REMOVED_CORE_PACKAGE = "io.kestra.core.tasks.scripts.";
const CORE_TYPES = new Set(KESTRA_CORE_TYPES);
const CORE_BY_LOWER_CASE = new Map(KESTRA_CORE_TYPES.map((type) => [type.toLowerCase(), type]));
const CORE_BY_SIMPLE_NAME = new Map<string, string[]>();
for (const type of KESTRA_CORE_TYPES) {
  const simple = type.slice(type.lastIndexOf(".") + 1).toLowerCase();
  CORE_BY_SIMPLE_NAME.set(simple, [...(CORE_BY_SIMPLE_NAME.get(simple) ?? []), type]);
}
/** Core types need no further look (the common case, checked by one Set lookup). */
const KNOWN_GOOD: ReadonlySet<string> = CORE_TYPES;
/** Per lint run (its facts): plugin types already found fine, so each is checked once, not in every flow. */
const passedTypes = new WeakMap<object, Set<string>>();
const MAX_PASSED_TYPES = 10_000;

function suggestion(type: string): string {
  const sameLetters = CORE_BY_LOWER_CASE.get(type.toLowerCase());
  if (sameLetters) return `; did you mean '${sameLetters}'?`;
  const candidates = CORE_BY_SIMPLE_NAME.get(type.slice(type.lastIndexOf(".") + 1).toLowerCase());
  if (candidates?.length === 1) return `; did you mean '${candidates[0]}'?`;
  return "";
}

/**
 * A task, trigger, condition or task runner type Kestra does not know. Core types are checked
 * against Kestra's list (`@flowops/flow-model`'s `kestra-core-types.ts`); other plugins against the pulled Kestra
 * schema when the repository has one, else only their form.
 */
export const unknownTaskType: Rule = {
  meta: {
    id: "unknown-task-type",
    description: "A task or trigger type that is not a known Kestra plugin type",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/unknown-task-type/README.md",
    messages: {
      unknownCore: "'{{type}}' is not a Kestra core {{kind}} type{{hint}}",
      notOnServer: "'{{type}}' is not a {{kind}} type of the Kestra server whose schema was pulled (.flowops/kestra-flow-schema.json); install the plugin there or fix the type",
      removed: "'{{type}}' was removed from Kestra in {{release}} without an alias, so Kestra no longer loads this flow; write '{{replacement}}'",
      malformed: "'{{type}}' is not a plugin type: expected a dotted Java class name such as 'io.kestra.plugin.core.log.Log'",
    },
  },
  visitFlow({ facts, report }) {
    let passed = passedTypes.get(facts);
    if (!passed) passedTypes.set(facts, (passed = new Set()));
    return {
      typedNode({ type, path, kind }) {
        if (KNOWN_GOOD.has(type) || passed.has(type) || hasPebble(type)) return;
        const at = [...path, "type"];
        const removed = KESTRA_REMOVED_TYPES.get(type);
        if (removed) {
          report({ messageId: "removed", path: at, data: { type, ...removed } });
        } else if (!PLUGIN_TYPE.test(type)) {
          report({ messageId: "malformed", path: at, data: { type } });
        } else if (KESTRA_TYPE_ALIASES.has(type)) {
          return; // a known legacy name: deprecated-task-type's business
        } else if (type.startsWith(CORE_PREFIX) || type.startsWith(REMOVED_CORE_PACKAGE)) {
          if (!CORE_TYPES.has(type) && !facts.kestraSchema?.hasType(type)) {
            report({ messageId: "unknownCore", path: at, data: { type, kind: kindName(kind), hint: suggestion(type) } });
          }
        } else if (facts.kestraSchema && !facts.kestraSchema.hasType(type)) {
          report({ messageId: "notOnServer", path: at, data: { type, kind: kindName(kind) } });
        } else {
          // Whatever its kind, this type passes every check: remembered for this run's other flows.
          if (passed.size >= MAX_PASSED_TYPES) passed.clear();
          passed.add(type);
        }
      },
    };
  },
};

function kindName(kind: string): string {
  return kind === "taskRunner" ? "task runner" : kind;
}
