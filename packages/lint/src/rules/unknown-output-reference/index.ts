import { collectTasks, FOREACH_ITEM_TYPES, isOneOfTypes, stringProperty } from "@flowops/flow-model";
import { OncePerString } from "../../once-per-string.js";
import type { Rule } from "../../types.js";

/**
 * `{{ outputs.x... }}` where the flow has no task `x`, and `outputs.my-task` (Pebble reads a minus:
 * Kestra refuses it on save and asks for `outputs['my-task']`, KESTRA-API.md §5.3). A reference
 * guarded against a missing value (`?? 'd'`, `| default(...)`, `is defined`) is not reported.
 */
export const unknownOutputReference: Rule = {
  meta: {
    id: "unknown-output-reference",
    description: "`{{ outputs.x... }}` where no task x exists before it",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/unknown-output-reference/README.md",
    messages: {
      unknownTask: "'outputs.{{id}}' refers to no task of this flow: no task has id '{{id}}'",
      dashedKey: "'outputs.{{id}}' reads as a subtraction in Pebble; write outputs['{{id}}'] (Kestra refuses dashed keys without brackets)",
    },
  },
  visitFlow({ flow, report }) {
    // Built on the first reference to check: most flows read no task's outputs.
    let ids: Set<string> | undefined;
    // Each id once per string (made on the first reference to check).
    let seen: OncePerString | undefined;
    return {
      pebbleReference(reference) {
        if (reference.root !== "outputs" || reference.guarded) return;
        const dot = reference.key.indexOf(".");
        const id = dot === -1 ? reference.key : reference.key.slice(0, dot);
        if (!(seen ??= new OncePerString()).first(reference.path, id)) return;
        const within = { index: reference.index, text: reference.text };
        ids ??= taskOutputIds(flow.document);
        if (!ids.has(id)) report({ messageId: "unknownTask", path: reference.path, within, data: { id } });
        else if (!reference.bracket && id.includes("-")) report({ messageId: "dashedKey", path: reference.path, within, data: { id } });
      },
    };
  },
};

function taskOutputIds(document: unknown): Set<string> {
  const ids = new Set<string>();
  for (const { task } of collectTasks(document)) {
    const id = stringProperty(task, "id");
    if (id === undefined) continue;
    ids.add(id);
    // ForEachItem exposes its generated sub-tasks' outputs.
    if (isOneOfTypes(stringProperty(task, "type"), FOREACH_ITEM_TYPES)) for (const suffix of ["_split", "_items", "_merge"]) ids.add(id + suffix);
  }
  return ids;
}
