import { compareFlows } from "./diff.js";
import { flowReferences, referenceKey, referenceTargets } from "@flowops/flow-model";
import type { DiffableFlow, ImpactReport } from "./types.js";

export interface FlowGraphNode {
  /** `<namespace>/<id>`. */
  key: string;
  namespace: string;
  id: string;
  /** True for a flow that is referenced but not rendered for this tenant (or belongs to another). */
  external: boolean;
}

export interface FlowGraphEdge {
  /** Upstream flow: the one whose execution triggers, or the caller of a subflow. */
  from: string;
  to: string;
  kind: "trigger" | "subflow";
}

export interface FlowGraph {
  tenant: string | null;
  env: string;
  namespaces: { namespace: string; nodes: FlowGraphNode[] }[];
  edges: FlowGraphEdge[];
}

/**
 * A tenant's flows in one environment (default: the first env among the flows) and the
 * dependencies between them: `a -> b (trigger)` when a finished execution of `a` triggers `b`,
 * `a -> b (subflow)` when `a` runs `b` as a subflow. Nodes are grouped by namespace. With `focus`
 * (keys `<namespace>/<id>`), only those flows and their direct neighbours are kept.
 */
export function graph(flows: readonly DiffableFlow[], options: { tenant: string | null; env?: string; focus?: readonly string[] }): FlowGraph {
  const env = options.env ?? flows.find((flow) => flow.tenant === options.tenant)?.env ?? "";
  const own = flows.filter((flow) => flow.tenant === options.tenant && flow.env === env).sort(compareFlows);
  const nodes = new Map<string, FlowGraphNode>();
  for (const flow of own) nodes.set(`${flow.namespace}/${flow.id}`, { key: `${flow.namespace}/${flow.id}`, namespace: flow.namespace, id: flow.id, external: false });
  const edges: FlowGraphEdge[] = [];
  for (const flow of own) {
    const self = `${flow.namespace}/${flow.id}`;
    for (const reference of flowReferences(flow.document, flow.namespace)) {
      if (reference.dynamic) continue;
      // A namespace-wide upstream is an edge from each of this tenant's flows there; with none, one external node stands for the namespace.
      const targets = reference.flowId !== undefined && reference.namespaceMatch === "equals" ? [] : referenceTargets(reference, own, flow);
      const others =
        targets.length > 0
          ? targets.map((target) => `${target.namespace}/${target.id}`)
          : [reference.flowId !== undefined && reference.namespaceMatch === "equals" ? `${reference.namespace}/${reference.flowId}` : referenceKey(reference)];
      for (const other of others) {
        if (!nodes.has(other)) nodes.set(other, { key: other, namespace: reference.namespace, id: other.slice(other.lastIndexOf("/") + 1), external: true });
        edges.push(reference.kind === "trigger" ? { from: other, to: self, kind: "trigger" } : { from: self, to: other, kind: "subflow" });
      }
    }
  }
  const seen = new Set<string>();
  let keptEdges = edges.filter((edge) => {
    const key = `${edge.from}\0${edge.to}\0${edge.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  let keptNodes = [...nodes.values()];
  if (options.focus) {
    const focus = new Set(options.focus);
    keptEdges = keptEdges.filter((edge) => focus.has(edge.from) || focus.has(edge.to));
    const keep = new Set([...focus, ...keptEdges.flatMap((edge) => [edge.from, edge.to])]);
    keptNodes = keptNodes.filter((node) => keep.has(node.key));
  }
  const byNamespace = new Map<string, FlowGraphNode[]>();
  for (const node of keptNodes) {
    const list = byNamespace.get(node.namespace);
    if (list) list.push(node);
    else byNamespace.set(node.namespace, [node]);
  }
  const namespaces = [...byNamespace.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([namespace, list]) => ({ namespace, nodes: list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) }));
  keptEdges.sort((a, b) => (a.from + a.to + a.kind < b.from + b.to + b.kind ? -1 : 1));
  return { tenant: options.tenant, env, namespaces, edges: keptEdges };
}

/** Mermaid `flowchart LR`: one subgraph per namespace; `highlight` keys are drawn as changed. */
export function formatGraphMermaid(flowGraph: FlowGraph, options: { highlight?: readonly string[] } = {}): string {
  const ids = nodeIds(flowGraph);
  const highlight = new Set(options.highlight ?? []);
  const lines = ["flowchart LR"];
  flowGraph.namespaces.forEach(({ namespace, nodes }, index) => {
    lines.push(`  subgraph ns${index}["${escapeMermaid(namespace)}"]`);
    for (const node of nodes) lines.push(`    ${ids.get(node.key)}${node.external ? `[/"${escapeMermaid(node.id)}"/]` : `["${escapeMermaid(node.id)}"]`}`);
    lines.push("  end");
  });
  for (const edge of flowGraph.edges) lines.push(`  ${ids.get(edge.from)} ${edge.kind === "trigger" ? "-->|trigger|" : "-.->|subflow|"} ${ids.get(edge.to)}`);
  const changed = [...highlight].map((key) => ids.get(key)).filter((id) => id !== undefined);
  if (changed.length > 0) {
    lines.push("  classDef changed fill:#fff3cd,stroke:#d39e00,stroke-width:2px");
    lines.push(`  class ${changed.join(",")} changed`);
  }
  return `${lines.join("\n")}\n`;
}

/** Graphviz DOT: one cluster per namespace; subflow calls dashed, external flows dotted. */
export function formatGraphDot(flowGraph: FlowGraph): string {
  const ids = nodeIds(flowGraph);
  const lines = [`digraph "${escapeDot(flowGraph.tenant ?? "flows")}" {`, "  rankdir=LR;", "  node [shape=box];"];
  flowGraph.namespaces.forEach(({ namespace, nodes }, index) => {
    lines.push(`  subgraph cluster_${index} {`, `    label="${escapeDot(namespace)}";`);
    for (const node of nodes) lines.push(`    ${ids.get(node.key)} [label="${escapeDot(node.id)}"${node.external ? ", style=dotted" : ""}];`);
    lines.push("  }");
  });
  for (const edge of flowGraph.edges) {
    lines.push(`  ${ids.get(edge.from)} -> ${ids.get(edge.to)} [label="${edge.kind}"${edge.kind === "subflow" ? ", style=dashed" : ""}];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** The graph as one JSON document. */
export function formatGraphJson(flowGraph: FlowGraph): string {
  return `${JSON.stringify(flowGraph, null, 2)}\n`;
}

function nodeIds(flowGraph: FlowGraph): Map<string, string> {
  const ids = new Map<string, string>();
  for (const { nodes } of flowGraph.namespaces) for (const node of nodes) ids.set(node.key, `f${ids.size}`);
  return ids;
}

function escapeMermaid(text: string): string {
  return text.replace(/"/g, "#quot;");
}

function escapeDot(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/**
 * The affected part of one tenant's graph, from an impact report alone: its changed flows
 * (removed ones included) and the downstream flows they impact, with the links between them.
 */
export function impactGraph(report: ImpactReport, options: { tenant: string | null; env: string }): FlowGraph {
  const nodes = new Map<string, FlowGraphNode>();
  const add = (namespace: string, id: string) => nodes.set(`${namespace}/${id}`, { key: `${namespace}/${id}`, namespace, id, external: false });
  const edges: FlowGraphEdge[] = [];
  for (const flow of report.impacted) {
    if (flow.tenant !== options.tenant || flow.env !== options.env) continue;
    add(flow.namespace, flow.id);
    const self = `${flow.namespace}/${flow.id}`;
    for (const link of flow.links) {
      const slash = link.flow.lastIndexOf("/");
      if (!nodes.has(link.flow)) add(link.flow.slice(0, slash), link.flow.slice(slash + 1));
      edges.push(link.kind === "trigger" ? { from: link.flow, to: self, kind: "trigger" } : { from: self, to: link.flow, kind: "subflow" });
    }
  }
  const byNamespace = new Map<string, FlowGraphNode[]>();
  for (const node of [...nodes.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const list = byNamespace.get(node.namespace);
    if (list) list.push(node);
    else byNamespace.set(node.namespace, [node]);
  }
  edges.sort((a, b) => (a.from + a.to + a.kind < b.from + b.to + b.kind ? -1 : 1));
  return {
    tenant: options.tenant,
    env: options.env,
    namespaces: [...byNamespace.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([namespace, list]) => ({ namespace, nodes: list })),
    edges,
  };
}
