import {
  collectImages,
  collectPebbleReferences,
  collectSchedules,
  collectTasks,
  collectTriggers,
  collectTypedNodes,
  flowReferences,
} from "@flowops/flow-model";
import type { RenderedFlow } from "@flowops/render";
import { collectLeaves } from "./leaves.js";
import type { FlowVisitors } from "./types.js";

/**
 * Walks one rendered flow's model once and hands each part to every visitor that asked for it, in
 * `FlowVisitors`' order: every part of one kind to one visitor, then to the next. `call` runs a
 * visitor's handler over the parts (the engine times it and catches its errors); a part whose
 * handler throws ends that call, and the next call goes on with the parts after it.
 */
export function walkFlow<V extends { handlers: FlowVisitors }>(flow: RenderedFlow, visitors: readonly V[], call: (visitor: V, work: () => void) => void): void {
  const document = flow.document;
  const dispatch = <K extends Exclude<keyof FlowVisitors, "flow" | "flowExit">>(kind: K, items: () => readonly Parameters<NonNullable<FlowVisitors[K]>>[0][]): void => {
    if (!visitors.some((visitor) => visitor.handlers[kind])) return;
    const list = items();
    if (list.length === 0) return;
    for (const visitor of visitors) {
      const handler = visitor.handlers[kind] as ((arg: unknown) => void) | undefined;
      if (!handler) continue;
      // One `call` per rule and kind (not per item); after an item whose handler throws, the next `call` goes on from the item after it.
      let next = 0;
      while (next < list.length) {
        call(visitor, () => {
          while (next < list.length) handler(list[next++]);
        });
      }
    }
  };
  for (const visitor of visitors) if (visitor.handlers.flow) call(visitor, () => visitor.handlers.flow!());
  dispatch("task", () => collectTasks(document));
  dispatch("trigger", () => collectTriggers(document));
  dispatch("typedNode", () => collectTypedNodes(document));
  dispatch("flowReference", () => flowReferences(document, flow.namespace));
  dispatch("schedule", () => collectSchedules(document));
  // The leaves' walk also finds the images and the Pebble scalars: walked first, the flow is walked once for all three.
  if (visitors.some((visitor) => visitor.handlers.scalar)) collectLeaves(document);
  dispatch("image", () => collectImages(document));
  dispatch("pebbleReference", () => [...collectPebbleReferences(document, "outputs"), ...collectPebbleReferences(document, "inputs")]);
  dispatch("scalar", () => collectLeaves(document));
  for (const visitor of visitors) if (visitor.handlers.flowExit) call(visitor, () => visitor.handlers.flowExit!());
}

/** One rule's visitors over one flow, without timing (the rule tester). */
export function visitFlowOnce(handlers: FlowVisitors, flow: RenderedFlow): void {
  walkFlow(flow, [{ handlers }], (_, work) => work());
}
