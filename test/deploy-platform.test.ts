import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readRepository } from "@flowops/render";
import { DeployRefusedError, apply, deployInputs, formatReportJson, formatReportText, kestraClientFromEnvironment, plan, planReport } from "@flowops/deploy";
import type { DeployReport } from "@flowops/deploy";
import { startKestraDouble } from "./kestra-double/index.js";
import type { KestraDouble, KestraDoubleOptions } from "./kestra-double/index.js";
import { repoRoot } from "./support.js";

const USERNAME = "deployer@example.com";
const PASSWORD = "Pl4tform-Secret-9";
const CREDENTIALS = { KESTRA_USERNAME: USERNAME, KESTRA_PASSWORD: PASSWORD };
const BASIC = Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64");


/** A small, real platform: four templates (a Flow trigger and a Subflow among them), three tenants. */
const PLATFORM: Record<string, string> = {
  "flowops.config.yaml": `environments:
  staging:
    kestra:
      url: https://kestra.staging.example.invalid
    vars:
      lake: s3://lake-staging
deploy:
  prune: false
  maxDeleteShare: 0.25
`,
  "flows/bronze/costs.yaml": `# Raw cloud costs, only for tenants on AWS.
$when: tenant.sources.aws
id: costs
tasks:
  - id: extract
    type: io.kestra.plugin.core.log.Log
    message: "extract costs of \${tenant.name} into \${env.vars.lake}"
`,
  "flows/bronze/usage.yaml": `id: usage
tasks:
  - id: extract
    type: io.kestra.plugin.core.log.Log
    message: "usage of \${tenant.code}"
`,
  "flows/silver/costs_focus.yaml": `$when: tenant.sources.aws
id: costs_focus
triggers:
  - id: after_bronze
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: bronze_done
      flows:
        - namespace: \${tenant.code}.bronze
          flowId: costs
          states: [SUCCESS]
tasks:
  - id: transform
    type: io.kestra.plugin.core.log.Log
    message: FOCUS
  - id: tell
    type: io.kestra.plugin.core.flow.Subflow
    namespace: \${tenant.code}.shared
    flowId: notify
`,
  "flows/shared/notify.yaml": `id: notify
tasks:
  - id: send
    type: io.kestra.plugin.core.log.Log
    message: "notify \${tenant.code}"
`,
  "tenants/t1.yaml": "code: t1\nname: Tenant One\nenvironments: [staging]\nsources: { aws: true, gcp: false, azure: false, oci: false }\nschedule: \"0 1 * * *\"\n",
  "tenants/t2.yaml": "code: t2\nname: Tenant Two\nenvironments: [staging]\nsources: { aws: false, gcp: true, azure: false, oci: false }\nschedule: \"0 2 * * *\"\n",
  "tenants/t3.yaml": "code: t3\nname: Tenant Three\nenvironments: [staging]\nsources: { aws: true, gcp: false, azure: false, oci: false }\nschedule: \"0 3 * * *\"\n",
};
// t1 and t3: 4 flows each, t2: 2 flows
const ALL_FLOWS = 10;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** Every text any deploy produced in this file; checked for credentials at the end. */
const outputs: string[] = [];
afterAll(() => {
  const all = outputs.join("\n");
  expect(all.length).toBeGreaterThan(0);
  expect(all).not.toContain(PASSWORD);
  expect(all).not.toContain(BASIC);
});

async function platform(files: Record<string, string> = PLATFORM): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "flowops-deploy-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) await edit(dir, path, text);
  return dir;
}

async function edit(dir: string, path: string, text: string | null): Promise<void> {
  if (text === null) return rm(join(dir, path));
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), text);
}

async function kestra(options: KestraDoubleOptions = {}): Promise<KestraDouble> {
  const double = await startKestraDouble({ basicAuth: { username: USERNAME, password: PASSWORD }, ...options });
  cleanups.push(() => double.close());
  return double;
}

interface DeployRun {
  report: DeployReport;
  text: string;
}

/** What `flowops deploy` does: read, render, plan, apply, print. */
async function deploy(dir: string, double: KestraDouble, flags: { prune?: boolean; force?: boolean; plan?: boolean; retries?: number } = {}): Promise<DeployRun> {
  const repository = await readRepository({ cwd: dir });
  const inputs = deployInputs(repository, "staging");
  const client = kestraClientFromEnvironment(inputs.environment, { url: double.url, variables: CREDENTIALS, retry: { maxAttempts: flags.retries ?? 5, baseDelayMs: 1, maxDelayMs: 5 } });
  const prune = flags.prune ?? inputs.policy.prune ?? false;
  try {
    const thePlan = await plan({ env: "staging", desired: inputs.desired, client, scopes: inputs.scopes, problems: inputs.problems, policy: { ...inputs.policy, prune } });
    const report = flags.plan ? planReport(thePlan, { prune }) : await apply(thePlan, { client, prune, force: flags.force ?? false, concurrency: 4 });
    const text = formatReportText(report, flags.plan ? "plan" : "deploy");
    outputs.push(text, formatReportJson(report));
    return { report, text };
  } catch (error) {
    outputs.push(String(error), JSON.stringify(error), (error as Error).stack ?? "");
    throw error;
  }
}

const actionsOf = (report: DeployReport, action: string) => report.actions.filter((a) => a.action === action).map((a) => `${a.namespace}/${a.id}`);

describe("deploying a real platform (render → plan → apply) to the Kestra double", { timeout: 60_000 }, () => {
  it("creates everything first, then sends no write when nothing changed", async () => {
    const dir = await platform();
    const double = await kestra();
    const first = await deploy(dir, double);
    expect(first.report.summary).toMatchObject({ create: ALL_FLOWS, failed: 0 });
    expect(double.liveFlows()).toHaveLength(ALL_FLOWS);
    for (const flow of double.liveFlows()) expect(flow.labels).toEqual(expect.arrayContaining([["managed-by", "flowops"], ["system.readOnly", "true"]]));
    expect(first.text).toContain("t2: 2 created, 0 updated, 0 deleted, 0 unchanged");
    // The Flow trigger's upstream and the Subflow's target are created before the flow using them.
    const created = double.requests.filter((r) => r.method === "POST" && r.path.endsWith("/flows")).map((r) => r.flow);
    expect(created.indexOf("t1.bronze/costs")).toBeLessThan(created.indexOf("t1.silver/costs_focus"));
    expect(created.indexOf("t1.shared/notify")).toBeLessThan(created.indexOf("t1.silver/costs_focus"));

    double.resetRequests();
    const second = await deploy(dir, double);
    expect(second.report.summary).toMatchObject({ unchanged: ALL_FLOWS, writes: 0 });
    expect(double.writeCount()).toBe(0);
    // configs, the ownership-label search, the namespace searches, one export
    expect(double.requests.length).toBeLessThanOrEqual(6);
  });

  it("updates exactly the flows a template edit renders", async () => {
    const dir = await platform();
    const double = await kestra();
    await deploy(dir, double);
    await edit(dir, "flows/silver/costs_focus.yaml", PLATFORM["flows/silver/costs_focus.yaml"]!.replace("message: FOCUS", "message: FOCUS 1.2 # new spec"));
    double.resetRequests();
    const { report } = await deploy(dir, double);
    expect(actionsOf(report, "update")).toEqual(["t1.silver/costs_focus", "t3.silver/costs_focus"]);
    expect(double.writeCount()).toBe(2);
    expect(double.liveFlow("t1.silver/costs_focus".split("/")[0]!, "costs_focus")?.source).toContain("# new spec");
  });

  it("deletes a removed template's flows only with prune, within the mass-delete guard unless forced", async () => {
    const dir = await platform();
    const double = await kestra();
    await deploy(dir, double);
    await edit(dir, "flows/bronze/usage.yaml", null); // 3 of 10 managed flows: 30% > 25%

    const noPrune = await deploy(dir, double);
    expect(noPrune.report.actions.filter((a) => a.action === "delete").map((a) => a.status)).toEqual(["skipped", "skipped", "skipped"]);
    expect(double.liveFlows()).toHaveLength(ALL_FLOWS);

    double.resetRequests();
    const refused = await deploy(dir, double, { prune: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DeployRefusedError);
    expect((refused as DeployRefusedError).reason).toBe("mass-delete");
    expect((refused as Error).message).toContain("would delete 3 of 10 managed flows (30%)");
    expect(double.writeCount()).toBe(0);

    const forced = await deploy(dir, double, { prune: true, force: true });
    expect(actionsOf(forced.report, "delete")).toEqual(["t1.bronze/usage", "t2.bronze/usage", "t3.bronze/usage"]);
    expect(double.liveFlows()).toHaveLength(ALL_FLOWS - 3);
  });

  it("prunes within the guard without force (a tenant switching one flow off)", async () => {
    const dir = await platform();
    const double = await kestra();
    await deploy(dir, double);
    await edit(dir, "tenants/t2.yaml", PLATFORM["tenants/t2.yaml"] + "flows:\n  bronze/usage: { enabled: false }\n");
    const { report } = await deploy(dir, double, { prune: true });
    expect(actionsOf(report, "delete")).toEqual(["t2.bronze/usage"]);
    expect(double.liveFlow("t2.bronze", "usage")).toBeUndefined();
    expect(double.revisions("t2.bronze", "usage").at(-1)?.deleted).toBe(true);
  });

  it("prunes the flows of a tenant that leaves the environment", async () => {
    const dir = await platform();
    const double = await kestra();
    await deploy(dir, double);
    await edit(dir, "tenants/t2.yaml", PLATFORM["tenants/t2.yaml"]!.replace("[staging]", "[]"));
    const kept = await deploy(dir, double);
    expect(kept.report.actions.filter((a) => a.action === "delete").map((a) => `${a.tenant} ${a.status}`)).toEqual(["t2 skipped", "t2 skipped"]);
    const { report } = await deploy(dir, double, { prune: true });
    expect(actionsOf(report, "delete")).toEqual(["t2.bronze/usage", "t2.shared/notify"]);
    expect(double.liveFlows().filter((f) => f.namespace.startsWith("t2."))).toEqual([]);
  });

  it("never touches unmanaged flows seeded by hand, whatever the flags", async () => {
    const dir = await platform();
    const double = await kestra();
    const manual = "id: manual_fix\nnamespace: t1.bronze\nlabels:\n  owner: ops\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: by hand\n";
    double.seedFlow(manual);
    double.seedFlow(manual.replace("namespace: t1.bronze", "namespace: t10.bronze"));
    await deploy(dir, double, { prune: true, force: true });
    await edit(dir, "flows/bronze/usage.yaml", null);
    const { report } = await deploy(dir, double, { prune: true, force: true });
    expect(report.unmanaged).toEqual([{ tenant: "t1", namespace: "t1.bronze", id: "manual_fix", revision: 1 }]);
    expect(double.liveFlow("t1.bronze", "manual_fix")?.source).toBe(manual);
    expect(double.liveFlow("t10.bronze", "manual_fix")).toBeDefined();
  });

  it("aborts an empty render and a render problem, even with force, before any write", async () => {
    const dir = await platform();
    const double = await kestra();
    await deploy(dir, double);
    double.resetRequests();
    for (const tenant of ["t1", "t2", "t3"]) await edit(dir, `tenants/${tenant}.yaml`, PLATFORM[`tenants/${tenant}.yaml`]!.replace("[staging]", "[]"));
    const empty = (await deploy(dir, double, { prune: true, force: true }).catch((e: unknown) => e)) as DeployRefusedError;
    expect(empty.reason).toBe("empty");

    const broken = await platform({ ...PLATFORM, "flows/bronze/usage.yaml": PLATFORM["flows/bronze/usage.yaml"]!.replace("${tenant.code}", "${tenant.nickname}") });
    const problem = (await deploy(broken, double, { prune: true, force: true }).catch((e: unknown) => e)) as DeployRefusedError;
    expect(problem.reason).toBe("problems");
    expect(problem.message).toMatch(/flows\/bronze\/usage\.yaml:\d+:\d+: .*tenant\.nickname/);
    expect(double.writeCount()).toBe(0);
    expect(double.liveFlows()).toHaveLength(ALL_FLOWS);
  });

  it("converges over repeated deploys when 30% of writes fail", async () => {
    const dir = await platform();
    const double = await kestra({ seed: 11, faults: { methods: ["POST", "PUT", "DELETE"], pathPattern: /\/flows(\/(?!export\/)[^/]+\/[^/]+)?$/, serverErrorRate: 0.18, dropRate: 0.15, afterWriteShare: 0.5 } });
    let runs = 0;
    const converge = async (flags: { prune?: boolean; force?: boolean }) => {
      for (;;) {
        runs++;
        expect(runs).toBeLessThan(30);
        const { report } = await deploy(dir, double, { ...flags, retries: 1 });
        if (report.summary.failed === 0 && report.summary.skipped === 0) {
          const check = await deploy(dir, double, { ...flags, plan: true });
          if (check.report.actions.every((a) => a.action === "unchanged")) return;
        }
      }
    };
    await converge({});
    await edit(dir, "flows/bronze/costs.yaml", PLATFORM["flows/bronze/costs.yaml"]!.replace("extract costs", "extract all costs"));
    await edit(dir, "tenants/t2.yaml", PLATFORM["tenants/t2.yaml"] + "flows:\n  bronze/usage: { enabled: false }\n");
    await converge({ prune: true });
    expect(double.requests.filter((r) => r.fault !== undefined).length).toBeGreaterThan(2);
    const repository = await readRepository({ cwd: dir });
    const wanted = deployInputs(repository, "staging").desired;
    expect(double.liveFlows().map((f) => `${f.namespace}/${f.id}:${f.source}`).sort()).toEqual(wanted.map((f) => `${f.namespace}/${f.id}:${f.source}`).sort());
  });

  it("converges after the deploying process is killed mid-deploy", async () => {
    const dir = await platform();
    let child: ReturnType<typeof spawn> | undefined;
    let writes = 0;
    const double = await kestra({
      latencyMs: 5,
      onRequest: ({ method }) => {
        if (method !== "GET" && ++writes === 4) child?.kill("SIGKILL");
      },
    });
    const script = join(dir, "deploy-child.mjs");
    await writeFile(
      script,
      `const render = await import(${JSON.stringify(pathToFileURL(join(repoRoot, "packages/render/dist/index.js")).href)});
const deploy = await import(${JSON.stringify(pathToFileURL(join(repoRoot, "packages/deploy/dist/index.js")).href)});
const repository = await render.readRepository({ cwd: process.argv[2] });
const inputs = deploy.deployInputs(repository, "staging");
const client = deploy.kestraClientFromEnvironment(inputs.environment, { url: process.argv[3] });
const plan = await deploy.plan({ env: "staging", desired: inputs.desired, client, scopes: inputs.scopes, problems: inputs.problems, policy: inputs.policy });
const report = await deploy.apply(plan, { client, concurrency: 1 });
console.log(deploy.formatReportText(report, "deploy"));
`,
    );
    const exit = await new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) => {
      let output = "";
      child = spawn(process.execPath, [script, dir, double.url], { env: { ...process.env, ...CREDENTIALS }, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.on("exit", (code, signal) => resolve({ code, signal, output }));
    });
    outputs.push(exit.output);
    expect(exit.signal).toBe("SIGKILL");
    const partial = double.liveFlows().length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(ALL_FLOWS);

    const next = await deploy(dir, double);
    expect(next.report.summary.failed).toBe(0);
    expect(next.report.summary.create).toBe(ALL_FLOWS - partial);
    expect((await deploy(dir, double, { plan: true })).report.actions.every((a) => a.action === "unchanged")).toBe(true);
    expect(double.liveFlows()).toHaveLength(ALL_FLOWS);
  });

  it("shows drift made through the API in plan, and the deploy fixes it", async () => {
    const dir = await platform();
    const double = await kestra();
    await deploy(dir, double);
    const repository = await readRepository({ cwd: dir });
    const inputs = deployInputs(repository, "staging");
    const client = kestraClientFromEnvironment(inputs.environment, { url: double.url, variables: CREDENTIALS });
    const original = double.liveFlow("t3.bronze", "costs")!.source;
    await client.updateFlow("t3.bronze", "costs", original.replace("extract costs", "extract costs (hot-fixed in prod)"));

    const drifted = await plan({ env: "staging", desired: inputs.desired, client, scopes: inputs.scopes, baseline: inputs.desired });
    const text = formatReportText(planReport(drifted), "plan");
    outputs.push(text);
    expect(drifted.drift.map((f) => `${f.namespace}/${f.id}`)).toEqual(["t3.bronze/costs"]);
    expect(text).toContain("~ update t3.bronze/costs (drift: changed outside Git)");
    expect(text).toContain("t3: 0 to create, 1 to update, 0 to delete, 3 unchanged");

    const { report } = await deploy(dir, double);
    expect(actionsOf(report, "update")).toEqual(["t3.bronze/costs"]);
    expect(double.liveFlow("t3.bronze", "costs")?.source).toBe(original);
  });

  it("reports a refused login without printing credentials", async () => {
    const dir = await platform();
    const double = await kestra({ basicAuth: { username: USERNAME, password: "An0ther-Password" } });
    const error = (await deploy(dir, double).then(
      () => new Error("the deploy should have been refused"),
      (e: unknown) => e as Error,
    )) as Error;
    expect(error.message).toContain("HTTP 401");
    expect(error.message).toContain("KESTRA_USERNAME");
  });
});

const HAS_EXAMPLE_PLATFORM = existsSync(join(repoRoot, "flowops.config.yaml")) && existsSync(join(repoRoot, "flows")) && existsSync(join(repoRoot, "tenants"));

/** A copy of the example platform at the repository root, in a temp folder the test may edit. */
async function examplePlatform(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "flowops-example-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const entry of ["flowops.config.yaml", "flows", "tenants", "schemas"]) {
    if (existsSync(join(repoRoot, entry))) await cp(join(repoRoot, entry), join(dir, entry), { recursive: true });
  }
  return dir;
}

/** Runs `deploy` with the example config's own credential variable names. */
async function exampleDeploy(dir: string, double: KestraDouble, flags: { prune?: boolean; force?: boolean; plan?: boolean; retries?: number } = {}): Promise<DeployRun> {
  const repository = await readRepository({ cwd: dir });
  const environment = repository.config.environments[0]!;
  const variables = { [environment.kestra.usernameEnv]: USERNAME, [environment.kestra.passwordEnv]: PASSWORD };
  const inputs = deployInputs(repository, environment.name);
  expect(inputs.problems).toEqual([]);
  const client = kestraClientFromEnvironment(inputs.environment, { url: double.url, variables, retry: { maxAttempts: flags.retries ?? 5, baseDelayMs: 1, maxDelayMs: 5 } });
  const prune = flags.prune ?? false;
  const thePlan = await plan({ env: environment.name, desired: inputs.desired, client, scopes: inputs.scopes, problems: inputs.problems, policy: { ...inputs.policy, prune } });
  try {
    const report = flags.plan ? planReport(thePlan, { prune }) : await apply(thePlan, { client, prune, force: flags.force ?? false, concurrency: 8 });
    outputs.push(formatReportText(report), formatReportJson(report));
    return { report, text: formatReportText(report) };
  } catch (error) {
    outputs.push(String(error), JSON.stringify(error));
    throw error;
  }
}

async function renderedSources(dir: string): Promise<Map<string, { template: string; source: string }>> {
  const repository = await readRepository({ cwd: dir });
  const inputs = deployInputs(repository, repository.config.environments[0]!.name);
  return new Map(inputs.desired.map((f) => [`${f.namespace}/${f.id}`, { template: f.template, source: f.source }]));
}

describe.runIf(HAS_EXAMPLE_PLATFORM)("the example platform at the repository root", { timeout: 120_000 }, () => {
  it("first deploy creates all; the second writes nothing; a template edit updates exactly its flows", async () => {
    const dir = await examplePlatform();
    const double = await kestra();
    const rendered = await renderedSources(dir);
    const first = await exampleDeploy(dir, double);
    expect(first.report.summary).toMatchObject({ create: rendered.size, failed: 0 });
    expect(double.liveFlows()).toHaveLength(rendered.size);

    double.resetRequests();
    const second = await exampleDeploy(dir, double);
    expect(second.report.summary).toMatchObject({ unchanged: rendered.size, writes: 0 });
    expect(double.writeCount()).toBe(0);

    // Any template that renders: the example platform is edited freely.
    const template = [...rendered.values()][0]!.template;
    await edit(dir, template, (await readFile(join(dir, template), "utf8")) + "# reviewed for the FOCUS 1.2 columns\n");
    const after = await renderedSources(dir);
    const expected = [...after].filter(([key, flow]) => rendered.get(key)?.source !== flow.source).map(([key]) => key).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(new Set([...after].filter(([key]) => expected.includes(key)).map(([, f]) => f.template))).toEqual(new Set([template]));
    double.resetRequests();
    const third = await exampleDeploy(dir, double);
    expect(actionsOf(third.report, "update").sort()).toEqual(expected);
    expect(double.writeCount()).toBe(expected.length);
  });

  it("deletes a removed template only with prune, never touches unmanaged flows, and fixes API drift", async () => {
    const dir = await examplePlatform();
    const double = await kestra();
    const rendered = await renderedSources(dir);
    const [firstKey] = [...rendered.keys()];
    const tenantRoot = firstKey!.split(".")[0]!;
    const manual = `id: hand_made\nnamespace: ${tenantRoot}.bronze\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: by hand\n`;
    double.seedFlow(manual);
    await exampleDeploy(dir, double);

    // The template rendering the fewest flows, so the delete may stay under the guard.
    const perTemplate = new Map<string, string[]>();
    for (const [key, flow] of rendered) perTemplate.set(flow.template, [...(perTemplate.get(flow.template) ?? []), key]);
    const [template, keys] = [...perTemplate].sort((a, b) => a[1].length - b[1].length)[0]!;
    await edit(dir, template, null);
    const noPrune = await exampleDeploy(dir, double);
    expect(noPrune.report.actions.filter((a) => a.action === "delete").map((a) => `${a.namespace}/${a.id}`).sort()).toEqual([...keys].sort());
    expect(noPrune.report.actions.filter((a) => a.action === "delete").every((a) => a.status === "skipped")).toBe(true);
    expect(double.liveFlows()).toHaveLength(rendered.size + 1);
    const pruned = await exampleDeploy(dir, double, { prune: true, force: true });
    expect(actionsOf(pruned.report, "delete").sort()).toEqual([...keys].sort());
    expect(double.liveFlows()).toHaveLength(rendered.size - keys.length + 1);
    expect(double.liveFlow(`${tenantRoot}.bronze`, "hand_made")?.source).toBe(manual);
    expect(pruned.report.unmanaged.map((f) => f.id)).toEqual(["hand_made"]);

    const [driftKey] = [...(await renderedSources(dir)).keys()];
    const [namespace, id] = driftKey!.split("/") as [string, string];
    const live = double.liveFlow(namespace, id)!;
    await fetch(`${double.url}/api/v1/main/flows/${namespace}/${id}`, {
      method: "PUT",
      body: live.source + "# edited in the UI\n",
      headers: { "Content-Type": "application/x-yaml", Authorization: `Basic ${BASIC}` },
    });
    const planned = await exampleDeploy(dir, double, { plan: true });
    expect(actionsOf(planned.report, "update")).toEqual([driftKey]);
    await exampleDeploy(dir, double);
    expect(double.liveFlow(namespace, id)?.source).toBe(live.source);
  });

  it("converges with 30% of writes failing", async () => {
    const dir = await examplePlatform();
    const double = await kestra({ seed: 5, faults: { methods: ["POST", "PUT", "DELETE"], pathPattern: /\/flows(\/(?!export\/)[^/]+\/[^/]+)?$/, serverErrorRate: 0.18, dropRate: 0.15, afterWriteShare: 0.5 } });
    const rendered = await renderedSources(dir);
    for (let run = 1; ; run++) {
      expect(run).toBeLessThan(30);
      const { report } = await exampleDeploy(dir, double, { retries: 1 });
      if (report.summary.failed === 0 && (await exampleDeploy(dir, double, { plan: true })).report.actions.every((a) => a.action === "unchanged")) break;
    }
    expect(new Map(double.liveFlows().map((f) => [`${f.namespace}/${f.id}`, f.source]))).toEqual(new Map([...rendered].map(([k, f]) => [k, f.source])));
  });
});
