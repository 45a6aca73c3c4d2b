import { describe, it, expect } from "vitest";
import { splitMarkdown } from "./split-markdown.js";

function fenceBalanced(part: string): boolean {
  return (part.match(/^```/gm) ?? []).length % 2 === 0;
}

describe("splitMarkdown", () => {
  it("keeps a short body whole", () => {
    expect(splitMarkdown("# hi\n\nbody", 1000)).toEqual(["# hi\n\nbody"]);
  });

  it("splits at lines, every part within the limit, no line lost", () => {
    const lines = Array.from({ length: 500 }, (_, i) => `| tenant_${i} | 1 | 2 | 3 |`);
    const parts = splitMarkdown(lines.join("\n"), 1000);
    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(1000);
    expect(parts.join("\n").split("\n")).toEqual(lines);
  });

  it("closes and reopens code fences and <details> across parts", () => {
    const diff = Array.from({ length: 300 }, (_, i) => `+  line ${i} of the rendered flow`);
    const body = ["## customer_1", "<details><summary>bronze/aws_costs</summary>", "", "```diff", ...diff, "```", "</details>", "end"].join("\n");
    const parts = splitMarkdown(body, 2000);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(2000);
      expect(fenceBalanced(part)).toBe(true);
      expect((part.match(/<details/g) ?? []).length).toBe((part.match(/<\/details>/g) ?? []).length);
    }
    expect(parts[1]!.startsWith("<details><summary>(continued)</summary>\n\n```diff")).toBe(true);
    const kept = parts.join("\n").split("\n").filter((line) => line.startsWith("+  line"));
    expect(kept).toEqual(diff);
  });

  it("cuts a single line longer than a part into pieces", () => {
    const long = "x".repeat(2500);
    const parts = splitMarkdown(`a\n${long}\nb`, 1000);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(1000);
    expect(parts.join("").replace(/\n/g, "")).toBe(`a${long}b`);
  });

  it("refuses a limit too small to hold the fence bookkeeping", () => {
    expect(() => splitMarkdown("x", 10)).toThrow(/too small/);
  });
});
