import type { FlowReference } from "@flowops/flow-model";
import type { ValuePath } from "@flowops/render";
import type { FlowSummary, Rule } from "../../types.js";

interface Edge {
  /** The node the edge goes to. */
  to: number;
  /** The flow and reference where the edge is written. */
  flow: FlowSummary;
  reference: FlowReference;
}

const keyOf = (namespace: string, id: string): string => `${namespace}.${id}`;
const flowIdPath = (reference: FlowReference): ValuePath => [...reference.path, "flowId"];
const NO_EDGES: readonly Edge[] = [];

/**
 * Strongly connected components (Tarjan) of more than one node, each a list of nodes. Only nodes
 * with edges out (`starts`, in key order) start a search: a node without one is a component of its
 * own, found the same whenever it is reached, so the larger components come in the same order as
 * from a search over every node.
 */
function cycles(edges: readonly (Edge[] | undefined)[], starts: readonly number[], nodeCount: number): number[][] {
  let counter = 0;
  const index = new Int32Array(nodeCount).fill(-1);
  const low = new Int32Array(nodeCount);
  const onStack = new Uint8Array(nodeCount);
  const stack: number[] = [];
  const out: number[][] = [];
  const visit = (node: number): void => {
    index[node] = counter;
    low[node] = counter;
    counter++;
    stack.push(node);
    onStack[node] = 1;
    for (const edge of edges[node] ?? NO_EDGES) {
      const to = edge.to;
      if (index[to] === -1) {
        visit(to);
        low[node] = Math.min(low[node]!, low[to]!);
      } else if (onStack[to] === 1) {
        low[node] = Math.min(low[node]!, index[to]!);
      }
    }
    if (low[node] === index[node]) {
      const component: number[] = [];
      let member: number;
      do {
        member = stack.pop()!;
        onStack[member] = 0;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) out.push(component);
    }
  };
  for (const node of starts) if (index[node] === -1) visit(node);
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
    // Nodes are numbered; a node is one key (namespace and id joined with a dot), so another split
    // of the same key names the same node. A reference finds its target by namespace and id.
    const keys: string[] = [];
    const nodeOfKey = new Map<string, number>();
    const nodesByNamespace = new Map<string, Map<string, number>>();
    const nodeOf = (namespace: string, id: string): number => {
      const key = keyOf(namespace, id);
      let node = nodeOfKey.get(key);
      if (node === undefined) {
        nodeOfKey.set(key, (node = keys.length));
        keys.push(key);
      }
      return node;
    };
    const flowNodes = new Int32Array(flows.length);
    flows.forEach((flow, at) => {
      let byId = nodesByNamespace.get(flow.namespace);
      if (!byId) nodesByNamespace.set(flow.namespace, (byId = new Map()));
      let node = byId.get(flow.id);
      if (node === undefined) byId.set(flow.id, (node = nodeOf(flow.namespace, flow.id)));
      flowNodes[at] = node;
    });
    /** The node a reference points at, or undefined when this tenant renders no such flow. */
    const targetOf = (namespace: string, flowId: string): number | undefined => nodesByNamespace.get(namespace)?.get(flowId) ?? nodeOfKey.get(keyOf(namespace, flowId));
    const edges: (Edge[] | undefined)[] = [];
    const starts: number[] = [];
    const addEdge = (from: number, edge: Edge): void => {
      const out = edges[from];
      if (out) out.push(edge);
      else {
        edges[from] = [edge];
        starts.push(from);
      }
    };
    flows.forEach((flow, at) => {
      if (flow.references.length === 0) return;
      const self = flowNodes[at]!;
      for (const reference of flow.references) {
        // Namespace-wide upstreams are left out: in real flows they are alerting flows filtered by
        // execution status (on FAILED, anywhere under `company`), which do not restart each other.
        if (reference.dynamic || reference.flowId === undefined || reference.namespaceMatch !== "equals") continue;
        const other = targetOf(reference.namespace, reference.flowId);
        if (reference.kind === "subflow") {
          if (other === self) report({ flow, messageId: "recursiveSubflow", path: flowIdPath(reference), data: { flow: keys[self]! } });
          // An edge to or from a flow this tenant does not render cannot close a cycle.
          else if (other !== undefined) addEdge(self, { to: other, flow, reference });
        } else if (other !== undefined && other !== self) {
          addEdge(other, { to: self, flow, reference });
        }
      }
    });
    if (starts.length === 0) return;
    const byKey = (a: number, b: number): number => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0);
    for (const component of cycles(edges, starts.sort(byKey), keys.length)) {
      const members = new Set(component);
      // Walk the cycle from its first member, following edges that stay inside the component.
      const start = [...component].sort(byKey)[0]!;
      const cycle = [start];
      let first: Edge | undefined;
      let current = start;
      const visited = new Set([start]);
      for (;;) {
        const next = (edges[current] ?? []).filter((edge) => members.has(edge.to)).sort((a, b) => keys[a.to]!.localeCompare(keys[b.to]!));
        const edge = next.find((candidate) => candidate.to === start && cycle.length > 1) ?? next.find((candidate) => !visited.has(candidate.to)) ?? next[0];
        if (!edge) break;
        first ??= edge;
        cycle.push(edge.to);
        if (edge.to === start || visited.has(edge.to)) break;
        visited.add(edge.to);
        current = edge.to;
      }
      if (first) report({ flow: first.flow, messageId: "cycle", path: flowIdPath(first.reference), data: { cycle: cycle.map((node) => keys[node]!).join(" -> ") } });
    }
  },
};
