import { stringProperty, type ValuePath } from "@flowops/flow-model";
import { SmallMap } from "../../small-map.js";
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
  visitFlow({ flow, report }) {
    const tasks = new FirstById();
    let triggers: FirstById | undefined;
    return {
      task({ task, path }) {
        const id = stringProperty(task, "id");
        if (id === undefined) return;
        const first = tasks.firstOrAdd(id, path);
        if (first) report({ messageId: "duplicateTask", path: [...path, "id"], data: { id, firstLine: flow.locate([...first, "id"]).line } });
      },
      trigger({ trigger, path }) {
        const id = stringProperty(trigger, "id");
        if (id === undefined) return;
        const first = (triggers ??= new FirstById()).firstOrAdd(id, path);
        if (first) report({ messageId: "duplicateTrigger", path: [...path, "id"], data: { id, firstLine: flow.locate([...first, "id"]).line } });
      },
    };
  },
};

/** The first path seen for each id of one flow: a short list for the dozen tasks of most flows, a map past 32. */
export class FirstById extends SmallMap<string, ValuePath> {
  constructor() {
    super(32);
  }
}
