import { describe, expect, it } from "vitest";
import { diffRenders } from "../diff.js";
import { flowFromYaml } from "../testing/flows.js";
import { groupReport } from "./grouping.js";

const flow = (tenant: string, name: string, revision: number, env = "staging") =>
  flowFromYaml(`id: load\nnamespace: ${tenant}.bronze\ndescription: "Load for ${name} (revision ${revision})"\ntasks: []\n`, {
    tenant,
    env,
    templateKey: "bronze/load",
    template: "flows/bronze/load.yaml",
  });
const downstream = (tenant: string) =>
  flowFromYaml(`id: use\nnamespace: ${tenant}.silver\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${tenant}.bronze\n    flowId: load\n`, {
    tenant,
    templateKey: "silver/use",
    template: "flows/silver/use.yaml",
  });

describe("groupReport", () => {
  const tenants = [
    ["acme", "Acme Corp"],
    ["beta", "Beta Ltd"],
    ["gamma", "Gamma SA"],
  ] as const;
  const causesOf = (changed: string[]) => ({ changedFiles: changed, inputsOf: (f: { template: string; tenant: string | null }) => [f.template, `tenants/${f.tenant}.yaml`] });

  it("groups one template's edit across tenants and environments even when the diffs differ by tenant values", () => {
    const base = tenants.flatMap(([code, name]) => [flow(code, name, 1), flow(code, name, 1, "production"), downstream(code)]);
    const head = tenants.flatMap(([code, name]) => [flow(code, name, 2), flow(code, name, 2, "production"), downstream(code)]);
    const grouped = groupReport(diffRenders({ flows: base }, { flows: head }, { causes: causesOf(["flows/bronze/load.yaml"]) }), 2);
    expect(grouped.shared).toHaveLength(1);
    expect(grouped.shared[0]).toMatchObject({ templateKey: "bronze/load", envs: ["production", "staging"], tenants: ["acme", "beta", "gamma"], downstream: ["<tenant>.silver/use"] });
    // every change and impacted flow is explained by the shared change: no per-tenant detail left
    expect(grouped.tenants.every((section) => section.changes.length === 0 && section.impacted.length === 0)).toBe(true);
    expect(grouped.tenants.map((section) => section.counts.impacted)).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it("does not group changes that also come from tenant files unless their diffs match", () => {
    const base = tenants.map(([code, name]) => flow(code, name, 1));
    const head = tenants.map(([code, name]) => flow(code, `${name} renamed`, 1));
    const grouped = groupReport(diffRenders({ flows: base }, { flows: head }, { causes: causesOf(tenants.map(([code]) => `tenants/${code}.yaml`)) }), 2);
    expect(grouped.shared).toEqual([]);
    expect(grouped.tenants.map((section) => section.changes.length)).toEqual([1, 1, 1]);
  });

  it("groups identical diffs (tenant code masked) whatever their causes", () => {
    const base = tenants.map(([code]) => flow(code, "same", 1));
    const head = tenants.map(([code]) => flow(code, "same", 2));
    const grouped = groupReport(diffRenders({ flows: base }, { flows: head }, { causes: causesOf(["flows/bronze/load.yaml", "tenants/beta.yaml"]) }), 2);
    expect(grouped.shared.map((group) => [group.tenants, group.causes])).toEqual([[["acme", "beta", "gamma"], ["flows/bronze/load.yaml"]]]);
  });
});
