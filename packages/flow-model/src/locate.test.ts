import { describe, expect, it } from "vitest";
import { parseLocatedYaml } from "./locate.js";

describe("parseLocatedYaml", () => {
  const text = [
    "id: f", // 1
    "tasks:", // 2
    "  - id: t", // 3
    "    message: |", // 4
    "      first {{ inputs.a }}", // 5
    "      then {{ inputs.a }} {{ inputs.b }}", // 6
    "    folded: >-", // 7
    "      x {{ outputs.y }}", // 8
    "    quoted: \"{{ inputs.q }}\"", // 9
    "    labels:", // 10
    "      a: b", // 11
  ].join("\n");
  const located = parseLocatedYaml(text);

  it.each([
    [["id"], undefined, 1, 5],
    [["tasks", 0, "labels"], undefined, 10, 5],
    [["tasks", 0, "missing"], undefined, 3, 5],
    [["tasks", 0, "message"], undefined, 4, 14],
    [["tasks", 0, "message"], { index: 9, text: "inputs.a" }, 5, 16],
    [["tasks", 0, "message"], { index: 29, text: "inputs.a" }, 6, 15],
    [["tasks", 0, "message"], { index: 41, text: "inputs.b" }, 6, 30],
    [["tasks", 0, "folded"], { index: 5, text: "outputs.y" }, 8, 12],
    [["tasks", 0, "quoted"], { index: 3, text: "inputs.q" }, 9, 17],
  ] as const)("%j %j is at %i:%i", (path, within, line, column) => {
    expect(located.locate(path, within)).toEqual({ line, column });
  });
});

describe("parseLocatedYaml, parsed on first use", () => {
  it("parses once, and each file locates in its own text", () => {
    const one = parseLocatedYaml("a: 1\nb: 2\n");
    const other = parseLocatedYaml("# comment\n\nb: 2\n");
    expect(other.locate(["b"])).toEqual({ line: 3, column: 4 });
    expect(one.locate(["b"])).toEqual({ line: 2, column: 4 });
    expect(one.document).toBe(one.document);
    expect(one.lineCounter).toBe(one.lineCounter);
    expect(one.document.toJS()).toEqual({ a: 1, b: 2 });
    expect(other.lineCounter.lineStarts).toEqual([0, 10, 11, 16]);
  });
});
