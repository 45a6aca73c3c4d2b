import { parseAllDocuments } from "yaml";

/** One constraint violation, as Kestra lists them in `_embedded.errors`. */
export interface Violation {
  message: string;
  path: string;
}

export type ParsedFlow = { ok: true; doc: Record<string, unknown> } | { ok: false; violations: Violation[] };

const ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const TASK_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
const TYPE_PATTERN = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;

/** Top-level properties of a Flow (KESTRA-API.md §5.1, 1.x plus 2.0 additions). */
const FLOW_PROPERTIES = new Set([
  "id", "namespace", "revision", "description", "labels", "inputs", "outputs", "variables", "tasks", "errors", "finally",
  "afterExecution", "listeners", "triggers", "pluginDefaults", "taskDefaults", "concurrency", "retry", "sla", "disabled",
  "deleted", "workerGroup", "checks", "tenantId",
]);

const TASK_LIST_KEYS = ["tasks", "errors", "finally", "afterExecution"];

/**
 * Parses a flow body like Kestra's `GenericFlow.fromYaml` + `FlowService` (KESTRA-API.md §2.3):
 * strict duplicate-key detection, one document only, unknown properties rejected (when
 * `strict`), identifiers checked, tasks required, duplicate task/trigger ids, system labels and
 * self-recursive subflows rejected.
 */
export function parseFlowSource(source: string, options: { strict: boolean; knownTypePrefixes: readonly string[] }): ParsedFlow {
  if (source.trim() === "") return { ok: false, violations: [{ path: "yaml", message: "Illegal argument: flow source must not be blank" }] };
  let docs;
  try {
    docs = parseAllDocuments(source, { uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    return { ok: false, violations: [{ path: "yaml", message: `Illegal genericflow source: ${(error as Error).message}` }] };
  }
  if (!Array.isArray(docs) || docs.length !== 1) {
    return { ok: false, violations: [{ path: "yaml", message: "Illegal genericflow source: expected exactly one YAML document" }] };
  }
  const document = docs[0]!;
  const problem = document.errors[0];
  if (problem) {
    const duplicate = problem.code === "DUPLICATE_KEY" ? /"?([^"\s]+)"?\s*$/.exec(String(problem.message).split(":")[0] ?? "") : null;
    const message = problem.code === "DUPLICATE_KEY" ? `Duplicate field '${duplicateKeyName(source, problem.pos[0]) ?? duplicate?.[1] ?? "?"}'` : problem.message;
    return { ok: false, violations: [{ path: "yaml", message: `Illegal genericflow source: ${message}` }] };
  }
  const value: unknown = document.toJS({ maxAliasCount: 100 });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, violations: [{ path: "yaml", message: "Illegal genericflow source: a flow must be a YAML mapping" }] };
  }
  const doc = value as Record<string, unknown>;
  const violations: Violation[] = [];
  if (options.strict) {
    for (const key of Object.keys(doc)) {
      if (!FLOW_PROPERTIES.has(key)) {
        violations.push({ path: key, message: `Unrecognized field "${key}" (class io.kestra.core.models.flows.Flow), not marked as ignorable` });
      }
    }
  }
  checkIdentifier(doc.id, "id", ID_PATTERN, 100, violations);
  checkIdentifier(doc.namespace, "namespace", NAMESPACE_PATTERN, 150, violations);
  if (!Array.isArray(doc.tasks) || doc.tasks.length === 0) violations.push({ path: "tasks", message: "must not be empty" });

  const flowProblems: string[] = [];
  const taskIds: string[] = [];
  for (const key of TASK_LIST_KEYS) collectTasks(doc[key], key, taskIds, violations, options.knownTypePrefixes, doc, flowProblems);
  const duplicateTasks = duplicates(taskIds);
  if (duplicateTasks.length > 0) flowProblems.push(`Duplicate task id with name [${duplicateTasks.join(", ")}]`);
  const triggerIds: string[] = [];
  if (Array.isArray(doc.triggers)) {
    doc.triggers.forEach((trigger, index) => {
      if (!isRecord(trigger)) return;
      if (typeof trigger.id === "string") triggerIds.push(trigger.id);
      checkType(trigger.type, `triggers[${index}].type`, violations, options.knownTypePrefixes);
    });
  }
  const duplicateTriggers = duplicates(triggerIds);
  if (duplicateTriggers.length > 0) flowProblems.push(`Duplicate trigger id with name [${duplicateTriggers.join(", ")}]`);
  for (const [key, labelValue] of labelPairs(doc.labels)) {
    if (key.startsWith("system.") && key !== "system.readOnly") {
      flowProblems.push(`System labels can only be set by Kestra itself, offending label: ${key}=${labelValue}`);
    }
  }
  if (flowProblems.length > 0) violations.push({ path: "flow", message: `Invalid Flow: ${flowProblems.join(", ")}` });
  return violations.length > 0 ? { ok: false, violations } : { ok: true, doc };
}

function duplicateKeyName(source: string, offset: number): string | undefined {
  return /^\s*["']?([^"':\n]+)["']?\s*:/.exec(source.slice(offset))?.[1];
}

function checkIdentifier(value: unknown, path: string, pattern: RegExp, maxLength: number, violations: Violation[]): void {
  if (typeof value !== "string" || value === "") violations.push({ path, message: "must not be null" });
  else if (!pattern.test(value)) violations.push({ path, message: `must match "${pattern.source.replace(/\$$/, "")}"` });
  else if (value.length > maxLength) violations.push({ path, message: `size must be between 1 and ${maxLength}` });
}

function checkType(type: unknown, path: string, violations: Violation[], knownTypePrefixes: readonly string[]): void {
  if (typeof type !== "string" || !TYPE_PATTERN.test(type) || !knownTypePrefixes.some((prefix) => type.startsWith(prefix))) {
    violations.push({ path, message: `Invalid type: ${String(type)}` });
  }
}

/** Walks tasks at any depth: every list of mappings with a `type` under a task is a task list. */
function collectTasks(
  list: unknown,
  path: string,
  ids: string[],
  violations: Violation[],
  knownTypePrefixes: readonly string[],
  flow: Record<string, unknown>,
  flowProblems: string[],
): void {
  if (!Array.isArray(list)) return;
  list.forEach((task, index) => {
    const here = `${path}[${index}]`;
    if (!isRecord(task)) return;
    if (typeof task.id !== "string" || !TASK_ID_PATTERN.test(task.id)) violations.push({ path: `${here}.id`, message: `must match "${TASK_ID_PATTERN.source.replace(/\$$/, "")}"` });
    else ids.push(task.id);
    checkType(task.type, `${here}.type`, violations, knownTypePrefixes);
    if (typeof task.type === "string" && /\.(Subflow|ForEachItem|flows\.Flow)$/.test(task.type) && task.namespace === flow.namespace && task.flowId === flow.id) {
      flowProblems.push(`Recursive call to flow [${String(flow.namespace)}.${String(flow.id)}]`);
    }
    for (const [key, child] of Object.entries(task)) {
      if (Array.isArray(child) && child.some((item) => isRecord(item) && "type" in item)) {
        collectTasks(child, `${here}.${key}`, ids, violations, knownTypePrefixes, flow, flowProblems);
      } else if (isRecord(child) && key === "cases") {
        for (const [caseKey, caseTasks] of Object.entries(child)) collectTasks(caseTasks, `${here}.cases.${caseKey}`, ids, violations, knownTypePrefixes, flow, flowProblems);
      }
    }
  });
}

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) (seen.has(value) ? repeated : seen).add(value);
  return [...repeated];
}

/** Labels in either form (map or list of `{key, value}`) as pairs of strings. */
export function labelPairs(labels: unknown): [string, string][] {
  if (Array.isArray(labels)) {
    return labels.filter(isRecord).map((label) => [String(label.key), String(label.value)]);
  }
  if (isRecord(labels)) return Object.entries(labels).map(([key, value]) => [key, String(value)]);
  return [];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
