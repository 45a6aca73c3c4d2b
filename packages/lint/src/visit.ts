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

/** The kinds of `FlowVisitors`, in the order walkFlow hands them out. */
const KINDS = ["flow", "task", "trigger", "typedNode", "flowReference", "schedule", "image", "pebbleReference", "scalar", "flowExit"] as const;
const SLOT_OF: ReadonlyMap<string, number> = new Map(KINDS.map((kind, slot) => [kind, slot]));
const SLOTS = KINDS.length;
const slot = (kind: keyof FlowVisitors): number => SLOT_OF.get(kind)!;
const TASK = slot("task"), TRIGGER = slot("trigger"), TYPED_NODE = slot("typedNode"), FLOW_REFERENCE = slot("flowReference"), SCHEDULE = slot("schedule");
const IMAGE = slot("image"), PEBBLE_REFERENCE = slot("pebbleReference"), SCALAR = slot("scalar"), FLOW = slot("flow"), FLOW_EXIT = slot("flowExit");

type Handler = ((part: unknown) => void) | undefined;

/**
 * Puts visitor v's handler of each kind at `table[v * SLOTS + slot]`. A visitor's handlers are
 * mostly an object literal with one or two of the ten kinds: its own keys are read, where asking
 * it for each kind by name looked up eight or nine absent properties per visitor and flow.
 */
function readHandlers(visitors: readonly { handlers: FlowVisitors }[], table: Handler[]): void {
  for (let v = 0; v < visitors.length; v++) {
    const handlers = visitors[v]!.handlers as Record<string, Handler>;
    const base = v * SLOTS;
    if (Object.getPrototypeOf(handlers) === Object.prototype) {
      for (const key in handlers) {
        const at = SLOT_OF.get(key);
        if (at !== undefined) table[base + at] = handlers[key];
      }
    } else {
      // Handlers from a class (methods on a prototype, not enumerable): asked for by name.
      for (let at = 0; at < SLOTS; at++) table[base + at] = handlers[KINDS[at]!];
    }
  }
}

/** A table readHandlers fills, kept for the next flow (a nested walk makes its own). */
let spareTable: Handler[] | undefined;

/**
 * Walks one rendered flow's model once and hands each part to every visitor that asked for it, in
 * `FlowVisitors`' order: every part of one kind to one visitor, then to the next. `call` runs a
 * visitor's handler over the parts (the engine times it and catches its errors); a part whose
 * handler throws ends that call, and the next call goes on with the parts after it.
 */
export function walkFlow<V extends { handlers: FlowVisitors }>(flow: RenderedFlow, visitors: readonly V[], call: (visitor: V, work: () => void) => void): void {
  const table = spareTable ?? [];
  spareTable = undefined;
  readHandlers(visitors, table);
  // One `work` for the whole walk, reading what to do from these: not a closure per rule and kind.
  let list: readonly unknown[] = [];
  let handler: (part: unknown) => void = (): void => {};
  let next = 0;
  const work = (): void => {
    while (next < list.length) handler(list[next++]);
  };
  const asksFor = (at: number): boolean => {
    for (let v = 0; v < visitors.length; v++) if (table[v * SLOTS + at]) return true;
    return false;
  };
  const dispatch = (kind: PartKind, at: number): void => {
    let parts: readonly unknown[] | undefined;
    for (let v = 0; v < visitors.length; v++) {
      const visit = table[v * SLOTS + at];
      if (!visit) continue;
      // The parts are read only when some visitor asks for them.
      if (parts === undefined) parts = partsOf(kind, flow);
      if (parts.length === 0) return;
      // One `call` per rule and kind (not per item); after an item whose handler throws, the next `call` goes on from the item after it.
      list = parts;
      handler = visit;
      next = 0;
      while (next < parts.length) call(visitors[v]!, work);
    }
  };
  // `flow` and `flowExit` are called as methods of the visitor's handlers, as they are read when called.
  for (let v = 0; v < visitors.length; v++) if (table[v * SLOTS + FLOW]) call(visitors[v]!, () => visitors[v]!.handlers.flow!());
  dispatch("task", TASK);
  dispatch("trigger", TRIGGER);
  dispatch("typedNode", TYPED_NODE);
  dispatch("flowReference", FLOW_REFERENCE);
  dispatch("schedule", SCHEDULE);
  // The leaves' walk also finds the images and the Pebble scalars: walked first, the flow is walked once for all three.
  if (asksFor(SCALAR)) collectLeaves(flow.document);
  dispatch("image", IMAGE);
  dispatch("pebbleReference", PEBBLE_REFERENCE);
  dispatch("scalar", SCALAR);
  for (let v = 0; v < visitors.length; v++) if (table[v * SLOTS + FLOW_EXIT]) call(visitors[v]!, () => visitors[v]!.handlers.flowExit!());
  table.fill(undefined, 0, visitors.length * SLOTS);
  spareTable = table;
}

/** One rule's visitors over one flow, without timing (the rule tester). */
export function visitFlowOnce(handlers: FlowVisitors, flow: RenderedFlow): void {
  walkFlow(flow, [{ handlers }], (_, work) => work());
}
