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

type PartKind = Exclude<keyof FlowVisitors, "flow" | "flowExit">;

/** The parts of one kind of a flow, read by `@flowops/flow-model` (memoized per document). */
function partsOf(kind: PartKind, flow: RenderedFlow): readonly unknown[] {
  const document = flow.document;
  switch (kind) {
    case "task":
      return collectTasks(document);
    case "trigger":
      return collectTriggers(document);
    case "typedNode":
      return collectTypedNodes(document);
    case "flowReference":
      return flowReferences(document, flow.namespace);
    case "schedule":
      return collectSchedules(document);
    case "image":
      return collectImages(document);
    case "pebbleReference": {
      const outputs = collectPebbleReferences(document, "outputs");
      const inputs = collectPebbleReferences(document, "inputs");
      return inputs.length === 0 ? outputs : outputs.length === 0 ? inputs : outputs.concat(inputs);
    }
    case "scalar":
      return collectLeaves(document);
  }
}

function asksFor(visitors: readonly { handlers: FlowVisitors }[], kind: PartKind): boolean {
  for (const visitor of visitors) if (visitor.handlers[kind]) return true;
  return false;
}

/**
 * Walks one rendered flow's model once and hands each part to every visitor that asked for it, in
 * `FlowVisitors`' order: every part of one kind to one visitor, then to the next. `call` runs a
 * visitor's handler over the parts (the engine times it and catches its errors); a part whose
 * handler throws ends that call, and the next call goes on with the parts after it.
 */
export function walkFlow<V extends { handlers: FlowVisitors }>(flow: RenderedFlow, visitors: readonly V[], call: (visitor: V, work: () => void) => void): void {
  // One `work` for the whole walk, reading what to do from these: not a closure per rule and kind.
  let list: readonly unknown[] = [];
  let handler: (part: unknown) => void = () => {};
  let next = 0;
  const work = (): void => {
    while (next < list.length) handler(list[next++]);
  };
  const dispatch = (kind: PartKind): void => {
    let parts: readonly unknown[] | undefined;
    for (const visitor of visitors) {
      const visit = visitor.handlers[kind] as ((part: unknown) => void) | undefined;
      if (!visit) continue;
      // The parts are read only when some visitor asks for them.
      if (parts === undefined) parts = partsOf(kind, flow);
      if (parts.length === 0) return;
      // One `call` per rule and kind (not per item); after an item whose handler throws, the next `call` goes on from the item after it.
      list = parts;
      handler = visit;
      next = 0;
      while (next < parts.length) call(visitor, work);
    }
  };
  for (const visitor of visitors) if (visitor.handlers.flow) call(visitor, () => visitor.handlers.flow!());
  dispatch("task");
  dispatch("trigger");
  dispatch("typedNode");
  dispatch("flowReference");
  dispatch("schedule");
  // The leaves' walk also finds the images and the Pebble scalars: walked first, the flow is walked once for all three.
  if (asksFor(visitors, "scalar")) collectLeaves(flow.document);
  dispatch("image");
  dispatch("pebbleReference");
  dispatch("scalar");
  for (const visitor of visitors) if (visitor.handlers.flowExit) call(visitor, () => visitor.handlers.flowExit!());
}

/** One rule's visitors over one flow, without timing (the rule tester). */
export function visitFlowOnce(handlers: FlowVisitors, flow: RenderedFlow): void {
  walkFlow(flow, [{ handlers }], (_, work) => work());
}
