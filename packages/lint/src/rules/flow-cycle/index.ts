import type { ValuePath } from "@flowops/render";
import type { FlowSummary, Rule } from "../../types.js";

interface Edge {
  to: string;
  /** The flow and path where the edge is written. */
  flow: FlowSummary;
  path: ValuePath;
}

const keyOf = (namespace: string, id: string): string => `${namespace}.${id}`;

/** Strongly connected components (Tarjan), each a list of node keys. */
function stronglyConnected(nodes: readonly string[], edges: ReadonlyMap<string, readonly Edge[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const edge of edges.get(node) ?? []) {
      if (!index.has(edge.to)) {
        visit(edge.to);
        low.set(node, Math.min(low.get(node)!, low.get(edge.to)!));
      } else if (onStack.has(edge.to)) {
        low.set(node, Math.min(low.get(node)!, index.get(edge.to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      out.push(component);
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return out;
}

/**
 * Flows that trigger each other in a cycle, per tenant: a Subflow call or a Flow trigger upstream
 * is an edge. Kestra itself only refuses a Subflow calling its own flow (KESTRA-API.md §5.3); a
 * Flow trigger on its own flow never fires, so it is no cycle.
 */
export const flowCycle: Rule = {
  meta: {
    id: "flow-cycle",
    description: "Flows that trigger each other in a cycle",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/flow-cycle/README.md",
    messages: {
      cycle: "Flows trigger each other in a cycle: '{{cycle}}'; each run would start the next forever",
      recursiveSubflow: "Flow '{{flow}}' calls itself as a Subflow; Kestra refuses recursive calls",
    },
  },
  checkTenantFlows({ flows, report }) {
    const byKey = new Map(flows.map((flow) => [keyOf(flow.namespace, flow.id), flow]));
    const edges = new Map<string, Edge[]>();
    const addEdge = (from: string, edge: Edge): void => {
      if (!byKey.has(from) || !byKey.has(edge.to)) return;
      edges.set(from, [...(edges.get(from) ?? []), edge]);
    };
    for (const flow of flows) {
      const self = keyOf(flow.namespace, flow.id);
      for (const reference of flow.references) {
        // Namespace-wide upstreams are left out: in real flows they are alerting flows filtered by
        // execution status (on FAILED, anywhere under `company`), which do not restart each other.
        if (reference.dynamic || reference.flowId === undefined || reference.namespaceMatch !== "equals") continue;
        const other = keyOf(reference.namespace, reference.flowId);
        const path = [...reference.path, "flowId"];
        if (reference.kind === "subflow") {
          if (other === self) report({ flow, messageId: "recursiveSubflow", path, data: { flow: self } });
          else addEdge(self, { to: other, flow, path });
        } else if (other !== self) {
          addEdge(other, { to: self, flow, path });
        }
      }
    }
    const nodes = [...byKey.keys()].sort();
    for (const component of stronglyConnected(nodes, edges)) {
      if (component.length < 2) continue;
      const members = new Set(component);
      // Walk the cycle from its first member, following edges that stay inside the component.
      const start = [...component].sort()[0]!;
      const cycle = [start];
      let first: Edge | undefined;
      let current = start;
      const visited = new Set([start]);
      for (;;) {
        const next = (edges.get(current) ?? []).filter((edge) => members.has(edge.to)).sort((a, b) => a.to.localeCompare(b.to));
        const edge = next.find((candidate) => candidate.to === start && cycle.length > 1) ?? next.find((candidate) => !visited.has(candidate.to)) ?? next[0];
        if (!edge) break;
        first ??= edge;
        cycle.push(edge.to);
        if (edge.to === start || visited.has(edge.to)) break;
        visited.add(edge.to);
        current = edge.to;
      }
      if (first) report({ flow: first.flow, messageId: "cycle", path: first.path, data: { cycle: cycle.join(" -> ") } });
    }
  },
};
