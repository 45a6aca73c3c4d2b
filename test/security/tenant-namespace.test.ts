// Issue 9, item 4: a template escapes its tenant. A template that states another tenant's
// namespace, chosen by `$when` for one tenant, deployed into that other (protected) tenant's
// namespace, because only a lint rule (silenced by one comment) checked it. Render must refuse
// it, whatever lint settings say, and deploy must re-check it on its own before any write.
import { main } from "@flowops/cli";
import { apply, checkGuards, deployInputs, DeployRefusedError, kestraClientFromEnvironment, plan, type DesiredFlow } from "@flowops/deploy";
import { namespaceOwner, readRepository, render } from "@flowops/render";
import { parse } from "yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startKestraDouble, type KestraDouble } from "../kestra-double/index.js";
import { captureIO, gitRepo } from "../support.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const CREDENTIALS = { KESTRA_USERNAME: "deployer@example.com", KESTRA_PASSWORD: "Pl4tform-Secret-9" };
const LOG = "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";

/** customer_2 is protected; a writer aims a template at its namespace, for customer_1 only, with lint silenced twice over. */
const ATTACK: Record<string, string> = {
  "flowops.config.yaml": `environments:
  staging:
    kestra: { url: https://kestra.staging.example.invalid }
deploy:
  protectedTenants: [customer_2]
lint:
  rules:
    namespace-pattern: "off"
`,
  "flows/bronze/usage.yaml": LOG,
  "flows/bronze/steal.yaml": `$when: tenant.code == "customer_1"
id: steal
# flowops-disable-next-line
namespace: customer_2.bronze
${LOG}`,
  "tenants/customer_1.yaml": "code: customer_1\n",
  "tenants/customer_2.yaml": "code: customer_2\n",
};

const doubles: KestraDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

async function kestra(): Promise<KestraDouble> {
  const double = await startKestraDouble({ basicAuth: { username: CREDENTIALS.KESTRA_USERNAME, password: CREDENTIALS.KESTRA_PASSWORD } });
  doubles.push(double);
  return double;
}

async function flowops(dir: string, ...argv: string[]): Promise<{ code: number; output: string }> {
  const io = captureIO(dir, CREDENTIALS);
  const code = await main(argv, io);
  return { code, output: io.out() + io.err() };
}

describe("render refuses a flow outside its tenant's namespaces", () => {
  it("leaves the flow out with a trust-boundary problem naming the tenant", async () => {
    const { dir } = await gitRepo(ATTACK);
    const repository = await readRepository({ cwd: dir });
    const result = render(repository);
    expect(result.flows.map((f) => `${f.tenant}:${f.namespace}/${f.id}`).sort()).toEqual(["customer_1:customer_1.bronze/usage", "customer_2:customer_2.bronze/usage"]);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: "namespace-pattern",
        file: "flows/bronze/steal.yaml",
        line: 4,
        column: 12,
        tenant: "customer_1",
        trustBoundary: true,
        message: expect.stringContaining(`namespace "customer_2.bronze" of bronze/steal is outside tenant customer_1's namespaces (customer_1 and below)`),
      }),
    ]);
  });

  it("lint reports it as an error with the tenant's code, past the comment and the severity setting", async () => {
    const { dir } = await gitRepo(ATTACK);
    const run = await flowops(dir, "lint");
    expect(run.code).toBe(1);
    expect(run.output).toContain("flows/bronze/steal.yaml:4:12");
    expect(run.output).toContain("outside tenant customer_1's namespaces (customer_1 and below)");
    expect(run.output).not.toContain("${tenant.code}");
  });

  it("flowops deploy writes nothing", async () => {
    const { dir } = await gitRepo(ATTACK);
    const double = await kestra();
    const run = await flowops(dir, "deploy", "--env", "staging", "--kestra-url", double.url);
    expect(run.code).toBe(2);
    expect(run.output).toContain("outside tenant customer_1's namespaces");
    expect(double.writeCount()).toBe(0);
    expect(double.liveFlows()).toEqual([]);
  });

  it("a namespace the tenant file lists is the tenant's; one overlapping another tenant's tree is refused", async () => {
    const listed = await gitRepo({
      ...ATTACK,
      "flows/bronze/steal.yaml": `$when: tenant.code == "customer_1"\nid: legacy\nnamespace: legacy.c1.bronze\n${LOG}`,
      "tenants/customer_1.yaml": "code: customer_1\nnamespaces: [legacy.c1]\n",
    });
    const repository = await readRepository({ cwd: listed.dir });
    const result = render(repository);
    expect(result.problems).toEqual([]);
    expect(result.flows.map((f) => `${f.tenant}:${f.namespace}/${f.id}`)).toContain("customer_1:legacy.c1.bronze/legacy");
    const owner = namespaceOwner(repository);
    expect([owner("legacy.c1.bronze"), owner("customer_2.bronze"), owner("customer_1"), owner("legacy"), owner("customer_10.x")]).toEqual(["customer_1", "customer_2", "customer_1", undefined, undefined]);

    const claimed = await gitRepo({ ...ATTACK, "tenants/customer_1.yaml": "code: customer_1\nnamespaces:\n  - customer_1_extra\n  - customer_2.bronze\n" });
    const claiming = await readRepository({ cwd: claimed.dir });
    expect(claiming.tenants.map((t) => t.code)).toEqual(["customer_2"]);
    // The refused tenant's flows are gone too (its template then renders for nobody: a finding of its own).
    expect(claiming.problems.filter((p) => p.code === "tenant-schema")).toEqual([
      expect.objectContaining({ code: "tenant-schema", file: "tenants/customer_1.yaml", line: 4, column: 5, message: expect.stringContaining('"customer_2.bronze" overlaps the namespaces of tenant customer_2') }),
    ]);
    expect(render(claiming).flows.some((f) => f.namespace.startsWith("customer_2") && f.tenant !== "customer_2")).toBe(false);
  });
});

describe("deploy re-checks the boundary on its own, before any write", () => {
  const forged = (source: string): DesiredFlow => ({ env: "staging", tenant: "customer_1", namespace: "customer_2.bronze", id: "steal", document: parse(source) as Record<string, unknown>, source });
  const STOLEN = `id: steal\nnamespace: customer_2.bronze\nlabels:\n  managed-by: flowops\n${LOG}`;

  it("a forged rendered flow aborts the deploy with nothing written, even with force", async () => {
    const { dir } = await gitRepo({ ...ATTACK, "flows/bronze/steal.yaml": LOG.replace("hi", "fine") });
    const double = await kestra();
    const inputs = deployInputs(await readRepository({ cwd: dir }), "staging");
    expect(inputs.problems).toEqual([]);
    const client = kestraClientFromEnvironment(inputs.environment, { url: double.url, variables: CREDENTIALS });
    const desired = [...inputs.desired, forged(STOLEN)];
    for (const scopes of [inputs.scopes, undefined]) {
      const thePlan = await plan({ env: "staging", desired, client, ...(scopes ? { scopes } : {}), problems: inputs.problems, policy: inputs.policy });
      expect(thePlan.problems.map((p) => p.message).join("\n")).toContain("customer_2.bronze/steal is a flow of tenant customer_1 outside that tenant's namespaces (customer_1)");
      expect(thePlan.problems.some((p) => p.kind === "outside-tenant-namespaces")).toBe(true);
      const refused = await apply(thePlan, { client, force: true }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DeployRefusedError);
    }
    expect(double.writeCount()).toBe(0);
    expect(double.liveFlows()).toEqual([]);
  });

  it("a forged plan (problems removed, flow moved) is refused by the guards", async () => {
    const { dir } = await gitRepo({ ...ATTACK, "flows/bronze/steal.yaml": LOG.replace("hi", "fine") });
    const double = await kestra();
    const inputs = deployInputs(await readRepository({ cwd: dir }), "staging");
    const client = kestraClientFromEnvironment(inputs.environment, { url: double.url, variables: CREDENTIALS });
    const thePlan = await plan({ env: "staging", desired: inputs.desired, client, scopes: inputs.scopes, problems: inputs.problems, policy: inputs.policy });
    expect(checkGuards(thePlan)).toBeUndefined();
    const moved = thePlan.flows.find((f) => f.tenant === "customer_1")!;
    moved.namespace = "customer_2.bronze";
    moved.desired = forged(STOLEN);
    expect(checkGuards(thePlan, { force: true })?.message).toContain("customer_2.bronze/steal is a flow of tenant customer_1 outside that tenant's namespaces");
    await expect(apply(thePlan, { client, force: true })).rejects.toBeInstanceOf(DeployRefusedError);
    expect(double.writeCount()).toBe(0);
  });
});
