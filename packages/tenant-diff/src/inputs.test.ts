import { buildRepository, render } from "@flowops/render";
import { describe, expect, it } from "vitest";
import { computeImpact, templateReach } from "./impact.js";
import { buildInputIndex, flowInputs, planIncrementalRender } from "./inputs.js";
import { changedPaths, configFile, generatePlatform, randomlyEdited, seededRandom, tenantFile } from "./testing/platform.js";
import type { ImpactReport } from "./types.js";

const base = generatePlatform(3);
/** The real repository model (pure `buildRepository`) over in-memory files; README.md is not an input. */
const repoOf = (files: Map<string, string>) =>
  buildRepository({ root: "/platform", files: new Map([...files].filter(([path]) => path !== "README.md")), hasTenantsFolder: true });
const planFor = (edit: (files: Map<string, string>) => void) => {
  const head = new Map(base);
  edit(head);
  return planIncrementalRender(changedPaths(base, head), repoOf(base), repoOf(head));
};

describe("reverse index", () => {
  it("maps each input file to the env/tenant/template triples it feeds", () => {
    const repo = repoOf(base);
    const rendered = render(repo);
    expect(repo.problems).toEqual([]);
    expect(rendered.problems).toEqual([]);
    const index = buildInputIndex(repo, rendered.flows);
    expect([...(index.get("tenants/t1.yaml") ?? [])]).toHaveLength(14); // 7 templates x 2 envs
    expect([...(index.get("flows/bronze/costs.yaml") ?? [])].sort()).toEqual([
      "production/t0/bronze/costs",
      "production/t1/bronze/costs",
      "production/t2/bronze/costs",
      "staging/t0/bronze/costs",
      "staging/t1/bronze/costs",
      "staging/t2/bronze/costs",
    ]);
    expect(index.get("flowops.config.yaml")?.size).toBe(42);
    expect(flowInputs(repo, { template: "flows/gold/report.yaml", tenant: "t0" })).toEqual(["flows/gold/report.yaml", "tenants/t0.yaml", "flowops.config.yaml"]);
  });
});

describe("planIncrementalRender", () => {
  it("renders an edited template for every tenant", () => {
    expect(planFor((files) => files.set("flows/bronze/costs.yaml", "tasks: []\n"))).toMatchObject({ mode: "incremental", requests: [{ templates: ["bronze/costs"] }] });
  });
  it("renders a removed template for every tenant", () => {
    expect(planFor((files) => files.delete("flows/gold/report.yaml"))).toMatchObject({ mode: "incremental", requests: [{ templates: ["gold/report"] }] });
  });
  it("renders an edited, added or removed tenant with every template", () => {
    const plan = planFor((files) => {
      files.set("tenants/t0.yaml", tenantFile("t0", { schedule: "5 5 * * *" }));
      files.set("tenants/zz.yaml", tenantFile("zz"));
      files.delete("tenants/t2.yaml");
    });
    expect(plan).toMatchObject({ mode: "incremental", requests: [{ tenants: ["t0", "t2", "zz"] }] });
  });
  it("renders nothing for files that feed no flow", () => {
    expect(planFor((files) => files.set("README.md", "changed\n"))).toEqual({ mode: "incremental", reason: "no changed file feeds a flow", requests: [] });
  });
  it.each([
    ["the config changes", (files: Map<string, string>) => files.set("flowops.config.yaml", configFile("other"))],
    ["a template is added", (files: Map<string, string>) => files.set("flows/gold/new.yaml", "tasks: []\n")],
    ["an unknown file appears in the flows folder", (files: Map<string, string>) => files.set("flows/bronze/include.sql", "select 1")],
  ])("renders everything when %s", (_what, edit) => {
    expect(planFor(edit).mode).toBe("full");
  });
});

const comparable = (report: ImpactReport) => ({
  changes: report.changes,
  impacted: report.impacted,
  summary: { ...report.summary, unchanged: undefined },
});

describe("incremental impact", () => {
  it("equals the full impact on 250 random edits of a generated platform", { timeout: 60_000 }, () => {
    const baseRepo = repoOf(base);
    const modes = { full: 0, incremental: 0, withChanges: 0, withImpacted: 0 };
    for (let seed = 1; seed <= 250; seed += 1) {
      const head = randomlyEdited(base, seededRandom(seed));
      const headRepo = repoOf(head);
      const options = { baseRepo, headRepo, changedFiles: changedPaths(base, head), render };
      const full = computeImpact({ ...options, incremental: false });
      const incremental = computeImpact(options);
      expect(comparable(incremental), `seed ${seed}: ${options.changedFiles.join(", ")}`).toEqual(comparable(full));
      modes[incremental.scope.mode] += 1;
      if (full.changes.length > 0) modes.withChanges += 1;
      if (full.impacted.length > 0) modes.withImpacted += 1;
    }
    // The edits exercise both paths and real downstream impact, not only empty reports.
    expect(modes.incremental).toBeGreaterThan(100);
    expect(modes.full).toBeGreaterThan(30);
    expect(modes.withChanges).toBeGreaterThan(200);
    expect(modes.withImpacted).toBeGreaterThan(50);
  });
});

describe("templateReach", () => {
  const ids = new Set(["ingest"]);
  it.each([
    ["no reference", "tasks: []\n", "none"],
    ["another flow", "tasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${tenant.code}.x\n    flowId: other\n", "none"],
    ["a changed flow in the tenant", "tasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${tenant.code}.bronze\n    flowId: ingest\n", "tenant"],
    ["a changed flow in its own namespace", "tasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.Subflow\n    flowId: ingest\n", "tenant"],
    ["a changed flow elsewhere", "triggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Flow\n    preconditions:\n      flows:\n        - { namespace: shared.bronze, flowId: ingest }\n", "any"],
    ["a flow id from a placeholder", "tasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${tenant.vars.ns}\n    flowId: ${tenant.vars.id}\n", "any"],
    ["a Flow trigger on the tenant's own namespace, whatever flow runs there", "triggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Flow\n    preconditions:\n      id: p\n      flows:\n        - namespace: ${tenant.code}.bronze\n", "tenant"],
    ["a Flow trigger on another namespace", "triggers:\n  - id: t\n    type: io.kestra.core.models.triggers.types.Flow\n    conditions:\n      - { type: io.kestra.plugin.core.condition.ExecutionNamespace, namespace: shared, comparison: PREFIX }\n", "any"],
    ["a trigger's inputs are no reference", "triggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Flow\n    inputs: { flowId: ingest }\n    preconditions:\n      id: p\n      flows:\n        - namespace: ${tenant.code}.x\n          flowId: other\n", "none"],
    ["a Subflow namespace from plugin defaults", "pluginDefaults:\n  - type: io.kestra.plugin.core.flow.Subflow\n    values: { namespace: shared }\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.Subflow\n    flowId: ingest\n", "any"],
    ["unparsable text naming a changed flow", "tasks: [\nflowId: ingest\n", "any"],
    ["a flow id on the next line", "tasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: shared\n    flowId:\n      ingest\n", "any"],
  ])("%s", (_what, text, reach) => {
    expect(templateReach(text, ids)).toBe(reach);
  });
});
