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

function collectFromList(list: unknown, path: ValuePath, listName: string, depth: number, out: TaskRef[], parent?: TaskRef): void {
  if (!Array.isArray(list)) return;
  const underCoreType = parent !== undefined && isCoreType(typeOf(parent.task));
  for (let index = 0; index < list.length; index++) {
    const item: unknown = list[index];
    if (!isMap(item)) continue;
    // A plugin's own `tasks` property (e.g. Azure Batch job tasks) is not a list of Kestra tasks:
    // below a non-core task, only items with a plugin type are taken for tasks.
    if (depth > 0 && !underCoreType && !(typeof item.type === "string" && PLUGIN_TYPE.test(item.type)) && !isMap(item.task)) continue;
    // A Dag lists `{ task: {...}, dependsOn: [...] }` items.
    if (isMap(item.task) && item.type === undefined) {
      collectTask(item.task, [...path, index, "task"], listName, depth, out, parent);
      continue;
    }
    collectTask(item, [...path, index], listName, depth, out, parent);
  }
}

function typeOf(node: YamlMap): string | undefined {
  const type = node.type;
  return typeof type === "string" ? type : undefined;
}

/** `list` under `key` of the task at `path`, when it holds any item (read in `CHILD_TASK_LIST_KEYS`' order). */
function collectChildList(list: unknown, path: ValuePath, key: string, depth: number, out: TaskRef[], parent: TaskRef): void {
  if (Array.isArray(list) && list.length > 0) collectFromList(list, [...path, key], key, depth, out, parent);
}

function collectTask(task: YamlMap, path: ValuePath, listName: string, depth: number, out: TaskRef[], parent?: TaskRef): void {
  const ref: TaskRef = parent ? { task, path, list: listName, depth, parent } : { task, path, list: listName, depth };
  out.push(ref);
  // The keys of CHILD_TASK_LIST_KEYS, in its order, each read by name: a loop over the keys made a
  // generic keyed read of every task for each of them.
  const childDepth = depth + 1;
  collectChildList(task.tasks, path, "tasks", childDepth, out, ref);
  collectChildList(task.then, path, "then", childDepth, out, ref);
  collectChildList(task.else, path, "else", childDepth, out, ref);
  const cases = task.cases;
  if (isMap(cases)) for (const caseKey of Object.keys(cases)) collectFromList(cases[caseKey], [...path, "cases", caseKey], "cases", childDepth, out, ref);
  collectChildList(task.defaults, path, "defaults", childDepth, out, ref);
  collectChildList(task.errors, path, "errors", childDepth, out, ref);
  collectChildList(task.finally, path, "finally", childDepth, out, ref);
  collectChildList(task.afterExecution, path, "afterExecution", childDepth, out, ref);
}

/** Every task of a flow at any depth, in document order: tasks, errors, finally, afterExecution, listeners, and every flowable's children. */
export const collectTasks: (document: unknown) => readonly TaskRef[] = memoized((document) => {
  const out: TaskRef[] = [];
  if (!isMap(document)) return out;
  for (const key of FLOW_TASK_LIST_KEYS) {
    const list = document[key];
    if (Array.isArray(list)) collectFromList(list, [key], key, 0, out);
  }
  const listeners = document.listeners;
  if (Array.isArray(listeners)) {
    for (let index = 0; index < listeners.length; index++) {
      const listener: unknown = listeners[index];
      if (isMap(listener)) collectFromList(listener.tasks, ["listeners", index, "tasks"], "listeners", 0, out);
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

/** Every task, trigger, condition and task runner of a flow that states a `type`. */
export const collectTypedNodes: (document: unknown) => readonly TypedRef[] = memoized((document) => {
  const out: TypedRef[] = [];
  const condition = (node: YamlMap, path: ValuePath): void => {
    const type = typeOf(node);
    if (type !== undefined) out.push({ node, path, kind: "condition", type });
  };
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
    forEachCondition(trigger.conditions, [...path, "conditions"], condition);
    forEachCondition(trigger.scheduleConditions, [...path, "scheduleConditions"], condition);
  }
  if (isMap(document) && Array.isArray(document.listeners)) {
    document.listeners.forEach((listener, index) => {
      if (isMap(listener)) forEachCondition(listener.conditions, ["listeners", index, "conditions"], condition);
    });
  }
  return out;
});
