import { describe, expect, it } from "vitest";
import { SmallMap } from "./small-map.js";

describe("SmallMap", () => {
  it("answers the same before and after it outgrows its list: last set wins, firstOrAdd keeps the first", () => {
    const map = new SmallMap<object, number>(3);
    const keys = Array.from({ length: 8 }, () => ({}));
    keys.forEach((key, index) => expect(map.firstOrAdd(key, index)).toBeUndefined());
    keys.forEach((key, index) => expect(map.firstOrAdd(key, -1)).toBe(index));
    map.set(keys[0]!, 100);
    expect(map.get(keys[0]!)).toBe(100);
    expect(map.get({})).toBeUndefined();

    const small = new SmallMap<object, number>(3);
    small.set(keys[0]!, 1);
    small.set(keys[0]!, 2);
    expect([small.get(keys[0]!), small.get(keys[1]!)]).toEqual([2, undefined]);
  });
});
