import { afterEach, describe, expect, it } from "vitest";
import { buildRepository } from "@flowops/render";
import { KestraClient } from "@flowops/kestra";
import { startKestraDouble } from "../../../test/kestra-double/index.js";
import type { KestraDouble } from "../../../test/kestra-double/index.js";
import { BaselineUnreadableError, deployEnvironment } from "./deploy-environment.js";
import { DeployRefusedError } from "./apply.js";

const doubles: KestraDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

/** A two-tenant repository in memory (no folder, no Git), as `readRepository` would give it. */
function repository(tenants = ["acme", "globex"]) {
  const files = new Map<string, string>([
    ["flowops.config.yaml", "environments:\n  staging: {}\ndeploy:\n  maxDeleteShare: 0.5\n"],
    ["flows/bronze/load.yaml", "id: load\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: \"load ${tenant.code}\"\n"],
  ]);
  for (const code of tenants) files.set(`tenants/${code}.yaml`, `code: ${code}\nname: ${code}\n`);
  return buildRepository({ root: "/virtual/not-a-repository", files, hasTenantsFolder: true });
}

async function kestra() {
  const double = await startKestraDouble();
  doubles.push(double);
  return { double, client: () => new KestraClient({ url: double.url, retry: { baseDelayMs: 1, maxDelayMs: 5 } }) };
}

describe("deployEnvironment", () => {
  it("takes the Kestra client from its caller, as an instance or made from the environment's config", async () => {
    const { double, client } = await kestra();
    const seen: string[] = [];
    const first = await deployEnvironment({ repository: repository(), env: "staging", kestra: (environment) => (seen.push(environment.name), client()) });
    expect(seen).toEqual(["staging"]);
    expect(first.report.summary).toMatchObject({ create: 2, failed: 0 });
    const again = await deployEnvironment({ repository: repository(), env: "staging", kestra: client(), dryRun: true });
    expect(again.report.actions.every((a) => a.action === "unchanged" && a.status === "planned")).toBe(true);
    expect(double.writeCount()).toBe(2);
  });

  it("fails or ignores a baseline it cannot read, as the caller asks", async () => {
    const { client } = await kestra();
    const baseline = { ref: "no-such-commit" };
    await expect(deployEnvironment({ repository: repository(), env: "staging", kestra: client(), dryRun: true, baseline: { ...baseline, ifUnreadable: "fail" } })).rejects.toBeInstanceOf(
      BaselineUnreadableError,
    );
    const ignored = await deployEnvironment({ repository: repository(), env: "staging", kestra: client(), dryRun: true, baseline: { ...baseline, ifUnreadable: "ignore" } });
    expect(ignored.report.actions.every((a) => a.drift === undefined)).toBe(true);
  });

  it("names the tenant of a flow deployed before the tenant label from the namespace pattern, once its tenant file is gone", async () => {
    const { double, client } = await kestra();
    await deployEnvironment({ repository: repository(), env: "staging", kestra: client() });
    // As an older flowops deployed it: managed, but without flowops.tenant.
    double.seedFlow("id: old\nnamespace: initech.bronze\nlabels:\n  managed-by: flowops\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: old\n");
    const planned = await deployEnvironment({ repository: repository(["acme"]), env: "staging", kestra: client(), dryRun: true, prune: true, force: true });
    expect(planned.report.actions.filter((a) => a.action === "delete").map((a) => `${String(a.tenant)} ${a.namespace}/${a.id}`)).toEqual(["globex globex.bronze/load", "initech initech.bronze/old"]);
    // 2 of 3 managed flows: above the configured half, so without --force a deploy would be refused.
    const refused = await deployEnvironment({ repository: repository(["acme"]), env: "staging", kestra: client(), dryRun: true, prune: true });
    expect(refused.refusal).toBeInstanceOf(DeployRefusedError);
    expect(refused.refusal?.reason).toBe("mass-delete");
  });
});
