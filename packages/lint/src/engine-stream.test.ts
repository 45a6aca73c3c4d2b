import { buildRepository, render, renderTenants, type RenderStream, type TenantRender } from "@flowops/render";
import { describe, expect, it } from "vitest";
import { lintRepository } from "./engine.js";
import { formatLintResult } from "./formatters/index.js";
import { ALL_RULES } from "./registry.js";
import type { FlowSummary, Rule } from "./types.js";

const log = (id: string, message = "x") => `  - id: ${id}\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;

/** Two environments; templates that read env and ones that do not, with findings of each kind of rule. */
const FILES: Record<string, string> = {
  "flowops.config.yaml": "environments:\n  staging: { vars: { bucket: s3-stg, paging: false } }\n  production: { vars: { bucket: s3-prd, paging: true } }\n",
  // No env.*: a flow finding (duplicate task id), a missing tenant value, a suppressed finding.
  "flows/bronze/costs.yaml": `tasks:\n${log("l")}${log("l")}${log("region", "${tenant.vars.region}")}  # flowops-disable-next-line duplicate-task-id\n${log("l")}`,
  // Reads env: a finding in one environment only (the paging task duplicates an id).
  "flows/bronze/paging.yaml": `tasks:\n${log("l", "${env.vars.bucket}")}  - $when: env.vars.paging\n    id: l\n    type: io.kestra.plugin.core.log.Log\n    message: page\n`,
  // Cross-flow: a Subflow to a flow not rendered, a cycle.
  "flows/silver/calls.yaml": `tasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${tenant.code}.bronze\n    flowId: missing\n  - id: loop\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${tenant.code}.silver\n    flowId: back\n`,
  "flows/silver/back.yaml": `tasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${tenant.code}.silver\n    flowId: calls\n`,
  "tenants/acme.yaml": "code: acme\nvars: { region: eu }\n",
  "tenants/beta.yaml": "code: beta\nenvironments: [staging]\nvars: { region: us }\n",
  "tenants/gamma.yaml": "code: gamma\nvars: {}\n",
};

function repository(files = FILES) {
  return buildRepository({ root: "/virtual", files: new Map(Object.entries(files)), hasTenantsFolder: true });
}

describe("lintRepository over renderTenants", () => {
  it("gives the same diagnostics, byte for byte, streamed or collected, environments shared or not", () => {
    const repo = repository();
    const collected = formatLintResult(lintRepository(repo, render(repo, { shareEnvironments: false })), "json");
    const rules = new Set((JSON.parse(collected) as { diagnostics: { rule: string }[] }).diagnostics.map((d) => d.rule));
    expect([...rules].sort()).toEqual(["duplicate-task-id", "flow-cycle", "missing-upstream", "unknown-placeholder"]);
    expect(formatLintResult(lintRepository(repo, render(repo)), "json")).toBe(collected);
    expect(formatLintResult(lintRepository(repo, renderTenants(repo)), "json")).toBe(collected);
    expect(formatLintResult(lintRepository(repo, renderTenants(repo, { shareEnvironments: false })), "json")).toBe(collected);
    for (const options of [{ envs: ["staging"] }, { tenants: ["gamma"] }]) {
      expect(formatLintResult(lintRepository(repo, renderTenants(repo, options)), "text")).toBe(formatLintResult(lintRepository(repo, render(repo, options)), "text"));
    }
  });

  it("lints a render shared by environments once, and lists every environment in its findings", () => {
    const repo = repository();
    const checked: string[] = [];
    const counting: Rule = { meta: { ...ALL_RULES[0]!.meta, id: "count" }, checkFlow: ({ flow }) => void checked.push(`${flow.tenant}/${flow.templateKey}/${flow.env}`) };
    const result = lintRepository(repo, renderTenants(repo), { rules: [...ALL_RULES, counting] });
    expect(checked.filter((c) => c.startsWith("acme/bronze/costs"))).toEqual(["acme/bronze/costs/staging"]);
    expect(checked.filter((c) => c.startsWith("acme/bronze/paging"))).toEqual(["acme/bronze/paging/staging", "acme/bronze/paging/production"]);
    const duplicate = result.diagnostics.find((d) => d.rule === "duplicate-task-id" && d.file === "flows/bronze/costs.yaml")!;
    expect(duplicate).toMatchObject({ line: 5, tenants: ["acme", "beta", "gamma"], envs: ["production", "staging"] });
    const pagingOnly = result.diagnostics.find((d) => d.rule === "duplicate-task-id" && d.file === "flows/bronze/paging.yaml")!;
    expect(pagingOnly).toMatchObject({ tenants: ["acme", "gamma"], envs: ["production"] });
    // A render problem of a shared template still names each environment.
    expect(result.diagnostics.find((d) => d.rule === "unknown-placeholder")).toMatchObject({ file: "tenants/gamma.yaml", tenants: ["gamma"], envs: ["production", "staging"] });
  });

  it("lints each tenant before asking the stream for the next, and hands cross-flow rules summaries without document or source", () => {
    const repo = repository();
    const stream = renderTenants(repo);
    let pulled = 0;
    const counted: RenderStream = {
      ...stream,
      tenants: (function* () {
        for (const tenant of stream.tenants as Iterable<TenantRender>) {
          pulled++;
          yield tenant;
        }
      })(),
    };
    const order: [string | null, number][] = [];
    const summaries: FlowSummary[] = [];
    const rules: Rule[] = [
      { meta: { ...ALL_RULES[0]!.meta, id: "order" }, checkFlow: ({ flow }) => void order.push([flow.tenant, pulled]) },
      { meta: { ...ALL_RULES[0]!.meta, id: "summaries" }, checkTenantFlows: ({ flows }) => void summaries.push(...flows) },
    ];
    lintRepository(repo, counted, { rules });
    expect([...new Set(order.map(([tenant, at]) => `${tenant}@${at}`))]).toEqual(["acme@1", "beta@2", "gamma@3"]);
    expect(pulled).toBe(3);
    // acme and gamma in two environments, beta in one; four templates each.
    expect(summaries).toHaveLength(4 * 5);
    for (const summary of summaries) {
      expect(summary).not.toHaveProperty("document");
      expect(summary).not.toHaveProperty("source");
      expect(Object.keys(summary).sort()).toEqual(["env", "id", "locate", "namespace", "references", "template", "templateKey", "tenant"]);
    }
    const calls = summaries.find((s) => s.tenant === "acme" && s.env === "production" && s.id === "calls")!;
    expect(calls.references.map((r) => `${r.namespace}.${r.flowId}`)).toEqual(["acme.bronze.missing", "acme.silver.back"]);
    expect(calls.locate(["tasks", 1, "flowId"])).toEqual({ file: "flows/silver/calls.yaml", line: 9, column: 13 });
  });
});
