import { describe, expect, it } from "vitest";
import { OncePerString } from "./once-per-string.js";

describe("OncePerString", () => {
  it("answers true once per id and string, strings told apart by their path array, whatever order they come in", () => {
    const once = new OncePerString();
    const a = ["tasks", 0, "message"];
    const sameTextOtherString = ["tasks", 0, "message"];
    const b = ["tasks", 1, "message"];
    const asked = [
      once.first(a, "x"), once.first(a, "x"), once.first(a, "y"),
      once.first(b, "x"), once.first(b, "x"),
      once.first(a, "x"), once.first(a, "z"),
      once.first(sameTextOtherString, "x"),
      once.first(b, "y"), once.first(b, "x"),
    ];
    expect(asked).toEqual([true, false, true, true, false, false, true, true, true, false]);
  });

  it("keeps every string's ids when a flow has more strings than its list holds", () => {
    const once = new OncePerString();
    const paths = Array.from({ length: 40 }, (_, index) => ["tasks", index, "message"]);
    expect(paths.map((path) => once.first(path, "x"))).toEqual(paths.map(() => true));
    expect(paths.map((path) => once.first(path, "x"))).toEqual(paths.map(() => false));
    expect(paths.map((path, index) => once.first(path, index % 2 === 0 ? "x" : "y"))).toEqual(paths.map((_, index) => index % 2 === 1));
    expect(new OncePerString().first(paths[0]!, "x")).toBe(true);
  });
});
