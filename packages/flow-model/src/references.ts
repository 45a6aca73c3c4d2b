import { EXECUTION_FLOW_CONDITION_TYPES, EXECUTION_NAMESPACE_CONDITION_TYPES, FLOW_CALLING_TYPE_NAMES, FLOW_TRIGGER_TYPES, isOneOfTypes } from "./kestra-types.js";
import { applyPluginDefaults } from "./plugin-defaults.js";
import { collectTasks, collectTriggers, forEachCondition } from "./tasks.js";
import { documentSlot, hasPebble, isMap, stringProperty, type ValuePath, type YamlMap } from "./values.js";

/**
 * One flow depending on others. `subflow`: a Subflow or ForEachItem task runs the target.
 * `trigger`: a Flow trigger fires on the target's executions; without `flowId` it fires on every
 * flow of a namespace (`preconditions.flows: [{namespace: x}]`, ExecutionNamespace conditions).
 * A trigger's `inputs` are data passed to the execution, never an edge, whatever keys they hold.
 */
export interface FlowReference {
  kind: "trigger" | "subflow";
  /** The namespace written, or the flow's own when none is. */
  namespace: string;
  /** Absent for a namespace-wide upstream. */
  flowId?: string;
  /** How `namespace` matches upstream namespaces: ExecutionNamespace conditions may compare by prefix or suffix. */
  namespaceMatch: "equals" | "prefix" | "suffix";
  /** True when the namespace or flow id is built with Pebble: only known at run time. */
  dynamic: boolean;
  /** Where the reference is written: the node holding `namespace`/`flowId`. */
  path: ValuePath;
}

function reference(kind: FlowReference["kind"], node: YamlMap, path: ValuePath, ownNamespace: string, namespaceMatch: FlowReference["namespaceMatch"] = "equals"): FlowReference | undefined {
  const namespace = stringProperty(node, "namespace") ?? ownNamespace;
  const flowId = stringProperty(node, "flowId");
  if (kind === "subflow" && flowId === undefined) return undefined;
  if (kind === "trigger" && stringProperty(node, "namespace") === undefined) return undefined;
  return {
    kind,
    namespace,
    ...(flowId !== undefined ? { flowId } : {}),
    namespaceMatch,
    dynamic: hasPebble(namespace) || (flowId !== undefined && hasPebble(flowId)),
    path,
  };
}

function namespaceComparison(condition: YamlMap): FlowReference["namespaceMatch"] {
  const comparison = stringProperty(condition, "comparison");
  if (comparison === "PREFIX") return "prefix";
  if (comparison === "SUFFIX") return "suffix";
  // A 0.x ExecutionNamespaceCondition wrote `prefix: true`.
  return condition.prefix === true ? "prefix" : "equals";
}

/** A document's references for the namespace it was first asked for; others (rare: one render per namespace) in `more`. */
interface NamespaceReferences {
  namespace: string;
  references: readonly FlowReference[];
  more?: Map<string, readonly FlowReference[]>;
}
const referencesByNamespace = documentSlot<NamespaceReferences>();

/**
 * Every Subflow/ForEachItem call (at any depth) and every Flow trigger upstream
 * (`preconditions.flows`, 2.0 `dependsOn`, legacy ExecutionFlow/ExecutionNamespace conditions, also
 * inside MultipleCondition, Or and Not) of a flow, after its plugin defaults are applied.
 */
export function flowReferences(document: unknown, ownNamespace: string): readonly FlowReference[] {
  if (!isMap(document)) return [];
  const known = referencesByNamespace.get(document);
  if (!known) {
    const references = readReferences(applyPluginDefaults(document), ownNamespace);
    referencesByNamespace.set(document, { namespace: ownNamespace, references });
    return references;
  }
  if (known.namespace === ownNamespace) return known.references;
  let found = known.more?.get(ownNamespace);
  if (!found) (known.more ??= new Map()).set(ownNamespace, (found = readReferences(applyPluginDefaults(document), ownNamespace)));
  return found;
}

function readReferences(document: unknown, ownNamespace: string): FlowReference[] {
  const out: FlowReference[] = [];
  for (const { task, path } of collectTasks(document)) {
    const type = task.type;
    if (typeof type !== "string" || !FLOW_CALLING_TYPE_NAMES.has(type)) continue;
    const found = reference("subflow", task, path, ownNamespace);
    if (found) out.push(found);
  }
  for (const { trigger, path } of collectTriggers(document)) {
    if (!isOneOfTypes(stringProperty(trigger, "type"), FLOW_TRIGGER_TYPES)) continue;
    const preconditions = trigger.preconditions;
    if (isMap(preconditions)) upstreams(preconditions.flows, path, "preconditions", ownNamespace, out);
    upstreams(trigger.dependsOn, path, undefined, ownNamespace, out);
    // Most Flow triggers state no legacy conditions: no path or visitor made for them.
    if (trigger.conditions === undefined) continue;
    forEachCondition(trigger.conditions, [...path, "conditions"], (condition, conditionPath) => {
      const type = stringProperty(condition, "type");
      let found: FlowReference | undefined;
      if (isOneOfTypes(type, EXECUTION_FLOW_CONDITION_TYPES)) found = reference("trigger", condition, conditionPath, ownNamespace);
      else if (isOneOfTypes(type, EXECUTION_NAMESPACE_CONDITION_TYPES)) found = reference("trigger", { namespace: condition.namespace }, conditionPath, ownNamespace, namespaceComparison(condition));
      if (found) out.push(found);
    });
  }
  return out;
}

/** A Flow trigger's upstream list (`preconditions.flows`, or `dependsOn` when `under` is undefined), each item a reference. */
function upstreams(list: unknown, triggerPath: ValuePath, under: "preconditions" | undefined, ownNamespace: string, out: FlowReference[]): void {
  if (!Array.isArray(list)) return;
  for (let index = 0; index < list.length; index++) {
    const upstream: unknown = list[index];
    if (!isMap(upstream)) continue;
    const found = reference("trigger", upstream, under ? [...triggerPath, under, "flows", index] : [...triggerPath, "dependsOn", index], ownNamespace);
    if (found) out.push(found);
  }
}

/** True when the flow `namespace`/`id` is a target of `reference`. */
export function referenceMatches(reference: FlowReference, namespace: string, id: string): boolean {
  if (reference.flowId !== undefined && reference.flowId !== id) return false;
  if (reference.namespaceMatch === "prefix") return namespace.startsWith(reference.namespace);
  if (reference.namespaceMatch === "suffix") return namespace.endsWith(reference.namespace);
  return namespace === reference.namespace;
}

/** The flows among `flows` a reference targets (a namespace-wide one may target many, never the referencing flow itself). */
export function referenceTargets<F extends { namespace: string; id: string }>(reference: FlowReference, flows: Iterable<F>, self?: { namespace: string; id: string }): F[] {
  const out: F[] = [];
  for (const flow of flows) {
    if (self && flow.namespace === self.namespace && flow.id === self.id && reference.flowId === undefined) continue;
    if (referenceMatches(reference, flow.namespace, flow.id)) out.push(flow);
  }
  return out;
}

/** A reference as one string: `namespace/flowId`, or `namespace/*` for a namespace-wide one. */
export function referenceKey(reference: FlowReference): string {
  const namespace = reference.namespaceMatch === "prefix" ? `${reference.namespace}*` : reference.namespaceMatch === "suffix" ? `*${reference.namespace}` : reference.namespace;
  return `${namespace}/${reference.flowId ?? "*"}`;
}
