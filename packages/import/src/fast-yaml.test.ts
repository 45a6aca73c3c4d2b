import { describe, expect, it } from "vitest";
import { readFlowValue } from "./fast-yaml.js";

describe("readFlowValue", () => {
  it.each([
    ["plain flow", "id: f\ncron: \"0 * * * *\"\nn: 0o17\nflag: yes\n", { id: "f", cron: "0 * * * *", n: 15, flag: "yes" }],
    ["aliases take the strict path and still read", "a: &x { k: 1 }\nb: *x\n", { a: { k: 1 }, b: { k: 1 } }],
  ])("%s", (_, text, value) => {
    expect(readFlowValue("f.yaml", text)).toEqual({ value, problems: [] });
  });

  it("reports malformed YAML and duplicate keys with file, line and column", () => {
    expect(readFlowValue("f.yaml", "tasks:\n  - id: a\n   type: b\n").problems[0]).toMatchObject({ file: "f.yaml", line: 3 });
    expect(readFlowValue("f.yaml", "id: a\nid: b\n").problems[0]).toMatchObject({ file: "f.yaml", line: 2, message: expect.stringContaining("duplicate key") });
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    expect(readFlowValue("f.yaml", bomb).problems[0]?.message).toMatch(/alias/i);
  });
});
