import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { childProcessEnv, flowopsChecks, KestraTargets, KestraTargetsConfigError, runCiDeploy, withdrawSecrets } from "@flowops/sync-bot";
import { appPrivateKey, configYaml, FLOW, KESTRA_PASSWORD, KESTRA_USERNAME, startCatcher, WEBHOOK_SECRET, World } from "./harness.js";

// Real Git, real servers and child processes on a busy machine: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

/**
 * Issue 9, item 2: the Kestra URL and the credential variables are the operator's, never the
 * repository's. An approved PR points staging at a catcher on 127.0.0.1 and names the bot's
 * own secrets as Kestra credentials; the catcher must receive nothing and the deploy be refused.
 */
let w: World;
let catcher: Awaited<ReturnType<typeof startCatcher>>;

beforeEach(async () => {
  w = await World.start();
  catcher = await startCatcher();
}, 60_000);

afterEach(async () => {
  expect(w.github.violations).toEqual([]);
  await catcher.close();
  await w.stop();
});

/** Merges an approved PR that changes the staging config to `kestra`; returns the push. */
async function mergeApprovedConfig(kestra: { url: string; extra: string }): Promise<{ before: string; after: string; pull: number }> {
  await w.platform.commit("redirect", "Move staging", {
    "flowops.config.yaml": configYaml({ kestraUrl: kestra.url, extraKestra: kestra.extra }),
    "flows/bronze/new_flow.yaml": FLOW("new_flow"),
  });
  const pull = await w.github.openPullRequest(w.repo, { head: "redirect", author: "alice" });
  w.github.submitReview(w.repo, pull.number, "bob", "APPROVED");
  const merge = await w.github.mergePullRequest(w.repo, pull.number);
  return { before: merge.before, after: merge.after, pull: pull.number };
}

function everythingSeen(): string {
  return [JSON.stringify(catcher.requests), w.logLines.join("\n"), JSON.stringify(w.github.comments(w.repo)), JSON.stringify(w.github.deployments(w.repo)), JSON.stringify(w.github.checkRuns(w.repo))].join("\n");
}

describe("bot serve", () => {
  it("refuses an approved PR that sends staging to another host with usernameEnv: GITHUB_WEBHOOK_SECRET; the catcher receives nothing", async () => {
    const botEnv = { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, GITHUB_APP_PRIVATE_KEY: appPrivateKey(), KESTRA_URL: w.kestra.url, KESTRA_USERNAME, KESTRA_PASSWORD };
    await w.startBot(flowopsChecks({ kestra: await KestraTargets.fromBotEnvironment(botEnv) }));
    const push = await mergeApprovedConfig({ url: catcher.url, extra: "usernameEnv: GITHUB_WEBHOOK_SECRET, passwordEnv: GITHUB_APP_PRIVATE_KEY" });
    await w.deliverPush({ before: push.before, after: push.after, pusher: "alice" });

    expect(catcher.requests).toEqual([]);
    expect(w.kestra.writeCount()).toBe(0);
    expect(w.bot!.deliveries.at(-1)!.deploy).toMatchObject({ status: "failed" });
    expect(w.github.deployments(w.repo).at(-1)!.statuses.map((s) => s.state)).toEqual(["in_progress", "failure"]);
    const comment = w.github.comments(w.repo, push.pull).find((c) => c.body.includes("<!-- flowops:deploy:staging -->"));
    expect(comment!.body).toMatch(/names GITHUB_WEBHOOK_SECRET as usernameEnv of environment staging.*refused, not followed/);
    expect(everythingSeen()).not.toContain(WEBHOOK_SECRET);
    expect(everythingSeen()).not.toContain("PRIVATE KEY");
  });

  it("refuses another host even with the default variable names: the URL is the operator's", async () => {
    await w.startBot(flowopsChecks({ kestra: await KestraTargets.fromBotEnvironment({ KESTRA_URL: w.kestra.url, KESTRA_USERNAME, KESTRA_PASSWORD }) }));
    const push = await mergeApprovedConfig({ url: `${catcher.url}/kestra`, extra: "tenant: main" });
    await w.deliverPush({ before: push.before, after: push.after, pusher: "alice" });
    expect(catcher.requests).toEqual([]);
    expect(w.kestra.writeCount()).toBe(0);
    const comment = w.github.comments(w.repo, push.pull).find((c) => c.body.includes("<!-- flowops:deploy:staging -->"));
    expect(comment!.body).toContain(`sends environment staging to ${catcher.url}, but the operator fixed ${w.kestra.url}: refused, not followed`);
    expect(everythingSeen()).not.toContain(KESTRA_PASSWORD);
  });

  it("deploys to the operator's Kestra when the repository names the same host and the default variables", async () => {
    await w.startBot(flowopsChecks({ kestra: await KestraTargets.fromBotEnvironment({ KESTRA_URL: w.kestra.url, KESTRA_USERNAME, KESTRA_PASSWORD }) }));
    const push = await mergeApprovedConfig({ url: w.kestra.url, extra: "usernameEnv: KESTRA_USERNAME" });
    await w.deliverPush({ before: push.before, after: push.after, pusher: "alice" });
    expect(w.bot!.deliveries.at(-1)!.deploy).toMatchObject({ status: "deployed" });
    expect(w.kestra.liveFlows().map((f) => f.id)).toContain("new_flow");
  });

  it("refuses, at start, a bot config that names one of the bot's own secrets as a Kestra credential", async () => {
    const file = join(w.scratch, "bot.yaml");
    for (const name of ["GITHUB_WEBHOOK_SECRET", "GITHUB_APP_PRIVATE_KEY", "GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN"]) {
      await writeFile(file, `environments:\n  staging:\n    url: ${w.kestra.url}\n    tokenEnv: ${name}\n`);
      await expect(KestraTargets.fromBotEnvironment({ FLOWOPS_BOT_CONFIG: file, [name]: "s3cr3t-value" })).rejects.toThrow(KestraTargetsConfigError);
    }
  });

  it("follows an operator's allow-list of hosts: the repository's URL on an allowed host is used, any other refused", async () => {
    const file = join(w.scratch, "bot-hosts.yaml");
    await writeFile(file, "environments:\n  production:\n    allowedHosts: [kestra.example.com]\n    tokenEnv: KESTRA_PRODUCTION_TOKEN\n");
    const targets = await KestraTargets.fromBotEnvironment({ FLOWOPS_BOT_CONFIG: file, KESTRA_PRODUCTION_TOKEN: "prod-token-123" });
    const options = targets.clientOptions({ name: "production", kestra: { url: "https://kestra.example.com/kestra", tokenEnv: "KESTRA_PRODUCTION_TOKEN" } });
    expect(options).toMatchObject({ url: "https://kestra.example.com/kestra", auth: { kind: "bearer", token: "prod-token-123" } });
    expect(() => targets.clientOptions({ name: "production", kestra: { url: catcher.url } })).toThrow(/not among the hosts the operator allows/);
    expect(() => targets.clientOptions({ name: "staging", kestra: { url: "https://kestra.example.com" } })).toThrow(/operator fixed no Kestra for environment staging/);
  });

  it("gives child processes (git) none of the bot's secrets, and takes them out of the process environment", () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"], HOME: "/tmp", GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, GITHUB_APP_PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----x", GITHUB_TOKEN: "ghs_abcdef", KESTRA_PASSWORD, MY_API_KEY: "k-123456" };
    const child = spawnSync("env", [], { env: childProcessEnv({}, env), encoding: "utf8" });
    expect(child.stdout).toContain("PATH=");
    for (const secret of [WEBHOOK_SECRET, "ghs_abcdef", KESTRA_PASSWORD, "k-123456", "PRIVATE KEY"]) expect(child.stdout).not.toContain(secret);
    const snapshot = withdrawSecrets(env);
    expect(Object.keys(env).sort()).toEqual(["HOME", "PATH"]);
    expect(snapshot["GITHUB_WEBHOOK_SECRET"]).toBe(WEBHOOK_SECRET);
  });
});

describe("ci deploy", () => {
  it("refuses an approved PR that sends staging to another host with usernameEnv: GITHUB_TOKEN; the catcher receives nothing", async () => {
    const push = await mergeApprovedConfig({ url: catcher.url, extra: "usernameEnv: GITHUB_TOKEN, passwordEnv: KESTRA_PASSWORD" });
    const env = await w.actionsPushEnv({ before: push.before, after: push.after, pusher: "alice" }, { KESTRA_URL: w.kestra.url, KESTRA_USERNAME, KESTRA_PASSWORD });
    expect(await runCiDeploy(env, "staging", { flowops: flowopsChecks({ kestra: KestraTargets.fromActions(env) }), log: w.log })).toBe(1);
    expect(catcher.requests).toEqual([]);
    expect(w.kestra.writeCount()).toBe(0);
    expect(w.logLines.join("\n") + JSON.stringify(w.github.comments(w.repo))).toMatch(/names GITHUB_TOKEN as usernameEnv of environment staging/);
    expect(everythingSeen()).not.toContain(env["GITHUB_TOKEN"]!);
  });

  it("refuses to deploy when the workflow sets no KESTRA_URL, rather than follow the repository's", async () => {
    const push = await mergeApprovedConfig({ url: catcher.url, extra: "tenant: main" });
    const env = await w.actionsPushEnv({ before: push.before, after: push.after, pusher: "alice" }, { KESTRA_USERNAME, KESTRA_PASSWORD });
    expect(await runCiDeploy(env, "staging", { flowops: flowopsChecks({ kestra: KestraTargets.fromActions(env) }), log: w.log })).toBe(1);
    expect(catcher.requests).toEqual([]);
    expect(JSON.stringify(w.github.comments(w.repo))).toMatch(/operator fixed no Kestra URL for environment staging: set KESTRA_URL/);
  });
});
