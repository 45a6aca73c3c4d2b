import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@flowops/cli";
import { simpleGit } from "simple-git";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKestraDouble, type KestraDouble } from "./kestra-double/index.js";
import { captureIO, repoRoot, writeFiles } from "./support.js";

const USERNAME = "ci@greenitops.example.com";
const PASSWORD = "Staging-Secret-42";
// The example config reads credentials from the default variables.
const ENV = { KESTRA_USERNAME: USERNAME, KESTRA_PASSWORD: PASSWORD };

const BRONZE = ["aws_costs", "gcp_costs", "azure_costs", "billing", "usage_raw", "tags", "budgets", "carbon_raw", "forecast_raw", "quotas"];
const TENANTS = ["acme", "beta", "gamma"];
/** Flows per tenant and environment: every template renders for every tenant. */
const FLOWS_PER_TENANT = BRONZE.length + 3;

/**
 * A platform of its own (so an edit of the example platform changes nothing here), in a Git
 * repository with one commit, configured like the example: credentials from KESTRA_USERNAME +
 * KESTRA_PASSWORD, prune on, at most 10% of the managed flows deleted by one deploy.
 */
async function platformRepository(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "flowops-cli-deploy-"));
  const log = (message: string) => `tasks:\n  - id: run\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;
  const files: Record<string, string> = {
    "flowops.config.yaml": [
      "environments:",
      "  staging:",
      "    kestra:",
      "      url: https://kestra.staging.example.com",
      "      tenant: main",
      "  production:",
      "    kestra:",
      "      url: https://kestra.example.com",
      "deploy:",
      "  prune: true",
      "  maxDeleteShare: 0.1",
    ].join("\n") + "\n",
    "flows/silver/usage.yaml": `triggers:\n  - id: after_costs\n    type: io.kestra.plugin.core.trigger.Flow\n    preconditions:\n      id: costs\n      flows:\n        - namespace: \${tenant.code}.bronze\n          flowId: aws_costs\n          states: [SUCCESS]\n${log("usage of ${tenant.code}")}`,
    "flows/gold/report.yaml": log("report"),
    "flows/gold/kpis.yaml": log("kpis"),
  };
  for (const id of BRONZE) files[`flows/bronze/${id}.yaml`] = log(`${id} of \${tenant.code}`);
  for (const code of TENANTS) files[`tenants/${code}.yaml`] = `code: ${code}\nname: ${code.toUpperCase()}\n`;
  writeFiles(dir, files);
  const git = simpleGit({ baseDir: dir });
  await git.init(["-b", "main"]);
  await git.addConfig("user.email", "dev@example.com");
  await git.addConfig("user.name", "Dev");
  await git.add(".");
  await git.commit("platform");
  return dir;
}

describe("flowops plan and deploy", () => {
  let kestra: KestraDouble;
  let dir: string;
  const outputs: string[] = [];
  const run = async (argv: string[]) => {
    const io = captureIO(dir, ENV);
    const code = await main([...argv, "--kestra-url", kestra.url], io);
    outputs.push(io.out(), io.err());
    return { code, out: io.out(), err: io.err() };
  };

  beforeAll(async () => {
    kestra = await startKestraDouble({ basicAuth: { username: USERNAME, password: PASSWORD } });
    dir = await platformRepository();
  });
  afterAll(async () => {
    await kestra.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("plans without writing, deploys everything, then has nothing left to do", async () => {
    const planned = await run(["plan", "--env", "staging", "--format", "json"]);
    expect(planned.code).toBe(0);
    const report = JSON.parse(planned.out) as { env: string; actions: { action: string; status: string; tenant: string }[] };
    expect(report.env).toBe("staging");
    expect(report.actions.length).toBe(TENANTS.length * FLOWS_PER_TENANT);
    expect(new Set(report.actions.map((a) => `${a.action}/${a.status}`))).toEqual(new Set(["create/planned"]));
    expect(kestra.writeCount()).toBe(0);

    const deployed = await run(["deploy", "--env", "staging"]);
    expect(deployed.code).toBe(0);
    expect(deployed.out).toContain("acme");
    expect(kestra.liveFlows().length).toBe(TENANTS.length * FLOWS_PER_TENANT);
    expect(kestra.liveFlows().every((f) => f.labels.some(([k, v]) => k === "managed-by" && v === "flowops"))).toBe(true);

    kestra.resetRequests();
    const again = await run(["deploy", "--env", "staging", "--format", "json"]);
    expect(again.code).toBe(0);
    expect(kestra.writeCount()).toBe(0);
    expect((JSON.parse(again.out) as { actions: { action: string }[] }).actions.every((a) => a.action === "unchanged")).toBe(true);
  });

  it("shows a flow changed in Kestra's UI as drift against the commit last deployed, and the deploy puts Git's version back", async () => {
    const live = kestra.liveFlow("acme.bronze", "aws_costs")!;
    kestra.seedFlow(live.source.replace("tasks:", "# edited by hand in the UI\ntasks:"));
    const planned = await run(["plan", "--env", "staging", "--baseline", "HEAD", "--format", "json"]);
    expect(planned.code).toBe(0);
    const actions = (JSON.parse(planned.out) as { actions: { namespace: string; id: string; action: string; drift?: boolean }[] }).actions;
    expect(actions.filter((a) => a.drift)).toEqual([expect.objectContaining({ namespace: "acme.bronze", id: "aws_costs", action: "update", drift: true })]);
    expect((await run(["deploy", "--env", "staging"])).code).toBe(0);
    expect(kestra.liveFlow("acme.bronze", "aws_costs")!.source).toBe(live.source);
    expect((await run(["plan", "--env", "staging", "--baseline", "no-such-ref"])).code).toBe(2);
  });

  it("deletes a removed template's flows only with --prune (the config turns prune on, so a copy without it is used)", async () => {
    writeFiles(dir, { "flowops.config.yaml": (await import("node:fs")).readFileSync(join(dir, "flowops.config.yaml"), "utf8").replace("prune: true", "prune: false") });
    await rm(join(dir, "flows/gold/kpis.yaml"));
    const withoutPrune = await run(["deploy", "--env", "staging", "--format", "json"]);
    expect(withoutPrune.code).toBe(0);
    const skipped = (JSON.parse(withoutPrune.out) as { actions: { action: string; status: string }[] }).actions.filter((a) => a.action === "delete");
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((a) => a.status === "skipped")).toBe(true);
    expect(kestra.liveFlows().some((f) => f.id === "kpis")).toBe(true);
    const pruned = await run(["deploy", "--env", "staging", "--prune"]);
    expect(pruned.code).toBe(0);
    expect(kestra.liveFlows().some((f) => f.id === "kpis")).toBe(false);
  });

  it("refuses a mass delete before writing anything, and exits 1", async () => {
    for (const layer of ["silver", "gold"]) await rm(join(dir, "flows", layer), { recursive: true });
    kestra.resetRequests();
    const refused = await run(["deploy", "--env", "staging", "--prune"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("Nothing was written");
    expect(kestra.writeCount()).toBe(0);
  });

  it("exits 2 on bad usage and names what is missing; never prints a credential", async () => {
    expect((await run(["deploy", "--env", "moon"])).code).toBe(2);
    const io = captureIO(dir, {});
    expect(await main(["plan", "--env", "staging", "--kestra-url", kestra.url], io)).toBe(1);
    expect(io.err()).toMatch(/401|credential|auth/i);
    const wrong = captureIO(dir, { KESTRA_USERNAME: USERNAME, KESTRA_PASSWORD: "wrong-password-123" });
    expect(await main(["plan", "--env", "staging", "--kestra-url", kestra.url], wrong)).toBe(1);
    outputs.push(io.out(), io.err(), wrong.out(), wrong.err());
    for (const text of outputs) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain("wrong-password-123");
      expect(text).not.toContain(Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64"));
    }
  });
});

describe("flowops schema pull", () => {
  it("saves the server's flow schema where lint finds it", async () => {
    const schema = { $schema: "http://json-schema.org/draft-07/schema#", definitions: { "io.kestra.core.models.flows.Flow": { type: "object" } } };
    const kestra = await startKestraDouble({ flowSchema: schema, basicAuth: { username: USERNAME, password: PASSWORD } });
    const dir = await mkdtemp(join(tmpdir(), "flowops-pull-"));
    const io = captureIO(dir, { KESTRA_USERNAME: USERNAME, KESTRA_PASSWORD: PASSWORD });
    expect(await main(["schema", "pull", "--kestra-url", kestra.url], io)).toBe(0);
    const { readFileSync } = await import("node:fs");
    expect(JSON.parse(readFileSync(join(dir, ".flowops/kestra-flow-schema.json"), "utf8"))).toEqual(schema);
    expect(io.out()).toContain("1 definitions");
    await kestra.close();
  });
});

describe("the README's steps for pointing flowops at Kestra", () => {
  it("work as written against the example config", async () => {
    const readme = await readFile(join(repoRoot, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Pointing flowops at Kestra"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
    const variables: Record<string, string> = {};
    for (const line of block.split("\n").filter((l) => l.startsWith("export "))) {
      for (const [, name, value] of line.matchAll(/([A-Z_]+)=(\S+)/g)) variables[name!] = value!;
    }
    const commands = block.split("\n").filter((l) => l.startsWith("npx flowops ")).map((l) => l.slice("npx flowops ".length).split(/\s+/));
    expect(commands.map((c) => c[0])).toEqual(["plan", "deploy"]);
    const username = variables["KESTRA_USERNAME"];
    const password = variables["KESTRA_PASSWORD"];
    expect(username && password, `the README exports ${Object.keys(variables).join(", ")}`).toBeTruthy();
    const kestra = await startKestraDouble({ basicAuth: { username: username!, password: password! } });
    const dir = await mkdtemp(join(tmpdir(), "flowops-readme-"));
    try {
      for (const entry of ["flows", "tenants", "schemas", "flowops.config.yaml"]) await cp(join(repoRoot, entry), join(dir, entry), { recursive: true });
      for (const argv of commands) {
        const io = captureIO(dir, variables);
        const code = await main(argv.map((arg) => (arg === "http://localhost:8080" ? kestra.url : arg)), io);
        expect(code, `flowops ${argv.join(" ")}: ${io.err()}`).toBe(0);
      }
      expect(kestra.liveFlows().length).toBeGreaterThan(0);
    } finally {
      await kestra.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a 401 names the variables that were read, never their values", async () => {
    const kestra = await startKestraDouble({ basicAuth: { username: USERNAME, password: PASSWORD } });
    try {
      const dir = await platformRepository();
      const io = captureIO(dir, { KESTRA_USERNAME: USERNAME, KESTRA_PASSWORD: "not-the-password" });
      expect(await main(["plan", "--env", "staging", "--kestra-url", kestra.url], io)).toBe(1);
      expect(io.err()).toContain("basic auth from KESTRA_USERNAME + KESTRA_PASSWORD");
      expect(io.err()).not.toContain("not-the-password");
      expect(io.err()).not.toContain(USERNAME);
    } finally {
      await kestra.close();
    }
  });

  it("shows each retry on a terminal: the request waited for and the try that comes next", async () => {
    const kestra = await startKestraDouble({ basicAuth: { username: USERNAME, password: PASSWORD }, faults: { retryAfterSeconds: 0 } });
    try {
      const dir = await platformRepository();
      kestra.queueFaults({ kind: "5xx", methods: ["GET"] }, { kind: "5xx", methods: ["GET"] });
      const io = { ...captureIO(dir, ENV), isTTY: true };
      let err = "";
      io.stderr = (text: string) => void (err += text);
      expect(await main(["plan", "--env", "staging", "--kestra-url", kestra.url, "--format", "json"], io)).toBe(0);
      expect(err).toMatch(/waiting for Kestra: GET \/api\/v1\/\S+: HTTP 50\d; try 2 of 5 in /);
      expect(err).toMatch(/try 3 of 5/);
      expect(err).not.toContain(PASSWORD);
    } finally {
      await kestra.close();
    }
  });
});
