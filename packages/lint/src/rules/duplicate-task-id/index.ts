import { collectTasks, collectTriggers, stringProperty } from "../../flow-model.js";
import type { Rule } from "../../types.js";

/**
 * Two tasks with one id anywhere in a flow (tasks, errors, finally, afterExecution, listeners and
 * every flowable's children), or two triggers with one id: Kestra refuses the flow on save
 * ("Duplicate task id with name [...]", KESTRA-API.md §5.3).
 */
export const duplicateTaskId: Rule = {
  meta: {
    id: "duplicate-task-id",
    description: "Two tasks (at any depth, errors and finally included) with one id",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/duplicate-task-id/README.md",
    messages: {
      duplicateTask: "Task id '{{id}}' is already used by the task at line {{firstLine}}; task ids must be unique in the whole flow, errors and finally included",
      duplicateTrigger: "Trigger id '{{id}}' is already used by the trigger at line {{firstLine}}; trigger ids must be unique in a flow",
    },
  },
  checkFlow({ flow, report }) {
    const seen = new Map<string, readonly (string | number)[]>();
    for (const { task, path } of collectTasks(flow.document)) {
      const id = stringProperty(task, "id");
      if (id === undefined) continue;
      const first = seen.get(id);
      if (first) report({ messageId: "duplicateTask", path: [...path, "id"], data: { id, firstLine: flow.locate([...first, "id"]).line } });
      else seen.set(id, path);
    }
    const triggers = new Map<string, readonly (string | number)[]>();
    for (const { trigger, path } of collectTriggers(flow.document)) {
      const id = stringProperty(trigger, "id");
      if (id === undefined) continue;
      const first = triggers.get(id);
      if (first) report({ messageId: "duplicateTrigger", path: [...path, "id"], data: { id, firstLine: flow.locate([...first, "id"]).line } });
      else triggers.set(id, path);
    }
  },
};
