import type { FlowReference } from "@flowops/flow-model";
import type { ValuePath } from "@flowops/render";
import type { FlowSummary, Rule } from "../../types.js";

interface Edge {
  to: string;
  /** The flow and reference where the edge is written. */
  flow: FlowSummary;
  reference: FlowReference;
}

const keyOf = (namespace: string, id: string): string => `${namespace}.${id}`;
const flowIdPath = (reference: FlowReference): ValuePath => [...reference.path, "flowId"];

/**
 * Strongly connected components (Tarjan) of more than one node, each a list of node keys. Only
 * nodes with edges out start a search: a node without one is a component of its own, found the same
 * whenever it is reached, so the larger components come in the same order as from a search over
 * every node.
 */
function cycles(edges: ReadonlyMap<string, readonly Edge[]>): string[][] {
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
      if (component.length > 1) out.push(component);
    }
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
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
    // Each flow's node key, built once; a reference finds its target's key by namespace and id.
    const keysByNamespace = new Map<string, Map<string, string>>();
    for (const flow of flows) {
      let byId = keysByNamespace.get(flow.namespace);
      if (!byId) keysByNamespace.set(flow.namespace, (byId = new Map()));
      if (!byId.has(flow.id)) byId.set(flow.id, keyOf(flow.namespace, flow.id));
    }
    let flowKeys: Set<string> | undefined;
    /** The node a reference points at, or undefined when this tenant renders no such flow. */
    const targetOf = (namespace: string, flowId: string): string | undefined => {
      const key = keysByNamespace.get(namespace)?.get(flowId);
      if (key !== undefined) return key;
      // Keys join namespace and id with a dot, so another split of the same key names the same node.
      const joined = keyOf(namespace, flowId);
      flowKeys ??= new Set([...keysByNamespace.values()].flatMap((byId) => [...byId.values()]));
      return flowKeys.has(joined) ? joined : undefined;
    };
    const edges = new Map<string, Edge[]>();
    const addEdge = (from: string, edge: Edge): void => {
      const out = edges.get(from);
      if (out) out.push(edge);
      else edges.set(from, [edge]);
    };
    for (const flow of flows) {
      if (flow.references.length === 0) continue;
      const self = keysByNamespace.get(flow.namespace)!.get(flow.id)!;
      for (const reference of flow.references) {
        // Namespace-wide upstreams are left out: in real flows they are alerting flows filtered by
        // execution status (on FAILED, anywhere under `company`), which do not restart each other.
        if (reference.dynamic || reference.flowId === undefined || reference.namespaceMatch !== "equals") continue;
        const other = targetOf(reference.namespace, reference.flowId);
        if (reference.kind === "subflow") {
          if (other === self) report({ flow, messageId: "recursiveSubflow", path: flowIdPath(reference), data: { flow: self } });
          // An edge to or from a flow this tenant does not render cannot close a cycle.
          else if (other !== undefined) addEdge(self, { to: other, flow, reference });
        } else if (other !== undefined && other !== self) {
          addEdge(other, { to: self, flow, reference });
        }
      }
    }
    if (edges.size === 0) return;
    for (const component of cycles(edges)) {
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
      if (first) report({ flow: first.flow, messageId: "cycle", path: flowIdPath(first.reference), data: { cycle: cycle.join(" -> ") } });
    }
  },
};
