import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandIO } from "../io.js";
import { tenantCommand } from "./tenant.js";

function platform(): string {
  const dir = mkdtempSync(join(tmpdir(), "flowops-tenant-add-"));
  const files: Record<string, string> = {
    "flowops.config.yaml": "tenantVarsSchema: schemas/vars.json\nenvironments:\n  staging: {}\n",
    "schemas/vars.json": JSON.stringify({ type: "object", required: ["currency", "regions"], properties: { currency: { enum: ["EUR", "USD"], description: "Reporting currency" }, regions: { type: "array", items: { type: "string" } } } }),
    "flows/silver/usage.yaml": "tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: ${tenant.vars.currency} ${tenant.schedule}\n",
    "tenants/acme.yaml": "code: acme\nschedule: \"0 1 * * *\"\nvars: { currency: EUR, regions: [eu-west-1] }\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function io(cwd: string): CommandIO & { err: string[]; out: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTTY: true, env: {}, cwd, out, err };
}

describe("tenant add on a terminal", () => {
  it("asks for what the vars schema and the templates require, reads answers as YAML, and asks again after a bad one", async () => {
    const dir = platform();
    const questions: string[] = [];
    const answers = ["USD", "[us-east-1, bad", "[us-east-1, us-west-2]", "30 2 * * *"];
    const terminal = io(dir);
    const code = await tenantCommand(["add", "globex"], terminal, async (question) => {
      questions.push(question);
      return answers.shift()!;
    });
    expect(code, terminal.err.join("")).toBe(0);
    expect(questions).toEqual([
      'vars.currency (Reporting currency; one of "EUR", "USD"): ',
      "vars.regions (array): ",
      "vars.regions (array): ",
      "schedule (the templates read ${tenant.schedule}; string): ",
    ]);
    expect(terminal.err.join("")).toContain("not YAML");
    expect(readFileSync(join(dir, "tenants/globex.yaml"), "utf8")).toBe(
      '# globex: added by flowops tenant add.\ncode: globex\nenvironments: [staging]\nschedule: "30 2 * * *"\nvars:\n  currency: USD\n  regions: [us-east-1, us-west-2]\n',
    );
  });

  it("asks nothing when the flags give everything", async () => {
    const dir = platform();
    const asked: string[] = [];
    const code = await tenantCommand(["add", "beta", "--set", "vars.currency=EUR", "--set", "vars.regions=[eu-north-1]", "--set", "schedule=0 4 * * *"], io(dir), async (q) => {
      asked.push(q);
      return "";
    });
    expect(code).toBe(0);
    expect(asked).toEqual([]);
  });
});
