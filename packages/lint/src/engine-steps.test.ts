import { buildRepository, render, renderSteps, type RenderStep, type RenderStepStream } from "@flowops/render";
import { describe, expect, it } from "vitest";
import { lintRepository } from "./engine.js";
import { formatLintResult } from "./formatters/index.js";
import { ALL_RULES } from "./registry.js";
import type { FlowSummary, Rule } from "./types.js";

const log = (id: string, message = "x") => `  - id: ${id}\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;
const subflow = (id: string, namespace: string, flowId: string) => `  - id: ${id}\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${namespace}\n    flowId: ${flowId}\n`;

/** Findings of every kind of rule, render problems, a duplicate flow with a finding of its own, a tenant in one environment. */
const FILES: Record<string, string> = {
  "flowops.config.yaml": "environments:\n  staging: { vars: { bucket: s3-stg, paging: false } }\n  production: { vars: { bucket: s3-prd, paging: true } }\n",
  "flows/bronze/costs.yaml": `tasks:\n${log("l")}${log("l")}${log("region", "${tenant.vars.region}")}`,
  "flows/bronze/paging.yaml": `tasks:\n${log("l", "${env.vars.bucket}")}  - $when: env.vars.paging\n    id: l\n    type: io.kestra.plugin.core.log.Log\n    message: page\n`,
  "flows/bronze/again.yaml": `id: costs\ntasks:\n${log("d")}${log("d")}`,
  "flows/silver/calls.yaml": `tasks:\n${subflow("call", "${tenant.code}.bronze", "missing")}${subflow("loop", "${tenant.code}.silver", "back")}`,
  "flows/silver/back.yaml": `tasks:\n${subflow("call", "${tenant.code}.silver", "calls")}`,
  "tenants/acme.yaml": "code: acme\nvars: { region: eu }\n",
  "tenants/beta.yaml": "code: beta\nenvironments: [staging]\nvars: { region: us }\n",
  "tenants/gamma.yaml": "code: gamma\nvars: {}\n",
};

function repository() {
  return buildRepository({ root: "/virtual", files: new Map(Object.entries(FILES)), hasTenantsFolder: true });
}

describe("lintRepository over renderSteps", () => {
  it("gives the same diagnostics, byte for byte, as over the collected render", () => {
    const repo = repository();
    const collected = formatLintResult(lintRepository(repo, render(repo, { shareEnvironments: false })), "json");
    const rules = new Set((JSON.parse(collected) as { diagnostics: { rule: string }[] }).diagnostics.map((d) => d.rule));
    expect([...rules].sort()).toEqual(["duplicate-flow", "duplicate-task-id", "flow-cycle", "id-matches-file", "missing-upstream", "unknown-placeholder"]);
    expect(formatLintResult(lintRepository(repo, renderSteps(repo)), "json")).toBe(collected);
    expect(formatLintResult(lintRepository(repo, renderSteps(repo, { shareEnvironments: false })), "json")).toBe(collected);
    for (const options of [{ envs: ["production", "qa"] }, { tenants: ["gamma", "beta"] }]) {
      expect(formatLintResult(lintRepository(repo, renderSteps(repo, options)), "sarif")).toBe(formatLintResult(lintRepository(repo, render(repo, options)), "sarif"));
    }
  });

  it("lints each render before asking for the next, and gives cross-flow rules every tenant's deployable flows in environment order", () => {
    const repo = repository();
    const stream = renderSteps(repo);
    let pulled = 0;
    const counted: RenderStepStream = {
      ...stream,
      steps: (function* (): Generator<RenderStep> {
        for (const step of stream.steps) {
          if (step.kind === "render") pulled++;
          yield step;
        }
      })(),
    };
    const linted: number[] = [];
    const groups: string[] = [];
    const rules: Rule[] = [
      { meta: { ...ALL_RULES[0]!.meta, id: "order" }, checkFlow: () => void linted.push(pulled) },
      { meta: { ...ALL_RULES[0]!.meta, id: "groups" }, checkTenantFlows: ({ env, tenant, flows }) => void groups.push(`${tenant}/${env}: ${flows.map((f: FlowSummary) => f.id).join(" ")}`) },
    ];
    lintRepository(repo, counted, { rules });
    // The n-th render is linted while it is the last one pulled.
    expect(linted).toEqual(linted.map((_, index) => index + 1));
    expect(pulled).toBe(linted.length);
    // costs.yaml renders what again.yaml (first by path) renders: linted, but left out of the index.
    expect(groups).toEqual([
      "acme/staging: costs paging back calls",
      "acme/production: costs paging back calls",
      "beta/staging: costs paging back calls",
      "gamma/staging: costs paging back calls",
      "gamma/production: costs paging back calls",
    ]);
  });
});

/** Two environments, no template reading `env.*`: cross-flow findings (a cycle, a missing Subflow target, one into another tenant's namespace). */
const SHARED: Record<string, string> = {
  "flowops.config.yaml": "environments:\n  staging: {}\n  production: {}\n",
  "flows/silver/calls.yaml": `tasks:\n${subflow("call", "${tenant.code}.bronze", "missing")}${subflow("loop", "${tenant.code}.silver", "back")}${subflow("other", "beta.silver", "gone")}`,
  "flows/silver/back.yaml": `tasks:\n${subflow("call", "${tenant.code}.silver", "calls")}`,
  "flows/bronze/costs.yaml": `tasks:\n${log("l")}`,
  "tenants/acme.yaml": "code: acme\n",
  "tenants/beta.yaml": "code: beta\n",
};

describe("cross-flow rules over environments that deploy the same renders", () => {
  const lintOf = (files: Record<string, string>, rules?: Rule[]) => {
    const repo = buildRepository({ root: "/virtual", files: new Map(Object.entries(files)), hasTenantsFolder: true });
    return { repo, result: lintRepository(repo, renderSteps(repo), rules ? { rules } : {}) };
  };
  const calls = (files: Record<string, string>) => {
    const groups: string[] = [];
    const rules: Rule[] = [
      {
        meta: { ...ALL_RULES[0]!.meta, id: "groups" },
        checkTenantFlows: ({ env, envs, tenant, flows }) => void groups.push(`${tenant}/${envs.join(",")}: ${flows.map((f: FlowSummary) => `${f.id}@${f.env}`).join(" ")} (${env})`),
      },
    ];
    lintOf(files, rules);
    return groups;
  };

  it("runs once per tenant for every environment alike, and reports its findings in each", () => {
    expect(calls(SHARED)).toEqual([
      "acme/staging,production: costs@staging back@staging calls@staging (staging)",
      "beta/staging,production: costs@staging back@staging calls@staging (staging)",
    ]);
    const { repo, result } = lintOf(SHARED);
    const json = formatLintResult(result, "json");
    expect(json).toBe(formatLintResult(lintRepository(repo, render(repo, { shareEnvironments: false })), "json"));
    expect(formatLintResult(result, "sarif")).toBe(formatLintResult(lintRepository(repo, render(repo, { shareEnvironments: false })), "sarif"));
    const crossFlow = result.diagnostics.filter((d) => ["flow-cycle", "missing-upstream"].includes(d.rule));
    expect(crossFlow.map((d) => `${d.rule} ${d.file}:${d.line} ${d.tenants.join(",")} ${d.envs?.join(",")}`)).toEqual([
      "flow-cycle flows/silver/back.yaml:5 acme,beta production,staging",
      "missing-upstream flows/silver/calls.yaml:5 acme,beta production,staging",
      "missing-upstream flows/silver/calls.yaml:13 beta production,staging",
      "missing-upstream flows/silver/calls.yaml:13 acme production,staging",
    ]);
  });

  it("reports a finding in the environments it is in, as if run environment by environment", () => {
    // beta deploys to production only: acme's call into beta.silver is judged there alone.
    const files = { ...SHARED, "tenants/beta.yaml": "code: beta\nenvironments: [production]\n" };
    expect(calls(files)).toEqual(["acme/staging,production: costs@staging back@staging calls@staging (staging)", "beta/production: costs@production back@production calls@production (production)"]);
    const { repo, result } = lintOf(files);
    for (const format of ["json", "sarif", "text"] as const) {
      expect(formatLintResult(result, format)).toBe(formatLintResult(lintRepository(repo, render(repo, { shareEnvironments: false })), format));
    }
    const intoBeta = result.diagnostics.find((d) => d.rule === "missing-upstream" && d.message.includes("'beta.silver.gone'"))!;
    expect(intoBeta).toMatchObject({ tenants: ["acme"], envs: ["production"] });
  });

  it("hands the merger a shared check's findings in the order the environments would give them", () => {
    // Messages that sort alike (a zero-width space is ignored by localeCompare) keep the order they came in.
    const order: Rule = {
      meta: { ...ALL_RULES[0]!.meta, id: "order", messages: { m: "{{name}}" } },
      checkTenantFlows: ({ envs, flows, report }) => {
        const flow = flows[0]!;
        if (envs.includes("production")) report({ flow, messageId: "m", path: ["id"], data: { name: "x\u200b" }, envs: ["production"] });
        report({ flow, messageId: "m", path: ["id"], data: { name: "x" } });
      },
    };
    const { repo, result } = lintOf(SHARED, [order]);
    expect(result.diagnostics.map((d) => `${d.tenants.join(",")} ${d.envs?.join(",")} ${d.message.length}`)).toEqual(["acme,beta production,staging 1", "acme,beta production 2"]);
    expect(formatLintResult(result, "json")).toBe(formatLintResult(lintRepository(repo, render(repo, { shareEnvironments: false }), { rules: [order] }), "json"));
  });
});
