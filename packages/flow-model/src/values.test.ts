import { describe, expect, it } from "vitest";
import { applyPluginDefaults } from "./plugin-defaults.js";
import { collectTasks } from "./tasks.js";
import { BoundedStringCache, documentSlot, forgetDocument, hasPebble, memoized } from "./values.js";

describe("documentSlot and memoized", () => {
  it("keep one result per document and per slot, computed once", () => {
    const first = documentSlot<string>();
    const second = documentSlot<string>();
    const a = {};
    const b = {};
    first.set(a, "first of a");
    second.set(a, "second of a");
    expect([first.get(a), second.get(a), first.get(b), second.get(b)]).toEqual(["first of a", "second of a", undefined, undefined]);
    let calls = 0;
    const keys = memoized((document) => {
      calls++;
      return Object.keys(document as object);
    });
    const document = { x: 1 };
    expect(keys(document)).toBe(keys(document));
    expect(keys({ y: 2 })).toEqual(["y"]);
    expect(calls).toBe(2);
    expect(first.get(document)).toBeUndefined();
  });

  it("forgetDocument drops every slot of that document only; a later reader computes again", () => {
    const slot = documentSlot<string>();
    const kept = {};
    const forgotten = {};
    slot.set(kept, "kept");
    slot.set(forgotten, "forgotten");
    let calls = 0;
    const keys = memoized((document) => {
      calls++;
      return Object.keys(document as object);
    });
    keys(forgotten);
    forgetDocument(forgotten);
    expect([slot.get(kept), slot.get(forgotten)]).toEqual(["kept", undefined]);
    keys(forgotten);
    expect(calls).toBe(2);
  });

  it("forgetDocument also forgets a document derived from it, and that one's results", () => {
    const keys = memoized((document) => Object.keys(document as object));
    const derive = memoized((document) => ({ ...(document as object), derived: true }), { derivesDocument: true });
    const same = memoized((document) => document, { derivesDocument: true });
    const document = { x: 1 };
    const derived = derive(document) as object;
    expect(same(document)).toBe(document);
    const derivedKeys = keys(derived);
    expect(keys(derived)).toBe(derivedKeys);
    forgetDocument(document);
    expect(derive(document)).not.toBe(derived);
    expect(keys(derived)).not.toBe(derivedKeys);
  });

  it("forgets the flow with its plugin defaults applied with the flow", () => {
    const flow = {
      id: "f",
      namespace: "acme",
      tasks: [{ id: "t", type: "io.kestra.plugin.core.log.Log" }],
      pluginDefaults: [{ type: "io.kestra.plugin.core.log.Log", values: { level: "WARN" } }],
    };
    const applied = applyPluginDefaults(flow) as object;
    expect(applied).not.toBe(flow);
    const tasks = collectTasks(applied);
    expect(collectTasks(applied)).toBe(tasks);
    forgetDocument(flow);
    expect(collectTasks(applied)).not.toBe(tasks);
    expect(applyPluginDefaults(flow)).not.toBe(applied);
  });
});

describe("hasPebble", () => {
  it.each([
    ["{{ inputs.x }}", true],
    ["a {% if x %}b{% endif %}", true],
    ["{ {x} }", false],
    ["{", false],
    ["x{", false],
    ["{x}{{", true],
    ["{ %", false],
    ["${tenant.code}", false],
    ["", false],
  ])("%j: %s", (value, expected) => {
    expect(hasPebble(value)).toBe(expected);
  });
});

describe("BoundedStringCache", () => {
  it("computes each string once and answers each string with its own result", () => {
    const computed: string[] = [];
    const cache = new BoundedStringCache((key) => {
      computed.push(key);
      return key.toUpperCase();
    });
    expect([cache.get("a"), cache.get("b"), cache.get("a"), cache.get("b")]).toEqual(["A", "B", "A", "B"]);
    expect(computed).toEqual(["a", "b"]);
  });

  it("keeps an undefined result as an answer", () => {
    let calls = 0;
    const cache = new BoundedStringCache<undefined>(() => {
      calls++;
      return undefined;
    });
    cache.get("x");
    cache.get("x");
    expect(calls).toBe(1);
  });

  it("never holds more than its entry and character limits, and stays right after dropping its entries", () => {
    const cache = new BoundedStringCache((key) => key.length, 3, 10);
    for (const key of ["a", "b", "c", "d", "e"]) cache.get(key);
    expect(cache.size).toBeLessThanOrEqual(3);
    cache.get("123456789");
    expect(cache.size).toBe(1);
    expect(cache.get("a")).toBe(1);
    expect(cache.get("12345678901")).toBe(11);
    expect(cache.size).toBeLessThanOrEqual(2);
  });
});
