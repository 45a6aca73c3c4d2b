import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createBotServer, routeWebhook, type BotLogger, type BotServer } from "@flowops/sync-bot";
import { git, GitHubDouble } from "./github-double/index.js";
import { FakeFlowops } from "./github-double/flowops-fake.js";
import { Platform } from "./github-double/platform.js";
import { pullRequestEvent, pushEvent, signature256, webhookExamples } from "./github-double/events.js";
import { repoRoot, sharedAvailable, UNPACED_GITHUB } from "./support.js";

// Real Git over HTTP on a busy shared machine: generous limits (the work itself is not timed).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const APP_ID = 4711;
const INSTALLATION = 77;
const SECRET = "webhook-secret-for-tests";
const UNPINNED_FLOW = "id: usage_daily\ntasks:\n  - id: load\n    type: io.kestra.plugin.scripts.python.Script\n    containerImage: python:latest\n    script: print(1)\n";
const PINNED_FLOW = UNPINNED_FLOW.replace("python:latest", "python:3.12-slim");

const CORPUS = join(repoRoot, "..", "shared", "corpus", "github-deliveries", "cogni-git-review");

let privateKey: string;
beforeAll(() => {
  privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
});

let double: GitHubDouble;
let platform: Platform;
let flowops: FakeFlowops;
let bot: BotServer;
let botUrl: string;
let logLines: string[];

function logger(): BotLogger {
  return { info: (m) => logLines.push(`info ${m}`), warn: (m) => logLines.push(`warn ${m}`), error: (m) => logLines.push(`error ${m}`) };
}

async function startBot(secret = SECRET): Promise<void> {
  bot = createBotServer({ appId: APP_ID, privateKey, webhookSecret: secret, flowops, baseUrl: double.url, github: UNPACED_GITHUB, catchUpIntervalMs: 0, log: logger() });
  botUrl = `http://127.0.0.1:${await bot.listen(0)}`;
}

beforeEach(async () => {
  logLines = [];
  double = await GitHubDouble.start();
  double.registerApp(APP_ID, privateKey);
  double.addInstallation(INSTALLATION, ["acme/flows"]);
  platform = await Platform.create(double);
  flowops = new FakeFlowops();
  await startBot();
});

afterEach(async () => {
  await bot.close();
  expect(double.violations).toEqual([]);
  expect(logLines.join("\n")).not.toMatch(/ghs_[0-9a-f]{8}/);
  await double.stop();
  await platform.dispose();
});

let deliveryCount = 0;
async function deliver(event: string, payload: unknown, options: { id?: string; secret?: string; tamper?: boolean; signature?: string | null } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const raw = JSON.stringify(payload);
  const signature = options.signature === undefined ? signature256(raw, options.secret ?? SECRET) : options.signature;
  const sent = options.tamper ? raw.replace('"opened"', '"closed"').replace('"ref"', '"ref" ') : raw;
  const headers: Record<string, string> = { "content-type": "application/json", "x-github-event": event, "x-github-delivery": options.id ?? `delivery-${++deliveryCount}` };
  if (signature) headers["x-hub-signature-256"] = signature;
  const response = await fetch(`${botUrl}/api/github/webhooks`, { method: "POST", headers, body: sent });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 400) throw new Error("condition not reached in 20 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function prPayload(number: number, action: "opened" | "synchronize" = "opened") {
  return pullRequestEvent(action, double.repositoryPayload(platform.fullName), double.pullPayload(platform.fullName, number), INSTALLATION);
}

function botComments(number: number, key = "impact") {
  return double.comments(platform.fullName, number).filter((c) => c.user.type === "Bot" && c.body.includes(`<!-- flowops:${key} -->`));
}

async function openPr(branch: string, files: Record<string, string>) {
  await platform.commit(branch, `Change on ${branch}`, files);
  return double.openPullRequest(platform.fullName, { head: branch, author: "alice" });
}

async function mergeApproved(branch: string, files: Record<string, string>, approve = true) {
  await platform.pullMain();
  const pull = await openPr(branch, files);
  if (approve) double.submitReview(platform.fullName, pull.number, "bob", "APPROVED");
  const merge = await double.mergePullRequest(platform.fullName, pull.number);
  const payload = pushEvent({ ref: "refs/heads/main", before: merge.before, after: merge.after, pusher: "alice", repository: double.repositoryPayload(platform.fullName), installationId: INSTALLATION });
  return { pull, merge, payload };
}

describe("webhook signatures", () => {
  it.runIf(sharedAvailable(CORPUS))("verifies every real delivery of the corpus with its secret, and refuses each one tampered", async () => {
    await bot.close();
    const secret = readFileSync(join(CORPUS, "WEBHOOK_SECRET.txt"), "utf8").trim();
    await startBot(secret);
    const stems = readFileSync(join(CORPUS, "INDEX.tsv"), "utf8").trim().split("\n").slice(1).map((line) => line.split("\t"));
    expect(stems.length).toBeGreaterThanOrEqual(9);
    for (const [stem, event, action] of stems) {
      const body = readFileSync(join(CORPUS, `${stem}.body.raw`));
      const headers = JSON.parse(readFileSync(join(CORPUS, `${stem}.headers.json`), "utf8")) as Record<string, string>;
      const send = (payload: Buffer) =>
        fetch(`${botUrl}/api/github/webhooks`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-github-event": headers["x-github-event"]!, "x-github-delivery": headers["x-github-delivery"]!, "x-hub-signature-256": headers["x-hub-signature-256"]! },
          body: payload,
        });
      const tampered = Buffer.from(body);
      const at = tampered.length - 2;
      tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
      expect((await send(tampered)).status, `${stem} tampered`).toBe(401);
      const response = await send(body);
      const parsed = JSON.parse(body.toString("utf8")) as { check_suite?: { pull_requests?: unknown[] } };
      const rerequestOfPr = event === "check_suite" && action === "rerequested" && (parsed.check_suite?.pull_requests ?? []).length > 0;
      const expected = (event === "pull_request" && ["opened", "synchronize"].includes(action!)) || rerequestOfPr ? 202 : 200;
      expect(response.status, stem).toBe(expected);
    }
    await bot.idle();
    // The corpus's installation is not on the double: the background work stops at the token, without network.
    expect(bot.deliveries.map((d) => d.status)).toEqual(bot.deliveries.map(() => "failed"));
    expect(double.requests.every((r) => r.operationId === "apps/create-installation-access-token")).toBe(true);
  });

  it("answers 401 to a tampered body or a missing or wrong signature, and does nothing", async () => {
    const pull = await openPr("usage", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW });
    expect((await deliver("pull_request", prPayload(pull.number), { tamper: true })).status).toBe(401);
    expect((await deliver("pull_request", prPayload(pull.number), { signature: null })).status).toBe(401);
    expect((await deliver("pull_request", prPayload(pull.number), { secret: "not-the-secret" })).status).toBe(401);
    expect((await deliver("pull_request", prPayload(pull.number), { signature: "sha256=zz" })).status).toBe(401);
    await bot.idle();
    expect(double.requests).toEqual([]);
    expect(bot.deliveries).toEqual([]);
    expect(logLines.filter((l) => l.includes("signature does not match"))).toHaveLength(3);
  });
});

describe("routing GitHub's example payloads", () => {
  it("routes pull_request opened/synchronize/reopened and branch pushes, ignores the rest", () => {
    let routed = 0;
    for (const group of webhookExamples()) {
      for (const example of group.examples) {
        const payload = { ...example, installation: { id: INSTALLATION } };
        const route = routeWebhook(group.name, payload);
        const action = String(example["action"] ?? "");
        let expected = "ignore";
        if (!(example as { repository?: unknown }).repository) expected = "ignore";
        else if (group.name === "pull_request" && ["opened", "synchronize", "reopened"].includes(action)) expected = "pull-request";
        else if (group.name === "push" && String(example["ref"]).startsWith("refs/heads/") && example["deleted"] !== true) expected = "push";
        else if (group.name === "check_suite" && action === "rerequested" && ((example["check_suite"] as { pull_requests?: unknown[] }).pull_requests ?? []).length > 0) expected = "rerequest";
        expect(route.kind, `${group.name}.${action}`).toBe(expected);
        if (route.kind !== "ignore") routed++;
      }
    }
    expect(routed).toBeGreaterThanOrEqual(6);
  });

  it("ignores every event over HTTP that it does not handle, without calling GitHub", async () => {
    for (const group of webhookExamples().filter((g) => !["pull_request", "push", "check_run", "check_suite"].includes(g.name))) {
      const response = await deliver(group.name, group.examples[0]);
      expect(response.status, group.name).toBe(200);
      expect(response.body["ignored"]).toBeTruthy();
    }
    await bot.idle();
    expect(double.requests).toEqual([]);
  });
});

describe("the GitHub App end to end", () => {
  it("checks a PR in the background: 202 at once, then a failing check with the annotation and one comment", async () => {
    const pull = await openPr("usage", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW });
    const release = double.holdApi();
    const response = await deliver("pull_request", prPayload(pull.number));
    // The answer came while every GitHub API call of the work was still held.
    expect(response.status).toBe(202);
    expect(double.checkRuns(platform.fullName)).toEqual([]);
    release();
    await bot.idle();
    const [run] = double.checkRuns(platform.fullName, pull.head.sha);
    expect(run).toMatchObject({ name: "flowops", conclusion: "failure" });
    expect(run!.annotations).toEqual([expect.objectContaining({ path: "flows/silver/usage_daily.yaml", start_line: 5 })]);
    expect(botComments(pull.number)).toEqual([expect.objectContaining({ user: { login: "flowops-test[bot]", type: "Bot" } })]);
    expect(double.requests.filter((r) => r.operationId === "apps/create-installation-access-token")).toHaveLength(1);
  });

  it("checks a PR from a fork through refs/pull/N/head (the head branch is not in the repository)", async () => {
    const pull = await openPr("fork-change", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW });
    await git(platform.bare, ["update-ref", "-d", "refs/heads/fork-change"]);
    expect((await deliver("pull_request", prPayload(pull.number))).status).toBe(202);
    await bot.idle();
    expect(bot.deliveries.at(-1)).toMatchObject({ status: "done" });
    expect(double.checkRuns(platform.fullName, pull.head.sha)).toEqual([expect.objectContaining({ conclusion: "failure" })]);
  });

  it("treats a redelivery as harmless: coalesced while running, idempotent after", async () => {
    const pull = await openPr("usage", { "flows/silver/usage_daily.yaml": PINNED_FLOW });
    const release = double.holdApi();
    expect((await deliver("pull_request", prPayload(pull.number), { id: "same-delivery" })).status).toBe(202);
    const again = await deliver("pull_request", prPayload(pull.number), { id: "same-delivery" });
    expect(again).toMatchObject({ status: 202, body: { note: "already being processed" } });
    release();
    await bot.idle();
    expect(double.checkRuns(platform.fullName)).toHaveLength(1);

    expect((await deliver("pull_request", prPayload(pull.number), { id: "same-delivery" })).status).toBe(202);
    await bot.idle();
    const [comment, ...more] = botComments(pull.number);
    expect(more).toEqual([]);
    expect(comment!.edits).toBe(0);
  });

  it("edits the comment on a synchronize and re-runs the check when GitHub asks", async () => {
    const pull = await openPr("usage", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW });
    await deliver("pull_request", prPayload(pull.number));
    await bot.idle();
    await platform.commit("usage", "Pin", { "flows/silver/usage_daily.yaml": PINNED_FLOW });
    const synced = await double.synchronizePullRequest(platform.fullName, pull.number);
    await deliver("pull_request", prPayload(pull.number, "synchronize"));
    await bot.idle();
    expect(botComments(pull.number)).toEqual([expect.objectContaining({ edits: 1 })]);
    expect(double.checkRuns(platform.fullName, synced.head.sha)).toEqual([expect.objectContaining({ conclusion: "success" })]);

    const rerequest = { action: "rerequested", check_suite: { id: 1, head_sha: synced.head.sha, pull_requests: [{ number: pull.number }] }, repository: double.repositoryPayload(platform.fullName), installation: { id: INSTALLATION } };
    expect((await deliver("check_suite", rerequest)).status).toBe(202);
    await bot.idle();
    expect(double.checkRuns(platform.fullName, synced.head.sha)).toHaveLength(2);
    expect(botComments(pull.number)).toHaveLength(1);
  });

  it("deploys an approved merge: deployment, statuses, flows, result comment", async () => {
    const { pull, merge, payload } = await mergeApproved("usage", { "flows/silver/usage_daily.yaml": PINNED_FLOW });
    expect((await deliver("push", payload)).status).toBe(202);
    await bot.idle();
    expect(bot.deliveries.at(-1)).toMatchObject({ status: "done", deploy: { status: "deployed", exitCode: 0 } });
    const [deployment] = double.deployments(platform.fullName);
    expect(deployment).toMatchObject({ sha: merge.after, environment: "staging", auto_merge: false, required_contexts: [] });
    expect(deployment!.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(flowops.kestra.get("staging")!.get("customer_2.silver/usage_daily")).toBe(PINNED_FLOW);
    expect(botComments(pull.number, "deploy:staging")).toEqual([expect.objectContaining({ body: expect.stringContaining("deployed") })]);
  });

  it("refuses a merge without approval: nothing deployed", async () => {
    const { pull, payload } = await mergeApproved("usage", { "flows/silver/usage_daily.yaml": PINNED_FLOW }, false);
    await deliver("push", payload);
    await bot.idle();
    expect(bot.deliveries.at(-1)).toMatchObject({ deploy: { status: "refused", exitCode: 1 } });
    expect(double.deployments(platform.fullName)).toEqual([]);
    expect(flowops.deploys).toEqual([]);
    expect(botComments(pull.number, "deploy:staging")[0]!.body).toContain("refused");
  });

  it("serialises two merges in a row; the environment ends at the second", async () => {
    const first = await mergeApproved("first", { "flows/silver/usage_daily.yaml": PINNED_FLOW });
    const hold = flowops.hold();
    await deliver("push", first.payload);
    await hold.started;
    const second = await mergeApproved("second", { "flows/silver/usage_daily.yaml": PINNED_FLOW.replace("print(1)", "print(2)") });
    await deliver("push", second.payload);
    // The second delivery has cloned and read its policy: it is at the deploy queue.
    await waitFor(() => flowops.policyReads.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(flowops.deploys.map((d) => d.sha)).toEqual([first.merge.after]);
    hold.release();
    await bot.idle();
    expect(flowops.maxConcurrentDeploys).toBe(1);
    expect(flowops.deploys.map((d) => d.sha)).toEqual([first.merge.after, second.merge.after]);
    expect(flowops.kestra.get("staging")!.get("customer_1.silver/usage_daily")).toContain("print(2)");
    expect(double.deployments(platform.fullName).map((d) => [d.sha, d.statuses.at(-1)!.state])).toEqual([[first.merge.after, "success"], [second.merge.after, "success"]]);
  });

  it("ignores pushes to other branches and tags", async () => {
    await platform.commit("feature", "wip", { "flows/x.yaml": PINNED_FLOW });
    const payload = pushEvent({ ref: "refs/heads/feature", before: "0".repeat(40), after: "1".repeat(40), pusher: "alice", repository: double.repositoryPayload(platform.fullName), installationId: INSTALLATION });
    expect((await deliver("push", payload)).status).toBe(202);
    const tag = { ...payload, ref: "refs/tags/v1" };
    expect((await deliver("push", tag)).status).toBe(200);
    await bot.idle();
    expect(flowops.deploys).toEqual([]);
    expect(double.deployments(platform.fullName)).toEqual([]);
  });

  it("serves /healthz and drains the work in progress on close", async () => {
    const health = await fetch(`${botUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", inFlight: 0 });
    expect((await fetch(`${botUrl}/elsewhere`)).status).toBe(404);

    const pull = await openPr("usage", { "flows/silver/usage_daily.yaml": PINNED_FLOW });
    expect((await deliver("pull_request", prPayload(pull.number))).status).toBe(202);
    await bot.close();
    expect(double.checkRuns(platform.fullName, pull.head.sha)).toEqual([expect.objectContaining({ conclusion: "success" })]);
    await expect(fetch(`${botUrl}/healthz`)).rejects.toThrow();
  });
});
