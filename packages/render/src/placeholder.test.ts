import { describe, expect, it } from "vitest";
import { internalized, parsePlaceholders } from "./placeholder.js";

describe("internalized", () => {
  it.each(["code", "__proto__", "constructor", "0", "01", "4294967295", "a-b", "Søren", ""])("returns the same string for %j", (name) => {
    expect(internalized(name)).toBe(name);
  });

  it("leaves placeholder paths as written, index-like and prototype segments included", () => {
    const parts = parsePlaceholders("${tenant.vars.regions.0}/${tenant.__proto__.x}");
    expect(parts.filter((p) => p.kind === "path").map((p) => p.path)).toEqual([
      ["tenant", "vars", "regions", "0"],
      ["tenant", "__proto__", "x"],
    ]);
  });
});
