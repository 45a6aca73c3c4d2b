import type { ValuePath } from "@flowops/render";
import { applyPluginDefaults, CHILD_TASK_LIST_KEYS, collectTasks, collectTypedNodes, hasPebble, IF_TYPES, isMap, isOneOfTypes, stringProperty, type YamlMap } from "@flowops/flow-model";
import { INPUT_TYPES } from "@flowops/schemas";
import { KESTRA_CORE_TYPES, KESTRA_TYPE_ALIASES } from "@flowops/flow-model";
import { quoteValue } from "../../messages.js";
import type { Rule } from "../../types.js";

const CHILD_LISTS: ReadonlySet<string> = new Set(CHILD_TASK_LIST_KEYS);

/**
 * True when a schema violation sits inside a list the schema takes for child tasks but that is a
 * plugin's own property (an Azure Batch job's `tasks`): `collectTasks` knows the difference.
 */
function insideNonTaskList(path: ValuePath, taskPaths: ReadonlySet<string>): boolean {
  for (let end = 4; end <= path.length; end++) {
    const index = path[end - 1];
    const list = path[end - 2];
    if (typeof index !== "number" || typeof list !== "string" || !CHILD_LISTS.has(list)) continue;
    const prefix = path.slice(0, end);
    if (!taskPaths.has(JSON.stringify(prefix)) && !taskPaths.has(JSON.stringify([...prefix, "task"]))) return true;
  }
  return false;
}

/** Paths other rules own: the flow id (id-matches-file), namespace (namespace-pattern), labels (checked by render). */
const OWNED_ELSEWHERE = new Set(["id", "namespace", "labels"]);
/** Core flowable tasks whose `tasks` must not be empty. */
const NEEDS_TASKS = [
  "plugin.core.flow.Parallel", "plugin.core.flow.Sequential", "plugin.core.flow.EachParallel", "plugin.core.flow.EachSequential",
  "plugin.core.flow.ForEach", "plugin.core.flow.AllowFailure", "plugin.core.flow.Dag", "plugin.core.flow.LoopUntil",
  "plugin.core.flow.WaitFor", "plugin.core.flow.Loop",
  "core.tasks.flows.Parallel", "core.tasks.flows.Sequential", "core.tasks.flows.EachParallel", "core.tasks.flows.EachSequential",
  "core.tasks.flows.AllowFailure", "core.tasks.flows.Dag",
];
const WORKING_DIRECTORY = ["plugin.core.flow.WorkingDirectory", "core.tasks.flows.WorkingDirectory", "core.tasks.flows.Worker"];
const SWITCH = ["plugin.core.flow.Switch", "core.tasks.flows.Switch"];
const DAG = ["plugin.core.flow.Dag", "core.tasks.flows.Dag"];
/** Kestra's flowable (and executable) core tasks: every `plugin.core.flow` type but the runnable Sleep. */
const FLOWABLE_TYPES = new Set(
  KESTRA_CORE_TYPES.filter((type) => type.startsWith("io.kestra.plugin.core.flow.") && type !== "io.kestra.plugin.core.flow.Sleep"),
);

/** `tasks[0].retry.type` */
function pathText(path: ValuePath): string {
  return path.map((segment, index) => (typeof segment === "number" ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join("");
}

/** The schema's message, or a plainer one where ajv's union errors read badly (input types). */
function betterMessage(document: YamlMap, path: ValuePath, message: string): string {
  if (path.length === 3 && path[0] === "inputs" && path[2] === "type") {
    const inputs = document.inputs;
    const value = Array.isArray(inputs) && typeof path[1] === "number" && isMap(inputs[path[1]]) ? (inputs[path[1]] as YamlMap).type : undefined;
    return `invalid input type ${JSON.stringify(value)}; expected one of ${INPUT_TYPES.join(", ")}`;
  }
  return message;
}

type Report = (messageId: string, path: ValuePath, data?: Record<string, string | number>) => void;

function isEmptyList(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

function checkLabels(labels: unknown, report: Report): void {
  const check = (key: unknown, value: unknown, path: ValuePath): void => {
    if (typeof key === "string" && key.startsWith("system.") && key !== "system.readOnly") {
      report("systemLabel", path, { key, value: quoteValue(value, 30) });
    }
  };
  // Keys first: most flows' labels hold no `system.` key, and Object.entries made an array per label.
  if (isMap(labels)) {
    for (const key of Object.keys(labels)) if (key.startsWith("system.")) check(key, labels[key], ["labels", key]);
  }
  else if (Array.isArray(labels)) labels.forEach((label, index) => isMap(label) && check(label.key, label.value, ["labels", index, "key"]));
}

function checkInputsAndOutputs(document: YamlMap, report: Report): void {
  if (!Array.isArray(document.inputs) && !Array.isArray(document.outputs)) return;
  const inputs = Array.isArray(document.inputs) ? document.inputs : [];
  const inputIds = new Set<string>();
  inputs.forEach((input, index) => {
    const path: ValuePath = ["inputs", index];
    if (!isMap(input)) return report("wrongType", path, { property: "an input", expected: "a mapping" });
    const id = stringProperty(input, "id") ?? stringProperty(input, "name");
    if (id === undefined) report("required", path, { property: "id" });
    else if (inputIds.has(id)) report("duplicateInput", [...path, "id"], { id });
    else inputIds.add(id);
    const type = stringProperty(input, "type");
    const validator = stringProperty(input, "validator");
    if (validator !== undefined && type === "STRING") {
      try {
        new RegExp(validator);
      } catch (error) {
        report("badValidator", [...path, "validator"], { validator: quoteValue(validator, 40), reason: (error as Error).message });
      }
    }
    if (type === "ARRAY" && stringProperty(input, "itemType") === "ARRAY") report("arrayOfArray", [...path, "itemType"]);
    const defaults = input.defaults;
    if (type === "FILE" && typeof defaults === "string" && !hasPebble(defaults) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(defaults)) {
      report("fileDefault", [...path, "defaults"], { value: quoteValue(defaults, 40) });
    }
  });
  inputs.forEach((input, index) => {
    const dependsOn = isMap(input) && isMap(input.dependsOn) ? input.dependsOn.inputs : undefined;
    if (!Array.isArray(dependsOn)) return;
    dependsOn.forEach((other, position) => {
      if (typeof other === "string" && !inputIds.has(other)) report("unknownDependsOn", ["inputs", index, "dependsOn", "inputs", position], { id: other });
    });
  });
  const outputs = Array.isArray(document.outputs) ? document.outputs : [];
  const outputIds = new Set<string>();
  outputs.forEach((output, index) => {
    const path: ValuePath = ["outputs", index];
    if (!isMap(output)) return;
    const id = stringProperty(output, "id");
    if (id !== undefined && outputIds.has(id)) report("duplicateOutput", [...path, "id"], { id });
    if (id !== undefined) outputIds.add(id);
  });
}

function checkDag(task: YamlMap, path: ValuePath, report: Report): void {
  if (!Array.isArray(task.tasks)) return;
  const dependencies = new Map<string, string[]>();
  task.tasks.forEach((item, index) => {
    if (!isMap(item) || !isMap(item.task)) return;
    const id = stringProperty(item.task, "id");
    if (id === undefined) return;
    const dependsOn = Array.isArray(item.dependsOn) ? item.dependsOn.filter((d): d is string => typeof d === "string") : [];
    dependencies.set(id, dependsOn);
    void index;
  });
  task.tasks.forEach((item, index) => {
    if (!isMap(item) || !Array.isArray(item.dependsOn)) return;
    item.dependsOn.forEach((dependency, position) => {
      if (typeof dependency === "string" && !dependencies.has(dependency)) {
        report("dagUnknownDependency", [...path, "tasks", index, "dependsOn", position], { id: dependency });
      }
    });
  });
  // Kestra reports the tasks on a cycle: "Cyclic dependency detected: task1, task2".
  const state = new Map<string, "visiting" | "done">();
  const onCycle = new Set<string>();
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, "visiting");
    stack.push(id);
    for (const next of dependencies.get(id) ?? []) {
      if (state.get(next) === "visiting") stack.slice(stack.indexOf(next)).forEach((member) => onCycle.add(member));
      else if (!state.has(next) && dependencies.has(next)) visit(next);
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const id of dependencies.keys()) if (!state.has(id)) visit(id);
  if (onCycle.size > 0) report("dagCycle", [...path, "tasks"], { ids: [...onCycle].sort().join(", ") });
}

/** Every type `checkTasks` has a check for: any other task (most of them) is passed over with one lookup. */
const CHECKED_TYPES = new Set([...NEEDS_TASKS, ...IF_TYPES, ...SWITCH, ...WORKING_DIRECTORY, ...DAG].map((name) => `io.kestra.${name}`));

function checkTasks(document: YamlMap, report: Report): void {
  // The typed nodes (memoized, read by the type rules' walk) list every task with a type, in
  // collectTasks' order, with its type read once: no second read of each task's `type` here.
  for (const { node: task, path, kind, type } of collectTypedNodes(document)) {
    if (kind !== "task" || !CHECKED_TYPES.has(type)) continue;
    const id = task.id;
    if (isOneOfTypes(type, NEEDS_TASKS) && isEmptyList(task.tasks)) report("emptyTasks", task.tasks === undefined ? path : [...path, "tasks"], { where: `task '${String(id)}'` });
    if (isOneOfTypes(type, IF_TYPES) && (task.condition === undefined || task.condition === null || task.condition === "")) report("ifCondition", path, { id: String(id) });
    if (isOneOfTypes(type, IF_TYPES) && isEmptyList(task.then)) report("emptyTasks", task.then === undefined ? path : [...path, "then"], { where: `the 'then' of task '${String(id)}'` });
    if (isOneOfTypes(type, SWITCH)) {
      const cases = isMap(task.cases) ? Object.values(task.cases) : [];
      if (cases.every(isEmptyList) && isEmptyList(task.defaults) && isEmptyList(task.default)) report("switchNoTasks", path, { id: String(id) });
    }
    if (isOneOfTypes(type, WORKING_DIRECTORY)) {
      if (isEmptyList(task.tasks)) report("workingDirectoryEmpty", path, { id: String(id) });
      else if (Array.isArray(task.tasks)) {
        task.tasks.forEach((child, index) => {
          const childType = isMap(child) ? stringProperty(child, "type") : undefined;
          if (childType !== undefined && FLOWABLE_TYPES.has(KESTRA_TYPE_ALIASES.get(childType) ?? childType)) {
            report("workingDirectoryChild", [...path, "tasks", index, "type"], { type: childType });
          }
        });
      }
    }
    if (isOneOfTypes(type, DAG)) checkDag(task, path, report);
  }
  if (Array.isArray(document.listeners)) {
    document.listeners.forEach((listener, index) => {
      if (isMap(listener) && isEmptyList(listener.tasks)) report("emptyTasks", ["listeners", index], { where: "a listener" });
    });
  }
}

/**
 * A rendered flow that breaks Kestra's flow model: the checks Kestra makes on save (required
 * properties, ids, inputs, outputs, system labels, flowable tasks' children, Dag dependencies;
 * KESTRA-API.md §5), plus the flow schema from `@flowops/schemas` when the engine is given it,
 * plus each task's and trigger's own schema from a pulled Kestra flow schema.
 */
export const flowSchema: Rule = {
  meta: {
    id: "flow-schema",
    description: "A rendered flow that breaks the flow schema (missing `tasks`, wrong types, unknown properties)",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/flow-schema/README.md",
    messages: {
      notMapping: "A flow must be a YAML mapping with id, namespace and tasks",
      required: "Missing required property '{{property}}'",
      emptyTasks: "The tasks of {{where}} must not be empty",
      duplicateInput: "Duplicate input '{{id}}'; input ids must be unique",
      duplicateOutput: "Duplicate output '{{id}}'; output ids must be unique",
      badValidator: "Input validator '{{validator}}' is not a valid regular expression: {{reason}}",
      arrayOfArray: "An ARRAY input's itemType cannot be ARRAY",
      fileDefault: "A FILE input's defaults must be a file URI (e.g. 'nsfile:///data.csv'), not '{{value}}'",
      unknownDependsOn: "Input depends on '{{id}}', which is not an input of this flow",
      systemLabel: "Label '{{key}}' is reserved: labels starting with 'system.' can only be set by Kestra (except system.readOnly)",
      ifCondition: "If task '{{id}}' has no 'condition'; Kestra refuses it on save: add the expression that chooses between 'then' and 'else'",
      switchNoTasks: "Switch '{{id}}' has no task: neither its cases nor its default have any",
      workingDirectoryEmpty: "WorkingDirectory '{{id}}' needs at least one task in 'tasks'",
      workingDirectoryChild: "'{{type}}' is a flowable task; only runnable tasks are allowed as children of a WorkingDirectory",
      dagUnknownDependency: "Dag dependency '{{id}}' is not a task of this Dag",
      dagCycle: "Cyclic dependency between Dag tasks: {{ids}}",
      schema: "{{where}}{{message}}",
      pluginSchema: "{{type}}: {{message}}",
    },
  },
  checkFlow({ flow, facts, report }) {
    const emit: Report = (messageId, path, data) => report({ messageId, path, ...(data ? { data } : {}) });
    const document = flow.document as unknown;
    if (!isMap(document)) {
      emit("notMapping", []);
      return;
    }
    checkLabels(document.labels, emit);
    checkInputsAndOutputs(document, emit);
    checkTasks(document, emit);
    if (facts.flowValidator) {
      let taskPaths: Set<string> | undefined;
      for (const error of facts.flowValidator(document)) {
        taskPaths ??= new Set(collectTasks(document).map((ref) => JSON.stringify(ref.path)));
        if (insideNonTaskList(error.path, taskPaths)) continue;
        const top = error.path[0];
        if (typeof top === "string" && OWNED_ELSEWHERE.has(top) && (error.path.length === 1 || top === "labels")) continue;
        emit("schema", error.path, { where: error.path.length > 0 ? `${pathText(error.path)}: ` : "", message: betterMessage(document, error.path, error.message) });
      }
    }
    const kestraSchema = facts.kestraSchema;
    if (kestraSchema) {
      // Each plugin is validated as Kestra runs it: with its plugin defaults applied.
      for (const { node, path, type } of collectTypedNodes(applyPluginDefaults(document))) {
        for (const error of kestraSchema.validateType(type, node)) {
          emit("pluginSchema", [...path, ...error.path], { type: type.slice(type.lastIndexOf(".") + 1), message: error.message });
        }
      }
    }
  },
};
