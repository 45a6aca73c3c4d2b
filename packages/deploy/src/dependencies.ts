import { flowReferences, referenceTargets } from "@flowops/flow-model";

export interface GraphNode<T> {
  key: string;
  value: T;
  /** Keys this node waits for; keys not in the graph are ignored. */
  after: readonly string[];
}

export type NodeOutcome = { ok: true } | { ok: false; error: string };

/**
 * Runs every node once, at most `concurrency` at a time, each only after the nodes it waits for
 * have finished. A node whose prerequisite failed is not run: `onBlocked` reports it. Cycles are
 * broken by running the stuck node with the fewest unfinished prerequisites.
 */
export async function runInDependencyOrder<T>(
  nodes: readonly GraphNode<T>[],
  concurrency: number,
  run: (node: GraphNode<T>) => Promise<NodeOutcome>,
  onBlocked: (node: GraphNode<T>, failedPrerequisites: string[]) => void,
): Promise<Map<string, boolean>> {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const waitingOn = new Map<string, Set<string>>();
  const dependents = new Map<string, string[]>();
  for (const node of nodes) {
    const prerequisites = new Set(node.after.filter((k) => k !== node.key && byKey.has(k)));
    waitingOn.set(node.key, prerequisites);
    for (const prerequisite of prerequisites) {
      const list = dependents.get(prerequisite) ?? [];
      list.push(node.key);
      dependents.set(prerequisite, list);
    }
  }
  const failedPrerequisites = new Map<string, string[]>();
  const outcome = new Map<string, boolean>();
  const ready: string[] = nodes.filter((n) => waitingOn.get(n.key)!.size === 0).map((n) => n.key);
  const queued = new Set(ready);
  let active = 0;

  return new Promise((resolve, reject) => {
    const finish = (key: string, ok: boolean): void => {
      outcome.set(key, ok);
      for (const dependent of dependents.get(key) ?? []) {
        if (outcome.has(dependent) || queued.has(dependent)) continue;
        const waiting = waitingOn.get(dependent)!;
        waiting.delete(key);
        if (!ok) failedPrerequisites.set(dependent, [...(failedPrerequisites.get(dependent) ?? []), key]);
        if (waiting.size === 0) release(dependent);
      }
    };
    const release = (key: string): void => {
      const failed = failedPrerequisites.get(key);
      if (failed && failed.length > 0) {
        onBlocked(byKey.get(key)!, failed);
        finish(key, false);
      } else {
        queued.add(key);
        ready.push(key);
      }
    };
    const pump = (): void => {
      while (active < concurrency && ready.length > 0) {
        const key = ready.shift()!;
        active++;
        run(byKey.get(key)!)
          .then((result) => {
            active--;
            finish(key, result.ok);
            pump();
          })
          .catch((error: unknown) => reject(error));
      }
      if (active === 0 && ready.length === 0) {
        const stuck = nodes.filter((n) => !outcome.has(n.key) && !queued.has(n.key));
        if (stuck.length === 0) return resolve(outcome);
        stuck.sort((a, b) => waitingOn.get(a.key)!.size - waitingOn.get(b.key)!.size);
        const first = stuck[0]!;
        waitingOn.get(first.key)!.clear();
        release(first.key);
        pump();
      }
    };
    pump();
  });
}

/**
 * The flows a flow must wait for, as `namespace/id` keys: its subflows and its Flow triggers'
 * upstreams (flow-model's references). A namespace-wide upstream waits for every flow of `known`
 * in that namespace; a reference built with Pebble is only known at run time and gives no order.
 */
export function dependencyKeys(document: unknown, flow: { namespace: string; id: string }, known: Iterable<{ namespace: string; id: string }>): string[] {
  const keys = new Set<string>();
  // Read only for a namespace-wide or pattern reference (most name their flow), and copied only
  // when not already an array: a plan asks this for every flow, with every flow as `known`.
  let knownFlows: readonly { namespace: string; id: string }[] | undefined;
  for (const reference of flowReferences(document, flow.namespace)) {
    if (reference.dynamic) continue;
    if (reference.flowId !== undefined && reference.namespaceMatch === "equals") keys.add(`${reference.namespace}/${reference.flowId}`);
    else for (const target of referenceTargets(reference, (knownFlows ??= Array.isArray(known) ? known : [...known]), flow)) keys.add(`${target.namespace}/${target.id}`);
  }
  keys.delete(`${flow.namespace}/${flow.id}`);
  return [...keys];
}
