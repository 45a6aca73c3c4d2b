import { getHeapStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { collectingGarbage } from "./heap.js";

/** Allocates about 30 MB that nothing keeps, and returns the heap size with it. */
function leaveGarbage(): number {
  const garbage = Array.from({ length: 400_000 }, (_, index) => ({ index, text: `item ${index}` }));
  return garbage.length > 0 ? getHeapStatistics().used_heap_size : 0;
}

describe("collectingGarbage", () => {
  it("passes every item through, in order, pulling the source one item at a time", () => {
    const pulled: number[] = [];
    const source = (function* () {
      for (let i = 0; i < 3; i++) {
        pulled.push(i);
        yield i;
      }
    })();
    const seen: [number, number][] = [];
    for (const item of collectingGarbage(source)) seen.push([item, pulled.length]);
    expect(seen).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it("collects the garbage a consumer left before handing it the next item, once the heap passes the floor", () => {
    const items = collectingGarbage([1, 2], 1);
    const iterator = items[Symbol.iterator]();
    iterator.next();
    const withGarbage = leaveGarbage();
    iterator.next();
    expect(getHeapStatistics().used_heap_size).toBeLessThan(withGarbage - 10 * 2 ** 20);
  });

  it("looks at the heap only after the items the boundary accepts", () => {
    const items = collectingGarbage(["render", "end", "render"], 1, (item) => item === "end");
    const iterator = items[Symbol.iterator]();
    iterator.next();
    const withGarbage = leaveGarbage();
    iterator.next();
    // Not a boundary: the garbage is still there.
    expect(getHeapStatistics().used_heap_size).toBeGreaterThan(withGarbage - 10 * 2 ** 20);
    iterator.next();
    expect(getHeapStatistics().used_heap_size).toBeLessThan(withGarbage - 10 * 2 ** 20);
  });
});
