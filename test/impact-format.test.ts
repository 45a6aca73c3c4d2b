// Golden-file tests of the impact report's Markdown (PR comment) and text output, and the
// Markdown size budget. Rewrite the golden files with UPDATE_GOLDEN=1 after a deliberate change.
import { diffRenders, formatImpactJson, formatImpactMarkdown, formatImpactText, GITHUB_COMMENT_LIMIT } from "@flowops/tenant-diff";
import type { DiffableFlow } from "@flowops/tenant-diff";
import { describe, expect, it } from "vitest";
import { flow } from "./impact-support.js";
import { expectGolden } from "./support.js";

const ingest = (tenant: string, cron: string) => `# Pull the day's raw usage
id: ingest
namespace: ${tenant}.bronze
tasks:
  - id: extract
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python:3.12-slim
    script: print("${tenant}")
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "${cron}"
`;
const costs = (tenant: string, extra = "") => `id: costs
namespace: ${tenant}.bronze
tasks:
  - id: load
    type: io.kestra.plugin.jdbc.postgresql.Query
    sql: select * from ${tenant}_dw.costs
${extra}`;
const usage = (tenant: string, withTrigger = true) => `id: usage
namespace: ${tenant}.silver
tasks:
  - id: run
    type: io.kestra.plugin.core.log.Log
    message: usage
${
  withTrigger
    ? `triggers:
  - id: after_ingest
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      flows:
        - namespace: ${tenant}.bronze
          flowId: ingest
`
    : ""
}`;
const report = (tenant: string, image = "ghcr.io/acme/report:1.4.0") => `id: report
namespace: ${tenant}.gold
tasks:
  - id: usage
    type: io.kestra.plugin.core.flow.Subflow
    namespace: ${tenant}.silver
    flowId: usage
  - id: render
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: ${image}
    commands: [render]
`;

const tenants = ["acme", "beta", "gamma"];
const baseFlows: DiffableFlow[] = tenants.flatMap((tenant) => [
  flow(ingest(tenant, "0 1 * * *"), { tenant, templateKey: "bronze/ingest" }),
  flow(costs(tenant), { tenant, templateKey: "bronze/costs" }),
  flow(usage(tenant), { tenant, templateKey: "silver/usage" }),
  flow(report(tenant), { tenant, templateKey: "gold/report" }),
]);
const headFlows: DiffableFlow[] = [
  // bronze/ingest: the same schedule change for every tenant (one template edit)
  ...tenants.map((tenant) => flow(ingest(tenant, "0 3 * * *"), { tenant, templateKey: "bronze/ingest" })),
  // acme: costs only re-commented; report gets a new image; a new flow
  flow(`# loads the warehouse\n${costs("acme")}`, { tenant: "acme", templateKey: "bronze/costs" }),
  flow(usage("acme"), { tenant: "acme", templateKey: "silver/usage" }),
  flow(report("acme", "ghcr.io/acme/report:1.5.0"), { tenant: "acme", templateKey: "gold/report" }),
  flow("id: forecast\nnamespace: acme.gold\ntasks:\n  - id: fit\n    type: io.kestra.plugin.core.log.Log\n    message: fit\n", { tenant: "acme", templateKey: "gold/forecast" }),
  // beta: costs disabled, usage loses its trigger
  flow(costs("beta", "disabled: true\n"), { tenant: "beta", templateKey: "bronze/costs" }),
  flow(usage("beta", false), { tenant: "beta", templateKey: "silver/usage" }),
  flow(report("beta"), { tenant: "beta", templateKey: "gold/report" }),
  // gamma: usage removed
  flow(costs("gamma"), { tenant: "gamma", templateKey: "bronze/costs" }),
  flow(report("gamma"), { tenant: "gamma", templateKey: "gold/report" }),
];

const changedFiles = ["flows/bronze/ingest.yaml", "flows/bronze/costs.yaml", "flows/gold/report.yaml", "flows/gold/forecast.yaml", "tenants/beta.yaml", "tenants/gamma.yaml"];
const sample = diffRenders(
  { flows: baseFlows },
  { flows: headFlows },
  {
    baseLabel: "main (merge base 1a2b3c4)",
    headLabel: "feature/schedules (9f8e7d6)",
    causes: { changedFiles, inputsOf: (f) => [f.template, `tenants/${f.tenant}.yaml`, "flowops.config.yaml"] },
  },
);

describe("impact report formats", () => {
  it("summarises the sample change", () => {
    expect(sample.summary).toEqual({ added: 1, removed: 1, modified: 6, cosmetic: 1, unchanged: 4, tenants: 3 });
    expect(sample.impacted.map((f) => `${f.namespace}/${f.id} <- ${f.because.join(",")}`)).toEqual([
      "acme.silver/usage <- acme.bronze/ingest",
      "beta.gold/report <- beta.silver/usage",
      "gamma.gold/report <- gamma.silver/usage",
    ]);
  });

  it("prints the Markdown PR comment (golden)", () => {
    expectGolden("impact", "sample.md", formatImpactMarkdown(sample, { fullReportCommand: "flowops impact --base main --format markdown" }));
  });

  it("prints text (golden)", () => {
    expectGolden("impact", "sample.txt", formatImpactText(sample));
    expectGolden("impact", "sample-diffs.txt", formatImpactText(sample, { diffs: true }));
  });

  it("prints the JSON contract (golden)", () => {
    const json = formatImpactJson(sample);
    expect(Object.keys(JSON.parse(json))).toEqual(["base", "head", "summary", "changes", "impacted", "problems"]);
    expectGolden("impact", "sample.json", json);
  });

  it("lists each side's problems, once for the tenants they concern, in every format", () => {
    const problems = [
      { code: "unknown-placeholder", message: "${tenant.vars.dw} is not defined", file: "flows/bronze/costs.yaml", line: 5, column: 22, tenant: "beta", env: "staging" },
      { code: "unknown-placeholder", message: "${tenant.vars.dw} is not defined", file: "flows/bronze/costs.yaml", line: 5, column: 22, tenant: "gamma", env: "staging" },
    ];
    const report = diffRenders({ flows: baseFlows }, { flows: baseFlows.filter((f) => !(f.id === "costs" && f.tenant !== "acme")), problems }, { baseLabel: "main", headLabel: "working tree" });
    const line = "head (working tree): flows/bronze/costs.yaml:5:22: ${tenant.vars.dw} is not defined [unknown-placeholder] (tenants beta, gamma)";
    expect(formatImpactText(report)).toContain(`1 problem: the flows they touch are shown as far as each side renders (flag render-problem); \`flowops lint\` shows details\n  ${line}\n`);
    expect(formatImpactMarkdown(report)).toContain(`### ⚠️ 1 render problem\n`);
    expect(formatImpactMarkdown(report)).toContain(`- \`${line}\``);
    expect(JSON.parse(formatImpactJson(report)).problems).toHaveLength(2);
    expect(report.changes.map((c) => `${c.tenant} ${c.id} ${c.kind} ${c.flags.join()}`)).toEqual(["beta costs modified render-problem", "gamma costs modified render-problem"]);
  });

  it("says so when nothing changes", () => {
    const none = diffRenders({ flows: baseFlows }, { flows: baseFlows }, { baseLabel: "main", headLabel: "working tree" });
    expect(formatImpactMarkdown(none)).toBe("**flowops impact: no deployed flow changes.**\n\n<sub>base `main` → head `working tree`</sub>\n");
    expect(formatImpactText(none)).toBe("flowops impact: main -> working tree\nNo deployed flow changes.\n");
  });
});

describe("Markdown size budget", () => {
  // 400 tenants, each with its own large change: far more than one comment can hold.
  const many = Array.from({ length: 400 }, (_, index) => `tenant_${String(index).padStart(3, "0")}`);
  const big = (tenant: string, value: string) =>
    `id: load\nnamespace: ${tenant}.bronze\ntasks:\n${Array.from({ length: 40 }, (_, line) => `  - id: t${line}\n    type: io.kestra.plugin.core.log.Log\n    message: ${value}-${tenant}-${line}\n`).join("")}`;
  const huge = diffRenders(
    { flows: many.map((tenant) => flow(big(tenant, "old"), { tenant, templateKey: "bronze/load" })) },
    { flows: many.map((tenant, index) => flow(big(tenant, index % 7 === 0 ? "old" : `new${index}`), { tenant, templateKey: "bronze/load" })).slice(0, 390) },
    { baseLabel: "main", headLabel: "head" },
  );

  it("stays under GitHub's limit, keeps the verdict and table, and says what it left out", () => {
    const markdown = formatImpactMarkdown(huge, { fullReportCommand: "flowops impact --base main --format markdown" });
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT * 0.8);
    expect(markdown.startsWith("**flowops impact: 344 flow changes in 344 tenants**: ⚠️ 10 destructive; 334 modified, 10 removed.")).toBe(true);
    expect(markdown).toContain("| `tenant_399` | 0 | 0 | 1 | 0 | 0 |");
    // first whole sections, then sections without their diffs, then nothing: the note names both
    expect(markdown).toContain("(Diffs left out for size.)");
    expect(markdown).toMatch(
      /> Cut to stay under 65,536 characters: diffs of `tenant_\d+`.* and \d+ more left out; details of `tenant_\d+`.* and \d+ more left out\. Run `flowops impact --base main --format markdown` for the full report\.\n$/,
    );
  });

  it("honours a smaller budget", () => {
    const markdown = formatImpactMarkdown(huge, { budget: 10_000 });
    expect(markdown.length).toBeLessThanOrEqual(10_000);
    expect(markdown).toContain("**flowops impact:");
    expect(markdown).toMatch(/more tenants? \|/);
  });
});
