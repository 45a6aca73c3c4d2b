import { isCoreType, PLUGIN_TYPE } from "./kestra-types.js";
import { isMap, memoized, type ValuePath, type YamlMap } from "./values.js";

/**
 * Keys of a task holding lists of child tasks: `tasks` (Sequential, Parallel, Dag, ForEach,
 * EachSequential, EachParallel, WorkingDirectory, AllowFailure, LoopUntil, Pause before 0.17),
 * `errors`/`finally`/`afterExecution` (flowable tasks' own handlers), `then`/`else` (If),
 * `defaults` (Switch). Switch's `cases` is a map of lists, Dag's items wrap their task in `task`.
 */
export const CHILD_TASK_LIST_KEYS = ["tasks", "then", "else", "cases", "defaults", "errors", "finally", "afterExecution"] as const;
/** Keys of the flow holding lists of tasks. */
const FLOW_TASK_LIST_KEYS = ["tasks", "errors", "finally", "afterExecution"] as const;

export interface TaskRef {
  task: YamlMap;
  path: ValuePath;
  /** The list the task sits in: `tasks`, `errors`, `finally`, `afterExecution`, `then`, `else`, `cases`, `defaults`, `listeners`. */
  list: string;
  /** Nesting depth: 0 for the flow's own lists. */
  depth: number;
  /** The flowable task holding it, if any. */
  parent?: TaskRef;
}

function collectFromList(list: unknown, path: ValuePath, listName: string, depth: number, out: TaskRef[], parent: TaskRef | undefined, underCoreType: boolean): void {
  if (!Array.isArray(list)) return;
  for (let index = 0; index < list.length; index++) {
    const item: unknown = list[index];
    if (!isMap(item)) continue;
    const type = item.type;
    // A plugin's own `tasks` property (e.g. Azure Batch job tasks) is not a list of Kestra tasks:
    // below a non-core task, only items with a plugin type are taken for tasks.
    if (depth > 0 && !underCoreType && !(typeof type === "string" && PLUGIN_TYPE.test(type)) && !isMap(item.task)) continue;
    // A Dag lists `{ task: {...}, dependsOn: [...] }` items (`task` is read only for an item without a type: most have one).
    if (type === undefined) {
      const wrapped = item.task;
      if (isMap(wrapped)) {
        collectTask(wrapped, [...path, index, "task"], listName, depth, out, parent);
        continue;
      }
    }
    collectTask(item, [...path, index], listName, depth, out, parent);
  }
}

function typeOf(node: YamlMap): string | undefined {
  const type = node.type;
  return typeof type === "string" ? type : undefined;
}

/** Each key of CHILD_TASK_LIST_KEYS with its place in it. */
const CHILD_LIST_INDEX: ReadonlyMap<string, number> = new Map(CHILD_TASK_LIST_KEYS.map((key, index) => [key, index]));
const CASES = CHILD_LIST_INDEX.get("cases")!;

function collectTask(task: YamlMap, path: ValuePath, listName: string, depth: number, out: TaskRef[], parent?: TaskRef): void {
  const ref: TaskRef = parent ? { task, path, list: listName, depth, parent } : { task, path, list: listName, depth };
  out.push(ref);
  // The task's child lists, found in one pass over its own keys: most tasks have none, and reading
  // each of the eight keys by name made eight lookups of absent properties per task.
  let lists: unknown[] | undefined;
  for (const key in task) {
    const at = CHILD_LIST_INDEX.get(key);
    if (at !== undefined) (lists ??= [])[at] = task[key];
  }
  if (lists === undefined) return;
  const childDepth = depth + 1;
  const underCoreType = isCoreType(typeOf(task));
  // In CHILD_TASK_LIST_KEYS' order, whatever the order of the task's keys.
  for (let at = 0; at < CHILD_TASK_LIST_KEYS.length; at++) {
    const list = lists[at];
    if (at === CASES) {
      if (isMap(list)) for (const caseKey of Object.keys(list)) collectFromList(list[caseKey], [...path, "cases", caseKey], "cases", childDepth, out, ref, underCoreType);
    } else if (Array.isArray(list) && list.length > 0) {
      const key = CHILD_TASK_LIST_KEYS[at]!;
      collectFromList(list, [...path, key], key, childDepth, out, ref, underCoreType);
    }
  }
}

/** Every task of a flow at any depth, in document order: tasks, errors, finally, afterExecution, listeners, and every flowable's children. */
export const collectTasks: (document: unknown) => readonly TaskRef[] = memoized((document) => {
  const out: TaskRef[] = [];
  if (!isMap(document)) return out;
  for (const key of FLOW_TASK_LIST_KEYS) {
    const list = document[key];
    if (Array.isArray(list)) collectFromList(list, [key], key, 0, out, undefined, false);
  }
  const listeners = document.listeners;
  if (Array.isArray(listeners)) {
    for (let index = 0; index < listeners.length; index++) {
      const listener: unknown = listeners[index];
      if (isMap(listener)) collectFromList(listener.tasks, ["listeners", index, "tasks"], "listeners", 0, out, undefined, false);
    }
  }
  return out;
});

export interface TriggerRef {
  trigger: YamlMap;
  path: ValuePath;
}

export const collectTriggers: (document: unknown) => readonly TriggerRef[] = memoized((document) => {
  if (!isMap(document) || !Array.isArray(document.triggers)) return [];
  const out: TriggerRef[] = [];
  document.triggers.forEach((trigger, index) => {
    if (isMap(trigger)) out.push({ trigger, path: ["triggers", index] });
  });
  return out;
});

export type TypedKind = "task" | "trigger" | "condition" | "taskRunner";

export interface TypedRef {
  node: YamlMap;
  path: ValuePath;
  kind: TypedKind;
  type: string;
}

/** Conditions in a list or a map (MultipleCondition), and those nested in Or, Not and MultipleCondition. */
export function forEachCondition(value: unknown, path: ValuePath, visit: (condition: YamlMap, path: ValuePath) => void): void {
  const one = (condition: unknown, conditionPath: ValuePath): void => {
    if (!isMap(condition)) return;
    visit(condition, conditionPath);
    forEachCondition(condition.conditions, [...conditionPath, "conditions"], visit);
  };
  if (Array.isArray(value)) value.forEach((condition, index) => one(condition, [...path, index]));
  else if (isMap(value)) for (const [key, condition] of Object.entries(value)) one(condition, [...path, key]);
}

/** The typed conditions under `key` of the node at `path` (its path is built only where the key holds something: most triggers have no conditions). */
function conditionsAt(out: TypedRef[], value: unknown, path: ValuePath, key: string): void {
  if (value === undefined) return;
  forEachCondition(value, [...path, key], (node, at) => {
    const type = typeOf(node);
    if (type !== undefined) out.push({ node, path: at, kind: "condition", type });
  });
}

/** Every task, trigger, condition and task runner of a flow that states a `type`. */
export const collectTypedNodes: (document: unknown) => readonly TypedRef[] = memoized((document) => {
  const out: TypedRef[] = [];
  for (const { task, path } of collectTasks(document)) {
    const type = typeOf(task);
    if (type !== undefined) out.push({ node: task, path, kind: "task", type });
    const runner = task.taskRunner;
    if (isMap(runner)) {
      const runnerType = typeOf(runner);
      if (runnerType !== undefined) out.push({ node: runner, path: [...path, "taskRunner"], kind: "taskRunner", type: runnerType });
    }
  }
  for (const { trigger, path } of collectTriggers(document)) {
    const type = typeOf(trigger);
    if (type !== undefined) out.push({ node: trigger, path, kind: "trigger", type });
    conditionsAt(out, trigger.conditions, path, "conditions");
    conditionsAt(out, trigger.scheduleConditions, path, "scheduleConditions");
  }
  if (isMap(document) && Array.isArray(document.listeners)) {
    document.listeners.forEach((listener, index) => {
      if (isMap(listener)) conditionsAt(out, listener.conditions, ["listeners", index], "conditions");
    });
  }
  return out;
});
