// The straightforward model reader `walkFlow` must match item for item: every collector written
// as plainly as possible (no memo, no shared walk, no frozen-subtree reuse), for the equivalence
// test (visit-equivalence.test.ts). Keep it plain: it is the specification, not the fast path.
import {
  EXECUTION_FLOW_CONDITION_TYPES,
  EXECUTION_NAMESPACE_CONDITION_TYPES,
  FLOW_TRIGGER_TYPES,
  FOREACH_ITEM_TYPES,
  hasPebble,
  isCoreType,
  isMap,
  isOneOfTypes,
  pebbleExpressions,
  pluginDefaultsOf,
  PLUGIN_TYPE,
  SCHEDULE_ON_DATES_TRIGGER_TYPES,
  SCHEDULE_TRIGGER_TYPES,
  SUBFLOW_TYPES,
  type FlowReference,
  type ImageRef,
  type KeyedScalar,
  type PebbleReference,
  type PebbleRoot,
  type PebbleScalar,
  type ScheduleRef,
  type TaskRef,
  type TriggerRef,
  type TypedRef,
  type YamlMap,
} from "@flowops/flow-model";

type Path = (string | number)[];

function str(map: YamlMap, key: string): string | undefined {
  const value = map[key];
  return typeof value === "string" ? value : undefined;
}

export function referenceTasks(document: unknown): TaskRef[] {
  const out: TaskRef[] = [];
  const fromList = (list: unknown, path: Path, listName: string, depth: number, parent?: TaskRef): void => {
    if (!Array.isArray(list)) return;
    const underCoreType = isCoreType(parent ? str(parent.task, "type") : undefined);
    list.forEach((item: unknown, index) => {
      if (!isMap(item)) return;
      if (depth > 0 && !underCoreType && !(typeof item.type === "string" && PLUGIN_TYPE.test(item.type)) && !isMap(item.task)) return;
      if (isMap(item.task) && item.type === undefined) task(item.task, [...path, index, "task"], listName, depth, parent);
      else task(item, [...path, index], listName, depth, parent);
    });
  };
  const task = (node: YamlMap, path: Path, listName: string, depth: number, parent?: TaskRef): void => {
    const ref: TaskRef = parent ? { task: node, path, list: listName, depth, parent } : { task: node, path, list: listName, depth };
    out.push(ref);
    for (const key of ["tasks", "then", "else", "cases", "defaults", "errors", "finally", "afterExecution"]) {
      const children = node[key];
      if (key === "cases") {
        if (isMap(children)) for (const caseKey of Object.keys(children)) fromList(children[caseKey], [...path, "cases", caseKey], "cases", depth + 1, ref);
      } else if (Array.isArray(children) && children.length > 0) fromList(children, [...path, key], key, depth + 1, ref);
    }
  };
  if (!isMap(document)) return out;
  for (const key of ["tasks", "errors", "finally", "afterExecution"]) fromList(document[key], [key], key, 0);
  if (Array.isArray(document.listeners)) {
    document.listeners.forEach((listener: unknown, index) => {
      if (isMap(listener)) fromList(listener.tasks, ["listeners", index, "tasks"], "listeners", 0);
    });
  }
  return out;
}

export function referenceTriggers(document: unknown): TriggerRef[] {
  if (!isMap(document) || !Array.isArray(document.triggers)) return [];
  const out: TriggerRef[] = [];
  document.triggers.forEach((trigger: unknown, index) => {
    if (isMap(trigger)) out.push({ trigger, path: ["triggers", index] });
  });
  return out;
}

function conditions(value: unknown, path: Path, visit: (condition: YamlMap, path: Path) => void): void {
  const one = (condition: unknown, at: Path): void => {
    if (!isMap(condition)) return;
    visit(condition, at);
    conditions(condition.conditions, [...at, "conditions"], visit);
  };
  if (Array.isArray(value)) value.forEach((condition, index) => one(condition, [...path, index]));
  else if (isMap(value)) for (const [key, condition] of Object.entries(value)) one(condition, [...path, key]);
}

export function referenceTypedNodes(document: unknown): TypedRef[] {
  const out: TypedRef[] = [];
  const condition = (node: YamlMap, path: Path): void => {
    const type = str(node, "type");
    if (type !== undefined) out.push({ node, path, kind: "condition", type });
  };
  for (const { task, path } of referenceTasks(document)) {
    const type = str(task, "type");
    if (type !== undefined) out.push({ node: task, path, kind: "task", type });
    if (isMap(task.taskRunner)) {
      const runnerType = str(task.taskRunner, "type");
      if (runnerType !== undefined) out.push({ node: task.taskRunner, path: [...path, "taskRunner"], kind: "taskRunner", type: runnerType });
    }
  }
  for (const { trigger, path } of referenceTriggers(document)) {
    const type = str(trigger, "type");
    if (type !== undefined) out.push({ node: trigger, path, kind: "trigger", type });
    conditions(trigger.conditions, [...path, "conditions"], condition);
    conditions(trigger.scheduleConditions, [...path, "scheduleConditions"], condition);
  }
  if (isMap(document) && Array.isArray(document.listeners)) {
    document.listeners.forEach((listener: unknown, index) => {
      if (isMap(listener)) conditions(listener.conditions, ["listeners", index, "conditions"], condition);
    });
  }
  return out;
}

function merge(under: unknown, over: unknown): unknown {
  if (!isMap(under) || !isMap(over)) return over === undefined ? under : over;
  const out: Record<string, unknown> = { ...under };
  for (const [key, value] of Object.entries(over)) out[key] = merge(under[key], value);
  return out;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, clone(child)]));
  return value;
}

function withDefaults(document: unknown): unknown {
  const defaults = pluginDefaultsOf(document);
  if (defaults.length === 0) return document;
  const copy = clone(document);
  for (const { node, type } of referenceTypedNodes(copy)) {
    const target = node as Record<string, unknown>;
    let merged: Record<string, unknown> = { ...target };
    for (const pluginDefault of defaults) {
      const applies = type === pluginDefault.type || type.startsWith(pluginDefault.type.endsWith(".") ? pluginDefault.type : `${pluginDefault.type}.`);
      if (applies) merged = (pluginDefault.forced ? merge(merged, pluginDefault.values) : merge(pluginDefault.values, merged)) as Record<string, unknown>;
    }
    for (const [key, value] of Object.entries(merged)) target[key] = value;
  }
  return copy;
}

export function referenceFlowReferences(original: unknown, ownNamespace: string): FlowReference[] {
  if (!isMap(original)) return [];
  const document = withDefaults(original);
  const out: FlowReference[] = [];
  const push = (kind: FlowReference["kind"], node: YamlMap, path: Path, match: FlowReference["namespaceMatch"] = "equals"): void => {
    const namespace = str(node, "namespace") ?? ownNamespace;
    const flowId = str(node, "flowId");
    if (kind === "subflow" && flowId === undefined) return;
    if (kind === "trigger" && str(node, "namespace") === undefined) return;
    out.push({ kind, namespace, ...(flowId !== undefined ? { flowId } : {}), namespaceMatch: match, dynamic: hasPebble(namespace) || (flowId !== undefined && hasPebble(flowId)), path });
  };
  for (const { task, path } of referenceTasks(document)) {
    const type = str(task, "type");
    if (isOneOfTypes(type, SUBFLOW_TYPES) || isOneOfTypes(type, FOREACH_ITEM_TYPES)) push("subflow", task, path as Path);
  }
  for (const { trigger, path } of referenceTriggers(document)) {
    if (!isOneOfTypes(str(trigger, "type"), FLOW_TRIGGER_TYPES)) continue;
    const preconditions = trigger.preconditions;
    if (isMap(preconditions) && Array.isArray(preconditions.flows)) {
      preconditions.flows.forEach((upstream: unknown, index) => isMap(upstream) && push("trigger", upstream, [...path, "preconditions", "flows", index]));
    }
    if (Array.isArray(trigger.dependsOn)) trigger.dependsOn.forEach((upstream: unknown, index) => isMap(upstream) && push("trigger", upstream, [...path, "dependsOn", index]));
    conditions(trigger.conditions, [...path, "conditions"], (condition, at) => {
      const type = str(condition, "type");
      if (isOneOfTypes(type, EXECUTION_FLOW_CONDITION_TYPES)) push("trigger", condition, at);
      else if (isOneOfTypes(type, EXECUTION_NAMESPACE_CONDITION_TYPES)) {
        const comparison = str(condition, "comparison");
        const match = comparison === "PREFIX" ? "prefix" : comparison === "SUFFIX" ? "suffix" : condition.prefix === true ? "prefix" : "equals";
        push("trigger", { namespace: condition.namespace }, at, match);
      }
    });
  }
  return out;
}

export function referenceSchedules(document: unknown): ScheduleRef[] {
  const out: ScheduleRef[] = [];
  referenceTriggers(withDefaults(document)).forEach(({ trigger, path }, index) => {
    const type = str(trigger, "type");
    if (!isOneOfTypes(type, SCHEDULE_TRIGGER_TYPES) && !isOneOfTypes(type, SCHEDULE_ON_DATES_TRIGGER_TYPES)) return;
    out.push({
      triggerId: str(trigger, "id") ?? `#${index}`,
      type: type!,
      ...("cron" in trigger ? { cron: trigger.cron } : {}),
      ...("timezone" in trigger ? { timezone: trigger.timezone } : {}),
      ...("dates" in trigger ? { dates: trigger.dates } : {}),
      path,
    });
  });
  return out;
}

/** Images: a walk of each task, trigger and plugin default's values, never into a child task. */
export function referenceImages(document: unknown): ImageRef[] {
  const out: ImageRef[] = [];
  const tasks = referenceTasks(document);
  const owners = new Set<unknown>(tasks.map((ref) => ref.task));
  const walk = (node: unknown, path: Path, root: boolean): void => {
    if (!root && owners.has(node)) return;
    if (Array.isArray(node)) node.forEach((child, index) => walk(child, [...path, index], false));
    else if (isMap(node)) {
      for (const key of Object.keys(node)) {
        const value = node[key];
        if ((key === "image" || key === "containerImage") && typeof value === "string") out.push({ image: value, path: [...path, key] });
        else if (typeof value === "object" && value !== null) walk(value, [...path, key], false);
      }
    }
  };
  for (const { task, path } of tasks) walk(task, [...path], true);
  for (const { trigger, path } of referenceTriggers(document)) walk(trigger, [...path], true);
  if (isMap(document)) {
    for (const key of ["pluginDefaults", "taskDefaults"]) {
      const list = document[key];
      if (Array.isArray(list)) list.forEach((entry: unknown, index) => isMap(entry) && walk(entry.values, [key, index, "values"], true));
    }
  }
  return out;
}

/** Pebble scalars Kestra renders in the flow's own context, and the scalars `watch` picks, in document order. */
export function referenceScalars(document: unknown, watch: (value: unknown, key: string | number | undefined) => boolean): { pebble: PebbleScalar[]; watched: KeyedScalar[] } {
  const otherContext = new Set<unknown>();
  for (const { task } of referenceTasks(document)) if (isOneOfTypes(str(task, "type"), SUBFLOW_TYPES)) otherContext.add(task.outputs);
  const pebble: PebbleScalar[] = [];
  const watched: KeyedScalar[] = [];
  const visit = (node: unknown, path: Path, key: string | number | undefined, rendered: boolean): void => {
    if (Array.isArray(node)) node.forEach((child, index) => visit(child, [...path, index], index, rendered));
    else if (typeof node === "object" && node !== null) {
      const renderedHere = rendered && !otherContext.has(node);
      for (const childKey of Object.keys(node)) {
        const renderedChild = renderedHere && !["description", "pluginDefaults", "taskDefaults"].includes(childKey) && !(path.length === 0 && childKey === "triggers");
        visit((node as Record<string, unknown>)[childKey], [...path, childKey], childKey, renderedChild);
      }
    } else {
      if (rendered && typeof node === "string" && hasPebble(node)) pebble.push({ value: node, path });
      if (watch(node, key)) watched.push({ value: node as KeyedScalar["value"], key, path });
    }
  };
  visit(document, [], undefined, true);
  return { pebble, watched };
}

const GUARD = /^\s*(?:(?:\.\s*[\w-]+|\[[^\]]*\])\s*)*(?:\?\?|(?:\|\s*\w+\s*(?:\([^)]*\))?\s*)*\|\s*default\b|is\s+(?:not\s+)?(?:defined|null|empty)\b)/;

export function referencePebbleReferences(document: unknown, root: PebbleRoot): PebbleReference[] {
  const out: PebbleReference[] = [];
  const dotted = new RegExp(`(?<![\\w.\\]'"])${root}\\s*\\.\\s*([A-Za-z0-9_][\\w-]*(?:\\.[A-Za-z0-9_][\\w-]*)*)`, "g");
  const bracket = new RegExp(`(?<![\\w.\\]'"])${root}\\s*\\[\\s*['"]([^'"]+)['"]\\s*\\]`, "g");
  for (const scalar of referenceScalars(document, () => false).pebble) {
    for (const expression of pebbleExpressions(scalar.value)) {
      const code = expression.code.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, (literal) =>
        /^['"][\w-]+['"]$/.test(literal) ? literal : literal[0] + " ".repeat(literal.length - 2) + literal[0],
      );
      const found: PebbleReference[] = [];
      for (const [pattern, isBracket] of [[dotted, false], [bracket, true]] as const) {
        for (const match of code.matchAll(pattern)) {
          const end = match.index + match[0].length;
          found.push({ root, key: match[1] ?? "", bracket: isBracket, guarded: GUARD.test(code.slice(end)), path: scalar.path, index: expression.start + match.index, text: match[0] });
        }
      }
      out.push(...found.sort((a, b) => a.index - b.index));
    }
  }
  return out;
}



const CREDENTIAL_KEY_ENDINGS = [
  "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "accesskey", "secretkey",
  "privatekey", "clientsecret", "serviceaccount", "credentials", "sastoken", "connectionstring",
];

/** The scalars `collectLeaves` keeps (leaves.ts), as first written. */
export function referenceIsWatched(value: unknown, key: string | number | undefined): boolean {
  if (typeof key === "string") {
    const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, "");
    if (key === "namespace" || CREDENTIAL_KEY_ENDINGS.some((ending) => normalized.endsWith(ending))) return true;
  }
  if (typeof value !== "string") return false;
  if (value.includes("kv(")) return true;
  if (typeof key === "number" && /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)+$/.test(value)) return true;
  return value.length >= 12 && /AKIA|ASIA|PRIVATE KEY|gh[pousr]_|xox[abposr]-|:\/\/[^\s/@:]+:[^\s/@]+@/.test(value);
}
