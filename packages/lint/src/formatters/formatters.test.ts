import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import * as ajvDraft04 from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import type { LintResult } from "../types.js";
import { formatGithub } from "./github.js";
import { formatLintResult, isLintFormat } from "./index.js";
import { formatJson } from "./json.js";
import { formatSarif } from "./sarif.js";
import { formatText } from "./text.js";

const result: LintResult = {
  diagnostics: [
    {
      rule: "missing-upstream",
      severity: "error",
      message: "Flow trigger waits for '${tenant.code}.bronze.aws_costs', which is not rendered for this tenant; the trigger would never fire",
      file: "flows/gold/report.yaml",
      line: 12,
      column: 19,
      tenants: ["acme", "globex", "initech", "umbrella", "wayne"],
      envs: ["staging"],
    },
    { rule: "unpinned-image", severity: "warning", message: "Image 'python' has no tag, so it means ':latest'", file: "flows/a.yaml", line: 6, column: 21, tenants: [] },
    { rule: "deprecated-task-type", severity: "info", message: "a, b: 100%\nnext line", file: "flows/a,b.yaml", line: 1, column: 1, tenants: [] },
  ],
  errorCount: 1,
  warningCount: 1,
  infoCount: 1,
  timings: {},
};

describe("text", () => {
  it("prints file:line:col: severity message [rule] (tenants: a, b, c, +N) and a summary", () => {
    expect(formatText(result)).toBe(
      [
        "flows/gold/report.yaml:12:19: error Flow trigger waits for '${tenant.code}.bronze.aws_costs', which is not rendered for this tenant; the trigger would never fire [missing-upstream] (tenants: acme, globex, initech, +2)",
        "flows/a.yaml:6:21: warning Image 'python' has no tag, so it means ':latest' [unpinned-image]",
        "flows/a,b.yaml:1:1: info a, b: 100%\nnext line [deprecated-task-type]",
        "3 problems (1 error, 1 warning, 1 info) in 3 files.",
        "",
      ].join("\n"),
    );
    expect(formatText({ diagnostics: [], errorCount: 0, warningCount: 0, infoCount: 0, timings: {} })).toBe("No problems found.\n");
  });
});

describe("json", () => {
  it("follows DESIGN.md's contract exactly", () => {
    const parsed = JSON.parse(formatJson(result)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["diagnostics", "errorCount", "warningCount"]);
    expect((parsed.diagnostics as Record<string, unknown>[])[0]).toEqual({
      rule: "missing-upstream",
      severity: "error",
      message: result.diagnostics[0]!.message,
      file: "flows/gold/report.yaml",
      line: 12,
      column: 19,
      tenants: ["acme", "globex", "initech", "umbrella", "wayne"],
    });
  });
});

describe("github", () => {
  it("prints one workflow command per diagnostic, escaped as GitHub's toolkit escapes", () => {
    expect(formatGithub(result).split("\n")).toEqual([
      "::error file=flows/gold/report.yaml,line=12,col=19,title=flowops missing-upstream::Flow trigger waits for '${tenant.code}.bronze.aws_costs', which is not rendered for this tenant; the trigger would never fire (tenants: acme, globex, initech, umbrella, wayne)",
      "::warning file=flows/a.yaml,line=6,col=21,title=flowops unpinned-image::Image 'python' has no tag, so it means ':latest'",
      "::notice file=flows/a%2Cb.yaml,line=1,col=1,title=flowops deprecated-task-type::a, b: 100%25%0Anext line",
      "",
    ]);
  });
});

describe("sarif", () => {
  it("is valid against the SARIF 2.1.0 JSON schema", () => {
    const require = createRequire(import.meta.url);
    const schemaPath = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as object;
    // A CommonJS module whose class is its `default` export.
    const AjvDraft04 = ajvDraft04.default as unknown as typeof ajvDraft04.default.default;
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    const log = JSON.parse(formatSarif(result)) as { version: string; runs: { results: { ruleId: string; level: string; locations: unknown[] }[]; tool: { driver: { rules: unknown[] } } }[] };
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0]!.tool.driver.rules).toHaveLength(20);
    expect(log.runs[0]!.results.map((r) => [r.ruleId, r.level])).toEqual([
      ["missing-upstream", "error"],
      ["unpinned-image", "warning"],
      ["deprecated-task-type", "note"],
    ]);
    expect(log.runs[0]!.results[0]!.locations).toEqual([
      { physicalLocation: { artifactLocation: { uri: "flows/gold/report.yaml", uriBaseId: "%SRCROOT%" }, region: { startLine: 12, startColumn: 19 } } },
    ]);
  });
});

describe("formatLintResult", () => {
  it("knows the formats by name and refuses others", () => {
    expect(isLintFormat("sarif")).toBe(true);
    expect(formatLintResult(result, "json")).toBe(formatJson(result));
    expect(() => formatLintResult(result, "xml")).toThrow(/unknown lint format 'xml'; expected one of text, json, github, sarif/);
  });
});
