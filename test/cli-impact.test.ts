import { main } from "@flowops/cli";
import { describe, expect, it } from "vitest";
import { captureIO, gitRepo, writeFiles } from "./support.js";

const PLATFORM = {
  "flowops.config.yaml": "environments:\n  staging: {}\n",
  "flows/bronze/costs.yaml": "tasks:\n  - id: extract\n    type: io.kestra.plugin.core.log.Log\n    message: costs of ${tenant.code}\n",
  "flows/silver/focus.yaml": [
    "triggers:",
    "  - id: after_costs",
    "    type: io.kestra.plugin.core.trigger.Flow",
    "    preconditions:",
    "      id: costs_done",
    "      flows:",
    "        - namespace: ${tenant.code}.bronze",
    "          flowId: costs",
    "          states: [SUCCESS]",
    "tasks:",
    "  - id: normalise",
    "    type: io.kestra.plugin.core.log.Log",
    "    message: normalise",
  ].join("\n") + "\n",
  "tenants/acme.yaml": "code: acme\n",
  "tenants/beta.yaml": "code: beta\n",
};

describe("flowops impact and graph", () => {
  it("shows the working tree's impact against a base, per tenant, in every format", async () => {
    const { dir } = await gitRepo(PLATFORM);
    writeFiles(dir, { "flows/bronze/costs.yaml": PLATFORM["flows/bronze/costs.yaml"].replace("costs of", "daily costs of") });
    const json = captureIO(dir);
    expect(await main(["impact", "--base", "main", "--format", "json"], json)).toBe(0);
    const report = JSON.parse(json.out()) as { summary: { modified: number; tenants: number }; changes: { tenant: string; kind: string; causes: string[] }[]; impacted: { id: string; because: string[] }[] };
    expect(report.summary).toMatchObject({ modified: 2, tenants: 2 });
    expect(report.changes.map((c) => [c.tenant, c.kind, c.causes])).toEqual([
      ["acme", "modified", ["flows/bronze/costs.yaml"]],
      ["beta", "modified", ["flows/bronze/costs.yaml"]],
    ]);
    expect(report.impacted.map((i) => [i.id, i.because])).toEqual([
      ["focus", ["acme.bronze/costs"]],
      ["focus", ["beta.bronze/costs"]],
    ]);
    const markdown = captureIO(dir);
    expect(await main(["impact", "--base", "main", "--format", "markdown"], markdown)).toBe(0);
    expect(markdown.out()).toContain("bronze/costs");
    expect(markdown.out().length).toBeLessThan(65_536);
    const text = captureIO(dir);
    expect(await main(["impact", "--base", "main", "--env", "all"], text)).toBe(0);
    expect(text.out()).toContain("acme");
  });

  it("exits 2 for an unknown base and a missing --base", async () => {
    const { dir } = await gitRepo(PLATFORM);
    const io = captureIO(dir);
    expect(await main(["impact", "--base", "no-such-branch"], io)).toBe(2);
    expect(io.err()).toContain("no-such-branch");
    expect(await main(["impact"], io)).toBe(2);
  });

  it("draws a tenant's flows and the trigger edges between them", async () => {
    const { dir } = await gitRepo(PLATFORM);
    const mermaid = captureIO(dir);
    expect(await main(["graph", "--tenant", "acme"], mermaid)).toBe(0);
    expect(mermaid.out()).toContain("flowchart LR");
    expect(mermaid.out()).toContain("acme.bronze");
    const json = captureIO(dir);
    expect(await main(["graph", "--tenant", "acme", "--format", "json"], json)).toBe(0);
    const graph = JSON.parse(json.out()) as { edges: { from: string; to: string; kind: string }[] };
    expect(graph.edges).toEqual([expect.objectContaining({ from: "acme.bronze/costs", to: "acme.silver/focus" })]);
    const dot = captureIO(dir);
    expect(await main(["graph", "--tenant", "acme", "--format", "dot"], dot)).toBe(0);
    expect(dot.out()).toContain("digraph");
    expect(await main(["graph", "--tenant", "nobody"], captureIO(dir))).toBe(2);
  });

  it("npm start's job lints and shows the impact of uncommitted changes", async () => {
    const { dir } = await gitRepo(PLATFORM);
    const clean = captureIO(dir);
    expect(await main(["start"], clean)).toBe(0);
    expect(clean.out()).toContain("No problems found.");
    expect(clean.out()).toContain("No deployed flow changes.");
    writeFiles(dir, { "tenants/gamma.yaml": "code: gamma\n" });
    const changed = captureIO(dir);
    expect(await main(["start"], changed)).toBe(0);
    expect(changed.out()).toMatch(/gamma[^\n]*2 added/);
  });

  it("npm start's job summarises each tenant's deployable flows per environment, as render counts them", async () => {
    const { dir } = await gitRepo({
      ...PLATFORM,
      "flowops.config.yaml": "environments:\n  staging: {}\n  production: {}\n",
      // The same namespace and id as bronze/costs.yaml for every tenant: a duplicate, never counted.
      "flows/bronze/sub/costs.yaml": "id: costs\nnamespace: ${tenant.code}.bronze\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
      "tenants/acme.yaml": "code: acme\nflows:\n  silver/focus: { disabled: true }\n",
      "tenants/beta.yaml": "code: beta\nenvironments: [staging]\n",
    });
    const io = captureIO(dir);
    // The duplicate is a lint error: exit 1.
    expect(await main(["start"], io)).toBe(1);
    const rows = io.out().split("\n").filter((line) => /^(tenant|acme|beta) /.test(line)).map((line) => line.trim().split(/\s+/));
    expect(rows).toEqual([
      ["tenant", "staging", "flows", "production", "flows", "disabled", "namespaces"],
      // silver/focus is disabled for acme, in both environments.
      ["acme", "2", "2", "2", "acme.bronze", "acme.silver"],
      ["beta", "2", "0", "0", "beta.bronze", "beta.silver"],
    ]);
    expect(io.out()).toContain("Rendered 6 flows and linted them in");
  });
});
