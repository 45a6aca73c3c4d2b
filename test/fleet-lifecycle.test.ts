import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@flowops/cli";
import { afterEach, describe, expect, it } from "vitest";
import { startKestraDouble, type KestraDouble } from "./kestra-double/index.js";
import { captureIO, gitRepo, writeFiles } from "./support.js";

/**
 * A platform of its own: four tenants in staging and production, three templates each, so one
 * tenant is 3 of 12 flows (25%) of an environment.
 */
function platformFiles(maxDeleteShare: number): Record<string, string> {
  const tenant = (code: string) => `code: ${code}\nname: ${code} Inc\nenvironments: [staging, production]\nsources: { aws: true, gcp: false, azure: false, oci: false }\nschedule: "0 2 * * *"\n`;
  return {
    "flowops.config.yaml": `environments:
  staging:
    kestra:
      url: https://kestra.staging.example.invalid
  production:
    kestra:
      url: https://kestra.production.example.invalid
deploy:
  prune: false
  maxDeleteShare: ${maxDeleteShare}
`,
    "flows/bronze/load.yaml": `id: load
tasks:
  - id: load
    type: io.kestra.plugin.core.log.Log
    message: "load \${tenant.code}"
`,
    "flows/silver/clean.yaml": `id: clean
tasks:
  - id: clean
    type: io.kestra.plugin.core.log.Log
    message: "clean \${tenant.name}"
`,
    "flows/gold/report.yaml": `id: report
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "\${tenant.schedule}"
tasks:
  - id: report
    type: io.kestra.plugin.core.log.Log
    message: report
`,
    "tenants/acme.yaml": tenant("acme"),
    "tenants/globex.yaml": tenant("globex"),
    "tenants/stark.yaml": tenant("stark"),
    "tenants/wayne.yaml": tenant("wayne"),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(maxDeleteShare = 0.2) {
  const { dir, git } = await gitRepo(platformFiles(maxDeleteShare));
  const staging = await startKestraDouble();
  const production = await startKestraDouble();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => staging.close(), () => production.close());
  const run = async (argv: string[], kestra: KestraDouble = staging) => {
    const io = captureIO(dir);
    const code = await main([...argv, ...(["plan", "deploy", "adopt"].includes(argv[0]!) ? ["--kestra-url", kestra.url] : [])], io);
    return { code, out: io.out(), err: io.err() };
  };
  const commit = async (message: string) => {
    await git.add(["-A", "."]);
    await git.commit(message);
    return (await git.revparse(["HEAD"])).trim();
  };
  return { dir, git, staging, production, run, commit };
}

interface JsonAction {
  tenant: string | null;
  namespace: string;
  id: string;
  action: string;
  status: string;
  diff?: string;
}

const actionsOf = (out: string) => (JSON.parse(out) as { actions: JsonAction[] }).actions;
const keys = (flows: { tenant: string | null; namespace: string; id: string }[]) => flows.map((f) => `${String(f.tenant)} ${f.namespace}/${f.id}`).sort();

describe("offboarding and moving customers", { timeout: 120_000 }, () => {
  it("deletes a removed tenant's flows with --prune, within the share guard, leaving the other tenants untouched; plan and impact agree", async () => {
    const { dir, staging, run, commit } = await setup(0.2);
    expect((await run(["deploy", "--env", "staging"])).code).toBe(0);
    expect(staging.liveFlows()).toHaveLength(12);
    expect(staging.liveFlows().find((f) => f.namespace === "wayne.bronze")!.labels).toContainEqual(["flowops.tenant", "wayne"]);
    const before = await commit("deployed");
    staging.resetRequests();

    rmSync(join(dir, "tenants/wayne.yaml"));
    const after = await commit("offboard wayne");

    const impact = await run(["impact", "--base", before, "--head", after, "--env", "staging", "--format", "json"]);
    expect(impact.code).toBe(0);
    const removed = (JSON.parse(impact.out) as { changes: (JsonAction & { kind: string; env: string })[] }).changes.filter((c) => c.kind === "removed");
    expect(removed).toHaveLength(3);

    // Without --prune the plan shows the deletes as skipped; with it, exactly impact's removals.
    const noPrune = await run(["plan", "--env", "staging", "--format", "json"]);
    expect(actionsOf(noPrune.out).filter((a) => a.action === "delete").map((a) => a.status)).toEqual(["skipped", "skipped", "skipped"]);
    const planned = await run(["plan", "--env", "staging", "--prune", "--format", "json"]);
    const deletes = actionsOf(planned.out).filter((a) => a.action === "delete");
    expect(keys(deletes)).toEqual(keys(removed));
    expect(keys(deletes)).toEqual(["wayne wayne.bronze/load", "wayne wayne.gold/report", "wayne wayne.silver/clean"]);
    // 3 of 12 is above the configured 20%: the plan says the deploy would be refused, and exits as it would.
    expect(planned.code).toBe(1);
    expect(planned.err).toContain("would be refused");
    expect(planned.err).toContain("would delete 3 of 12 managed flows (25%)");
    const forcedPlan = await run(["plan", "--env", "staging", "--prune", "--force", "--format", "json"]);
    expect(forcedPlan.code).toBe(0);
    expect(staging.writeCount()).toBe(0);

    const refused = await run(["deploy", "--env", "staging", "--prune"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("Nothing was written");
    expect(staging.writeCount()).toBe(0);

    const forced = await run(["deploy", "--env", "staging", "--prune", "--force"]);
    expect(forced.code).toBe(0);
    expect(staging.liveFlows().filter((f) => f.namespace.startsWith("wayne."))).toEqual([]);
    expect(staging.liveFlows()).toHaveLength(9);
    // The other tenants were not written to: still their first revision.
    for (const flow of staging.liveFlows()) expect(flow.revision).toBe(1);
  });

  it("prunes a tenant from the environment it left and keeps it where it stays", async () => {
    const { dir, staging, production, run, commit } = await setup(0.25);
    expect((await run(["deploy", "--env", "staging"], staging)).code).toBe(0);
    expect((await run(["deploy", "--env", "production"], production)).code).toBe(0);
    const stark = readFileSync(join(dir, "tenants/stark.yaml"), "utf8");
    writeFiles(dir, { "tenants/stark.yaml": stark.replace("[staging, production]", "[production]") });
    await commit("stark leaves staging");
    staging.resetRequests();
    production.resetRequests();

    const deployed = await run(["deploy", "--env", "staging", "--prune", "--format", "json"], staging);
    expect(deployed.code).toBe(0);
    expect(keys(actionsOf(deployed.out).filter((a) => a.action === "delete" && a.status === "done"))).toEqual([
      "stark stark.bronze/load",
      "stark stark.gold/report",
      "stark stark.silver/clean",
    ]);
    expect(staging.liveFlows().map((f) => f.namespace.split(".")[0]).filter((t, i, all) => all.indexOf(t) === i).sort()).toEqual(["acme", "globex", "wayne"]);

    const stays = await run(["deploy", "--env", "production", "--prune", "--format", "json"], production);
    expect(stays.code).toBe(0);
    expect(actionsOf(stays.out).every((a) => a.action === "unchanged")).toBe(true);
    expect(production.writeCount()).toBe(0);
    expect(production.liveFlows().filter((f) => f.namespace.startsWith("stark."))).toHaveLength(3);
  });

  it("shows a unified diff under each update with plan --diff", async () => {
    const { dir, run } = await setup();
    expect((await run(["deploy", "--env", "staging"])).code).toBe(0);
    writeFiles(dir, { "flows/silver/clean.yaml": readFileSync(join(dir, "flows/silver/clean.yaml"), "utf8").replace("clean ${tenant.name}", "clean and check ${tenant.name}") });
    const text = await run(["plan", "--env", "staging", "--diff"]);
    expect(text.code).toBe(0);
    expect(text.out).toContain("~ update acme.silver/clean\n      --- live/acme.silver/clean.yaml\n      +++ git/acme.silver/clean.yaml");
    expect(text.out).toContain('      -    message: "clean acme Inc"\n      +    message: "clean and check acme Inc"');
    const json = actionsOf((await run(["plan", "--env", "staging", "--diff", "--format", "json"])).out);
    expect(json.filter((a) => a.action === "update" && a.diff?.includes("+    message: \"clean and check")).length).toBe(4);
    expect((await run(["plan", "--env", "staging", "--format", "json"])).out).not.toContain('"diff"');
  });
});

describe("adopting flows made by hand", { timeout: 120_000 }, () => {
  it("shows the diff per flow, writes nothing without --yes, and with --yes hands them over; deploy never adopts", async () => {
    const { staging, run } = await setup();
    const out = mkdtempSync(join(tmpdir(), "flowops-adopt-render-"));
    cleanups.push(() => rmSync(out, { recursive: true, force: true }));
    expect((await run(["render", "--env", "staging", "--out", out])).code).toBe(0);
    const rendered = (namespace: string, id: string) => readFileSync(join(out, "staging", namespace, `${id}.yaml`), "utf8");
    const withoutLabels = (source: string) => source.replace(/labels:\n(  .*\n)+/, "");
    // As Terraform made it: the same flow without flowops's labels.
    const sameFlow = withoutLabels(rendered("acme.bronze", "load"));
    expect(sameFlow).not.toContain("managed-by");
    staging.seedFlow(sameFlow);
    // Edited by hand: another message.
    staging.seedFlow(withoutLabels(rendered("acme.silver", "clean")).replace("clean acme Inc", "cleaned by hand"));
    // Not rendered by Git at all: never a candidate.
    const handOnly = "id: hand_only\nnamespace: acme.bronze\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: mine\n";
    staging.seedFlow(handOnly);

    const deployed = await run(["deploy", "--env", "staging"]);
    expect(deployed.code).toBe(1);
    expect(deployed.out).toContain("flowops adopt --env staging");
    expect(deployed.out).not.toContain("re-run to retry");
    expect(staging.liveFlow("acme.bronze", "load")!.revision).toBe(1);
    expect(staging.liveFlow("acme.bronze", "load")!.source).toBe(sameFlow);
    staging.resetRequests();

    const preview = await run(["adopt", "--env", "staging"]);
    expect(preview.code).toBe(0);
    expect(staging.writeCount()).toBe(0);
    expect(preview.out).toContain("acme.bronze/load (tenant acme): to adopt; same flow, only labels added (managed-by: flowops, system.readOnly: true, flowops.tenant: acme)");
    expect(preview.out).toContain("acme.silver/clean (tenant acme): to adopt; the live source differs from Git");
    expect(preview.out).toContain('      -    message: "cleaned by hand"\n      +    message: "clean acme Inc"');
    expect(preview.out).not.toContain("hand_only");
    expect(preview.out).toContain("re-run with --yes");

    const adopted = await run(["adopt", "--env", "staging", "--yes", "--format", "json"]);
    expect(adopted.code).toBe(0);
    const report = JSON.parse(adopted.out) as { flows: { namespace: string; id: string; change: string; status: string }[]; summary: Record<string, number> };
    expect(report.flows.map((f) => `${f.namespace}/${f.id} ${f.change} ${f.status}`)).toEqual(["acme.bronze/load labels-only adopted", "acme.silver/clean source adopted"]);
    expect(report.summary).toEqual({ candidates: 2, labelsOnly: 1, adopted: 2, failed: 0 });
    expect(staging.liveFlow("acme.bronze", "load")!.source).toBe(rendered("acme.bronze", "load"));
    expect(staging.liveFlow("acme.silver", "clean")!.source).toBe(rendered("acme.silver", "clean"));
    expect(staging.liveFlow("acme.bronze", "hand_only")!.source).toBe(handOnly);

    staging.resetRequests();
    const converged = await run(["deploy", "--env", "staging", "--format", "json"]);
    expect(converged.code).toBe(0);
    expect(actionsOf(converged.out).every((a) => a.action === "unchanged")).toBe(true);
    expect(staging.writeCount()).toBe(0);
    expect((await run(["adopt", "--env", "staging"])).out).toContain("No flow to adopt");
  });
});

describe("a tenant's bad value, through flowops lint", { timeout: 120_000 }, () => {
  it("is annotated at the tenant file, once for both environments, with the template line related", async () => {
    const { dir, run } = await setup();
    writeFiles(dir, { "tenants/globex.yaml": readFileSync(join(dir, "tenants/globex.yaml"), "utf8").replace('schedule: "0 2 * * *"', 'schedule: "0 25 * * *"') });
    const github = await run(["lint", "--format", "github"]);
    expect(github.code).toBe(1);
    const annotations = github.out.split("\n").filter((l) => l.includes("invalid-cron"));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(/^::error file=tenants\/globex\.yaml,line=5,col=11,title=flowops invalid-cron::Invalid cron '0 25 \* \* \*'/);
    expect(annotations[0]).toContain("(tenants: globex) [flows/gold/report.yaml:5:11 used here as ${tenant.schedule}]");
    expect(github.out).not.toContain("tenant ${tenant.code}");
    const sarif = JSON.parse((await run(["lint", "--format", "sarif"])).out) as {
      runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; relatedLocations?: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    const result = sarif.runs[0]!.results.find((r) => r.ruleId === "invalid-cron")!;
    expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe("tenants/globex.yaml");
    expect(result.relatedLocations?.[0]!.physicalLocation.artifactLocation.uri).toBe("flows/gold/report.yaml");
  });
});
