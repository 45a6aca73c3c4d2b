import { isRecord } from "./classify.js";

/** A flow's dependency on another flow. */
export interface FlowReference {
  /** `trigger`: a Flow trigger fires on the other flow's executions; `subflow`: a task runs it. */
  kind: "trigger" | "subflow";
  namespace: string;
  flowId: string;
}

const FLOW_TRIGGER_TYPE = /(^|\.)Flow$/;

/**
 * The flows a flow depends on: upstream flows of its Flow triggers (`preconditions.flows`, and the
 * legacy `conditions` with `namespace` + `flowId`) and the flows its Subflow / ForEachItem tasks
 * call. References computed at run time (Pebble `{{ }}`) cannot be known and are left out.
 */
export function flowReferences(document: Readonly<Record<string, unknown>>, ownNamespace: string): FlowReference[] {
  const references: FlowReference[] = [];
  const seen = new Set<string>();
  const add = (kind: FlowReference["kind"], namespace: unknown, flowId: unknown): void => {
    if (typeof flowId !== "string" || flowId.includes("{{")) return;
    const ns = typeof namespace === "string" ? namespace : ownNamespace;
    if (ns.includes("{{")) return;
    const key = `${kind}\0${ns}\0${flowId}`;
    if (seen.has(key)) return;
    seen.add(key);
    references.push({ kind, namespace: ns, flowId });
  };

  const triggers = document["triggers"];
  if (Array.isArray(triggers)) {
    for (const trigger of triggers) {
      if (!isRecord(trigger) || typeof trigger["type"] !== "string" || !FLOW_TRIGGER_TYPE.test(trigger["type"])) continue;
      walk(trigger, (node) => add("trigger", node["namespace"], node["flowId"]));
    }
  }
  for (const [key, value] of Object.entries(document)) {
    if (key === "triggers") continue;
    walk(value, (node) => {
      if (typeof node["type"] === "string") add("subflow", node["namespace"], node["flowId"]);
    });
  }
  return references;
}

function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (isRecord(value)) {
    visit(value);
    for (const child of Object.values(value)) walk(child, visit);
  }
}
