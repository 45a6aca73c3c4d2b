import type { ValuePath } from "./types.js";

/** One flow depending on another. */
export interface FlowReference {
  /** `trigger`: a Flow trigger fires on the other flow's executions; `subflow`: a task runs it. */
  kind: "trigger" | "subflow";
  namespace: string;
  flowId: string;
  /** Where in the referencing flow's document the reference is written. */
  path: ValuePath;
}

const SUBFLOW_TYPE = /^io\.kestra\.(plugin\.core\.flow\.(Subflow|ForEachItem)|core\.tasks\.flows\.(Subflow|Flow|ForEachItem))$/;
const FLOW_TRIGGER_TYPE = /^io\.kestra\.(plugin\.core\.trigger\.Flow|core\.models\.triggers\.types\.Flow)$/;

/**
 * The flows a flow depends on: the flows its Subflow / ForEachItem tasks call (at any depth) and
 * the upstream flows of its Flow triggers (`preconditions.flows`, legacy `conditions` such as
 * ExecutionFlow or MultipleCondition, 2.0 `dependsOn`). A reference without a namespace means the
 * flow's own. References built with Pebble (`{{ }}`) are only known at run time and are left out.
 * Kestra's flow model is the same for every consumer, so deploy order, impact and the graph all
 * read dependencies here.
 */
export function flowReferences(document: unknown, ownNamespace: string): FlowReference[] {
  const found = new Map<string, FlowReference>();
  const add = (kind: FlowReference["kind"], namespace: unknown, flowId: unknown, path: ValuePath): void => {
    if (typeof flowId !== "string" || flowId.includes("{{")) return;
    const ns = typeof namespace === "string" ? namespace : ownNamespace;
    if (ns.includes("{{")) return;
    const key = `${kind}\u0000${ns}\u0000${flowId}`;
    if (!found.has(key)) found.set(key, { kind, namespace: ns, flowId, path });
  };
  const walk = (node: unknown, path: (string | number)[], inFlowTrigger: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, [...path, index], inFlowTrigger));
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    const type = typeof record.type === "string" ? record.type : undefined;
    if (type !== undefined && SUBFLOW_TYPE.test(type)) add("subflow", record.namespace, record.flowId, path);
    if (inFlowTrigger && "flowId" in record) add("trigger", record.namespace, record.flowId, path);
    const trigger = inFlowTrigger || (type !== undefined && FLOW_TRIGGER_TYPE.test(type));
    for (const [key, value] of Object.entries(record)) walk(value, [...path, key], trigger);
  };
  walk(document, [], false);
  return [...found.values()];
}
