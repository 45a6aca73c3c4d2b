import type { ValuePath } from "@flowops/render";

/** A YAML mapping as parsed into plain data. */
export type YamlMap = Readonly<Record<string, unknown>>;

export function isMap(value: unknown): value is YamlMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keys of a task that hold lists of child tasks (Kestra's flowable tasks). */
const CHILD_TASK_LIST_KEYS = ["tasks", "errors", "finally", "then", "else", "default", "defaults", "afterExecution"] as const;
/** Keys of the flow that hold lists of tasks. */
const FLOW_TASK_LIST_KEYS = ["tasks", "errors", "finally", "afterExecution"] as const;

export interface TaskRef {
  task: YamlMap;
  path: ValuePath;
  /** The list the task sits in, e.g. `tasks`, `errors`, `then`, `cases`. */
  list: string;
  /** Nesting depth: 0 for the flow's own lists. */
  depth: number;
}

/** A dotted Java class name: what a task's `type` looks like. */
const PLUGIN_TYPE = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)+$/;

/** Kestra's own flowable tasks, whose child lists always hold tasks. */
function isCoreType(type: string | undefined): boolean {
  return type !== undefined && (type.startsWith("io.kestra.plugin.core.") || type.startsWith("io.kestra.core."));
}

function collectFromList(list: unknown, path: ValuePath, listName: string, depth: number, out: TaskRef[], parentType?: string): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, index) => {
    if (!isMap(item)) return;
    // A plugin's own `tasks` property (e.g. Azure Batch job tasks) is not a list of Kestra tasks:
    // below a non-core task, only items with a plugin type are taken for tasks.
    if (depth > 0 && !isCoreType(parentType) && !(typeof item.type === "string" && PLUGIN_TYPE.test(item.type)) && !isMap(item.task)) return;
    // A Dag lists `{ task: {...}, dependsOn: [...] }` items.
    if (isMap(item.task) && item.type === undefined) {
      collectTask(item.task, [...path, index, "task"], listName, depth, out);
      return;
    }
    collectTask(item, [...path, index], listName, depth, out);
  });
}

function collectTask(task: YamlMap, path: ValuePath, listName: string, depth: number, out: TaskRef[]): void {
  out.push({ task, path, list: listName, depth });
  const type = typeof task.type === "string" ? task.type : undefined;
  for (const key of CHILD_TASK_LIST_KEYS) {
    const children = task[key];
    if (Array.isArray(children) && children.length > 0) collectFromList(children, [...path, key], key, depth + 1, out, type);
  }
  const cases = task.cases;
  if (isMap(cases)) {
    for (const [caseKey, caseTasks] of Object.entries(cases)) {
      collectFromList(caseTasks, [...path, "cases", caseKey], "cases", depth + 1, out, type);
    }
  }
}

/**
 * Caches one result per parsed document: rendered documents are frozen, and every rule asks for
 * the same tasks, triggers and references, so each is computed once per flow, not once per rule.
 */
function memoized<T>(compute: (document: unknown) => T): (document: unknown) => T {
  const cache = new WeakMap<object, T>();
  return (document) => {
    if (typeof document !== "object" || document === null) return compute(document);
    let value = cache.get(document);
    if (value === undefined) {
      value = compute(document);
      cache.set(document, value);
    }
    return value;
  };
}

/** Every task of a flow at any depth, in document order: tasks, errors, finally, afterExecution, listeners, and every flowable's children. */
export const collectTasks: (document: unknown) => readonly TaskRef[] = memoized(collectTasksOnce);

function collectTasksOnce(document: unknown): TaskRef[] {
  const out: TaskRef[] = [];
  if (!isMap(document)) return out;
  for (const key of FLOW_TASK_LIST_KEYS) if (Array.isArray(document[key])) collectFromList(document[key], [key], key, 0, out);
  const listeners = document.listeners;
  if (Array.isArray(listeners)) {
    listeners.forEach((listener, index) => {
      if (isMap(listener)) collectFromList(listener.tasks, ["listeners", index, "tasks"], "listeners", 0, out);
    });
  }
  return out;
}

export interface TriggerRef {
  trigger: YamlMap;
  path: ValuePath;
}

export const collectTriggers: (document: unknown) => readonly TriggerRef[] = memoized(collectTriggersOnce);

function collectTriggersOnce(document: unknown): TriggerRef[] {
  if (!isMap(document) || !Array.isArray(document.triggers)) return [];
  const out: TriggerRef[] = [];
  document.triggers.forEach((trigger, index) => {
    if (isMap(trigger)) out.push({ trigger, path: ["triggers", index] });
  });
  return out;
}

/** Calls `visit` for every node of a parsed YAML value, depth first, with its path and parent key. */
export function walkValue(
  value: unknown,
  visit: (node: unknown, path: ValuePath, key: string | number | undefined) => boolean | void,
  path: ValuePath = [],
  key?: string | number,
): void {
  if (visit(value, path, key) === false) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => walkValue(item, visit, [...path, index], index));
  } else if (isMap(value)) {
    for (const [childKey, child] of Object.entries(value)) walkValue(child, visit, [...path, childKey], childKey);
  }
}

/** A scalar of a flow (string, number, boolean or null) with where it sits. */
export interface Leaf {
  value: string | number | boolean | null;
  path: ValuePath;
  /** The key (or list index) holding it. */
  key: string | number | undefined;
}

/** Keys whose scalar values some rule reads (namespaces, images, credentials). */
const WATCHED_KEYS = new Set(["namespace", "image", "containerImage"]);
const CREDENTIAL_KEY_ENDINGS = [
  "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "accesskey", "secretkey",
  "privatekey", "clientsecret", "serviceaccount", "credentials", "sastoken", "connectionstring",
];
const credentialLike = new Map<string, boolean>();
/** A cheap first cut: keys that may name a credential (the rule decides). */
function mayNameCredential(key: string): boolean {
  let verdict = credentialLike.get(key);
  if (verdict === undefined) {
    const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, "");
    verdict = CREDENTIAL_KEY_ENDINGS.some((ending) => normalized.endsWith(ending));
    credentialLike.set(key, verdict);
  }
  return verdict;
}
const DOTTED_NAMESPACE = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;
const CREDENTIAL_SHAPE_HINT = /AKIA|ASIA|PRIVATE KEY|gh[pousr]_|xox[abposr]-/;

/**
 * The scalars any leaf-reading rule looks at: values of `namespace`, image and credential-like keys,
 * Pebble expressions naming `outputs`/`inputs`, `kv(` calls, dotted namespaces in lists and
 * credential-shaped strings. Few per flow, so rules never walk whole documents themselves.
 */
function isWatched(value: unknown, key: string | number | undefined): boolean {
  if (typeof key === "string" && (WATCHED_KEYS.has(key) || mayNameCredential(key))) return true;
  if (typeof value !== "string") return false;
  if ((value.includes("{{") || value.includes("{%")) && (value.includes("outputs") || value.includes("inputs"))) return true;
  if (value.includes("kv(")) return true;
  if (typeof key === "number" && DOTTED_NAMESPACE.test(value)) return true;
  return value.length >= 16 && CREDENTIAL_SHAPE_HINT.test(value);
}

/**
 * The watched scalars of a value with their paths, in one walk per document (paths are only
 * materialized for the few watched scalars).
 */
export const collectLeaves: (value: unknown) => readonly Leaf[] = memoized((value) => {
  const out: Leaf[] = [];
  const path: (string | number)[] = [];
  const visit = (node: unknown, key: string | number | undefined): void => {
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        path.push(index);
        visit(node[index], index);
        path.pop();
      }
    } else if (typeof node === "object" && node !== null) {
      const record = node as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let index = 0; index < keys.length; index++) {
        const childKey = keys[index]!;
        path.push(childKey);
        visit(record[childKey], childKey);
        path.pop();
      }
    } else if (isWatched(node, key)) {
      out.push({ value: node as Leaf["value"], key, path: path.slice() });
    }
  };
  visit(value, undefined);
  return out;
});

/** True when a string holds a Kestra Pebble expression, i.e. its value is only known at run time. */
export function hasPebble(value: string): boolean {
  return value.includes("{{") || value.includes("{%");
}

export function stringProperty(map: YamlMap, key: string): string | undefined {
  const value = map[key];
  return typeof value === "string" ? value : undefined;
}

/** The `type` of a task, trigger or condition, with Kestra's legacy aliases mapped to the current name. */
export function typeName(map: YamlMap): string | undefined {
  return stringProperty(map, "type");
}

export type TypedKind = "task" | "trigger" | "condition" | "taskRunner";

export interface TypedRef {
  node: YamlMap;
  path: ValuePath;
  kind: TypedKind;
  type: string;
}

function collectConditions(value: unknown, path: ValuePath, out: TypedRef[]): void {
  const visit = (condition: unknown, conditionPath: ValuePath): void => {
    if (!isMap(condition)) return;
    const type = stringProperty(condition, "type");
    if (type !== undefined) out.push({ node: condition, path: conditionPath, kind: "condition", type });
    collectConditions(condition.conditions, [...conditionPath, "conditions"], out);
  };
  if (Array.isArray(value)) value.forEach((condition, index) => visit(condition, [...path, index]));
  else if (isMap(value)) for (const [key, condition] of Object.entries(value)) visit(condition, [...path, key]);
}

/** Every task, trigger, condition and task runner of a flow that states a `type`. */
export const collectTypedNodes: (document: unknown) => readonly TypedRef[] = memoized(collectTypedNodesOnce);

function collectTypedNodesOnce(document: unknown): TypedRef[] {
  const out: TypedRef[] = [];
  for (const { task, path } of collectTasks(document)) {
    const type = stringProperty(task, "type");
    if (type !== undefined) out.push({ node: task, path, kind: "task", type });
    const runner = task.taskRunner;
    if (isMap(runner)) {
      const runnerType = stringProperty(runner, "type");
      if (runnerType !== undefined) out.push({ node: runner, path: [...path, "taskRunner"], kind: "taskRunner", type: runnerType });
    }
  }
  for (const { trigger, path } of collectTriggers(document)) {
    const type = stringProperty(trigger, "type");
    if (type !== undefined) out.push({ node: trigger, path, kind: "trigger", type });
    collectConditions(trigger.conditions, [...path, "conditions"], out);
  }
  if (isMap(document) && Array.isArray(document.listeners)) {
    document.listeners.forEach((listener, index) => {
      if (isMap(listener)) collectConditions(listener.conditions, ["listeners", index, "conditions"], out);
    });
  }
  return out;
}

const KESTRA = "io.kestra.";
const fullNames = new WeakMap<readonly string[], ReadonlySet<string>>();
/** True when `type` is one of `names` (written without the `io.kestra.` prefix). */
export function isOneOfTypes(type: string | undefined, names: readonly string[]): boolean {
  if (type === undefined) return false;
  let set = fullNames.get(names);
  if (!set) {
    set = new Set(names.map((name) => KESTRA + name));
    fullNames.set(names, set);
  }
  return set.has(type);
}

export const SUBFLOW_TYPES = ["plugin.core.flow.Subflow", "core.tasks.flows.Subflow", "core.tasks.flows.Flow"] as const;
export const FOREACH_ITEM_TYPES = ["plugin.core.flow.ForEachItem", "core.tasks.flows.ForEachItem"] as const;
export const FLOW_TRIGGER_TYPES = ["plugin.core.trigger.Flow", "core.models.triggers.types.Flow"] as const;
export const SCHEDULE_TRIGGER_TYPES = ["plugin.core.trigger.Schedule", "core.models.triggers.types.Schedule"] as const;
export const EXECUTION_FLOW_CONDITION_TYPES = [
  "plugin.core.condition.ExecutionFlow",
  "plugin.core.condition.ExecutionFlowCondition",
  "core.models.conditions.types.ExecutionFlowCondition",
] as const;

/** A reference from one flow to another: a Subflow/ForEachItem call or a Flow trigger's upstream. */
export interface FlowReference {
  kind: "subflow" | "flow-trigger";
  namespace: string;
  /** Absent for namespace-wide upstreams (`preconditions.flows` without `flowId`). */
  flowId?: string;
  /** Where the reference is written: the node holding `namespace`/`flowId`. */
  path: ValuePath;
}

function upstreamOf(node: unknown, path: ValuePath): FlowReference | undefined {
  if (!isMap(node)) return undefined;
  const namespace = stringProperty(node, "namespace");
  if (namespace === undefined) return undefined;
  const flowId = stringProperty(node, "flowId");
  return { kind: "flow-trigger", namespace, ...(flowId !== undefined ? { flowId } : {}), path };
}

function conditionReferences(value: unknown, path: ValuePath, out: FlowReference[]): void {
  const visit = (condition: unknown, conditionPath: ValuePath): void => {
    if (!isMap(condition)) return;
    if (isOneOfTypes(stringProperty(condition, "type"), EXECUTION_FLOW_CONDITION_TYPES)) {
      const reference = upstreamOf(condition, conditionPath);
      if (reference) out.push(reference);
    }
    conditionReferences(condition.conditions, [...conditionPath, "conditions"], out);
  };
  if (Array.isArray(value)) value.forEach((condition, index) => visit(condition, [...path, index]));
  else if (isMap(value)) for (const [key, condition] of Object.entries(value)) visit(condition, [...path, key]);
}

/** Every Subflow/ForEachItem call and every Flow trigger upstream (`preconditions.flows`, legacy `conditions`, 2.0 `dependsOn`). */
export const collectFlowReferences: (document: unknown) => readonly FlowReference[] = memoized(collectFlowReferencesOnce);

function collectFlowReferencesOnce(document: unknown): FlowReference[] {
  const out: FlowReference[] = [];
  for (const { task, path } of collectTasks(document)) {
    const type = stringProperty(task, "type");
    if (isOneOfTypes(type, SUBFLOW_TYPES) || isOneOfTypes(type, FOREACH_ITEM_TYPES)) {
      const namespace = stringProperty(task, "namespace");
      const flowId = stringProperty(task, "flowId");
      if (namespace !== undefined && flowId !== undefined) out.push({ kind: "subflow", namespace, flowId, path });
    }
  }
  for (const { trigger, path } of collectTriggers(document)) {
    if (!isOneOfTypes(stringProperty(trigger, "type"), FLOW_TRIGGER_TYPES)) continue;
    const preconditions = trigger.preconditions;
    if (isMap(preconditions) && Array.isArray(preconditions.flows)) {
      preconditions.flows.forEach((upstream, index) => {
        const reference = upstreamOf(upstream, [...path, "preconditions", "flows", index]);
        if (reference) out.push(reference);
      });
    }
    if (Array.isArray(trigger.dependsOn)) {
      trigger.dependsOn.forEach((upstream, index) => {
        const reference = upstreamOf(upstream, [...path, "dependsOn", index]);
        if (reference) out.push(reference);
      });
    }
    conditionReferences(trigger.conditions, [...path, "conditions"], out);
  }
  return out;
}
