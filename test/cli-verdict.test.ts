// One verdict: lint, lint --tenant, start and impact agree on `$when`, whatever the selection;
// and impact keeps reporting (exit 1) when a side has render problems.
import { main } from "@flowops/cli";
import { describe, expect, it } from "vitest";
import { captureIO, gitRepo, writeFiles } from "./support.js";

const PLATFORM = {
  "flowops.config.yaml": "environments:\n  staging: {}\n  production: {}\n",
  "flows/bronze/aws_costs.yaml": "$when: tenant.sources.aws\ntasks:\n  - id: extract\n    type: io.kestra.plugin.core.log.Log\n    message: aws costs of ${tenant.code}\n",
  "flows/bronze/cloud_costs.yaml": [
    "tasks:",
    "  - id: aws",
    "    type: io.kestra.plugin.core.log.Log",
    "    message: aws",
    "    $when: tenant.sources.aws && !tenant.sources.oci",
    "  - id: gcp",
    "    type: io.kestra.plugin.core.log.Log",
    "    message: gcp",
    "    $when: tenant.sources.gcp || tenant.sources.azure",
  ].join("\n") + "\n",
  "tenants/acme.yaml": "code: acme\nsources: { aws: true, oci: false }\n",
  "tenants/cloudy.yaml": "code: cloudy\nsources: { gcp: true, azure: true }\n",
};

describe("one $when verdict", () => {
  it("is clean for lint, lint --tenant, start and impact alike when a tenant lacks a source", async () => {
    const { dir } = await gitRepo(PLATFORM);
    for (const argv of [["lint"], ["lint", "--tenant", "cloudy"], ["lint", "--tenant", "acme", "--env", "production"], ["start"]]) {
      const io = captureIO(dir);
      expect(await main(argv, io), `${argv.join(" ")}: ${io.out()}${io.err()}`).toBe(0);
      expect(io.out() + io.err()).not.toContain("invalid-when");
    }
    writeFiles(dir, { "flows/bronze/aws_costs.yaml": PLATFORM["flows/bronze/aws_costs.yaml"].replace("aws costs", "AWS costs") });
    const impact = captureIO(dir);
    expect(await main(["impact", "--base", "main", "--format", "json"], impact), impact.err()).toBe(0);
    expect((JSON.parse(impact.out()) as { changes: { tenant: string }[] }).changes.map((c) => c.tenant)).toEqual(["acme", "acme"]);
  });

  it("reports a typo and a comparison of different types once, with the tenants, for every selection", async () => {
    const { dir } = await gitRepo({
      ...PLATFORM,
      "flows/bronze/typo.yaml": "tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    $when: tenant.sources.asw\n",
      "flows/bronze/typed.yaml": "tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    $when: 'tenant.sources.aws == \"true\"'\n  - id: u\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    });
    const verdicts: string[] = [];
    for (const argv of [["lint"], ["lint", "--tenant", "cloudy"], ["lint", "--env", "production"]]) {
      const io = captureIO(dir);
      expect(await main([...argv, "--format", "json"], io)).toBe(1);
      const { diagnostics } = JSON.parse(io.out()) as { diagnostics: { rule: string; file: string; line: number; column: number; message: string; tenants: string[] }[] };
      const when = diagnostics.filter((d) => d.rule === "invalid-when");
      expect(when.map((d) => [d.file, d.line, d.column, d.tenants])).toEqual([
        ["flows/bronze/typed.yaml", 5, 13, ["acme"]],
        ["flows/bronze/typo.yaml", 5, 12, []],
      ]);
      expect(when[0]!.message).toContain("boolean with string");
      verdicts.push(JSON.stringify(when));
    }
    expect(new Set(verdicts).size).toBe(1);
  });
});

describe("flowops impact with render problems", () => {
  it("prints the report with the problems and exits 1, for the PR that breaks a flow and for the one that repairs it", async () => {
    const { dir, git } = await gitRepo(PLATFORM);
    const broken = "tasks:\n  - id: extract\n    type: io.kestra.plugin.core.log.Log\n     message: [unclosed\n";
    writeFiles(dir, { "flows/bronze/cloud_costs.yaml": broken });
    const breaking = captureIO(dir);
    expect(await main(["impact", "--base", "main"], breaking)).toBe(1);
    expect(breaking.out()).toMatch(/head \(working tree\): flows\/bronze\/cloud_costs\.yaml:\d+:\d+: invalid YAML .*\[yaml-syntax\]/);
    expect(breaking.out()).toContain("bronze/cloud_costs: same change for 2 tenants (modified [render-problem], production, staging): acme, cloudy");
    expect(breaking.out()).not.toContain("removed");
    expect(breaking.err()).toContain("render problem(s)");

    await git.add(".");
    await git.commit("break cloud_costs");
    await git.checkoutLocalBranch("repair");
    writeFiles(dir, { "flows/bronze/cloud_costs.yaml": PLATFORM["flows/bronze/cloud_costs.yaml"].replace("message: gcp", "message: gcp and azure") });
    const repairing = captureIO(dir);
    expect(await main(["impact", "--base", "main", "--format", "json"], repairing)).toBe(1);
    const report = JSON.parse(repairing.out()) as { changes: { tenant: string; id: string; kind: string; flags: string[] }[]; problems: { side: string; file: string }[] };
    expect(report.problems.every((p) => p.side === "base" && p.file === "flows/bronze/cloud_costs.yaml")).toBe(true);
    expect(report.changes.filter((c) => c.id === "cloud_costs").map((c) => [c.tenant, c.kind, c.flags])).toEqual([
      ["acme", "modified", ["render-problem"]],
      ["cloudy", "modified", ["render-problem"]],
      ["acme", "modified", ["render-problem"]],
      ["cloudy", "modified", ["render-problem"]],
    ]);
  });
});
