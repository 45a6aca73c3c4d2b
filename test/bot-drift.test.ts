import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBotServer, createGitHubClient, driftFingerprint, driftIssues, driftMarker, flowopsChecks, GitHubRepository, KestraTargets, type BotServer, type CatchUpRecord } from "@flowops/sync-bot";
import { AWS_COSTS } from "./github-double/platform.js";
import { BOT_LOGIN } from "./github-double/index.js";
import { UNPACED_GITHUB } from "./support.js";
import { APP_ID, appPrivateKey, configYaml, FLOW, KESTRA_PASSWORD, KESTRA_USERNAME, WEBHOOK_SECRET, World } from "./security/harness.js";

// Real Git, the real flowops packages and the Kestra double on a busy machine: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

/**
 * Issue 12, item 2: each catch-up pass plans the environment at its deploy branch tip against
 * Kestra and reports drift once per distinct drift (one open issue `flowops drift: <env>` edited
 * in place, a check run on the deployed commit), closes the issue when the drift is gone, and
 * overwrites drift only where the deployed config says `deploy.selfHeal: true`.
 */
let w: World;
let bot: BotServer | null = null;
const TITLE = "flowops drift: staging";
const AWS = { namespace: "customer_1.bronze", id: "aws_costs" };
const USAGE = { namespace: "customer_1.bronze", id: "usage_daily" };
const HAND_MADE = `id: hand_made\nnamespace: customer_1.bronze\ntasks:\n  - id: say\n    type: io.kestra.plugin.core.log.Log\n    message: made in the UI\n`;

async function merge(branch: string, files: Record<string, string>): Promise<string> {
  await w.platform.pullMain();
  await w.platform.commit(branch, `Change on ${branch}`, files);
  const pull = await w.github.openPullRequest(w.repo, { head: branch, author: "alice" });
  w.github.submitReview(w.repo, pull.number, "bob", "APPROVED");
  return (await w.github.mergePullRequest(w.repo, pull.number)).after;
}

/**
 * A platform deployed by the bot itself: a first merge recorded as deployed (the trusted start),
 * then a merge that the first catch-up pass deploys to the Kestra double; returns that pass.
 */
async function deployedPlatform(config: string): Promise<{ sha: string; records: CatchUpRecord[] }> {
  const start = await merge("start", { "flowops.config.yaml": config, "tenants/customer_1.yaml": "code: customer_1\nname: Customer One\n", "flows/bronze/aws_costs.yaml": AWS_COSTS });
  w.github.recordDeployment(w.repo, { sha: start, environment: "staging", states: ["in_progress", "success"] });
  const sha = await merge("usage", { "flows/bronze/usage_daily.yaml": FLOW("usage_daily") });
  bot = createBotServer({
    appId: APP_ID,
    privateKey: appPrivateKey(),
    webhookSecret: WEBHOOK_SECRET,
    flowops: flowopsChecks({ kestra: KestraTargets.fromActions({ KESTRA_URL: w.kestra.url, KESTRA_USERNAME, KESTRA_PASSWORD }) }),
    baseUrl: w.github.url,
    github: UNPACED_GITHUB,
    catchUpIntervalMs: 3_600_000,
    log: w.log,
  });
  await bot.listen(0);
  const records = await bot.catchUp(); // the pass `listen` started
  expect(records).toEqual([expect.objectContaining({ status: "deployed", tip: sha })]);
  return { sha, records };
}

/** Edits a flow in the Kestra double as Kestra's UI would: a new revision with another source (labels kept). */
function editInUi(flow: { namespace: string; id: string }, from: string, to: string): string {
  const live = w.kestra.liveFlow(flow.namespace, flow.id)!;
  expect(live.source).toContain(from);
  w.kestra.seedFlow(live.source.replace(from, to));
  return live.source;
}

function openDriftIssues() {
  return w.github.issues(w.repo).filter((issue) => issue.state === "open" && issue.title === TITLE);
}

function driftChecks(sha: string) {
  return w.github.checkRuns(w.repo, sha).filter((run) => run.name === "flowops drift (staging)");
}

/** GitHub requests that write (anything but GET) since `from`. */
function gitHubWritesSince(from: number): string[] {
  return w.github.requests.slice(from).filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.operationId}`);
}

async function pass(): Promise<NonNullable<CatchUpRecord["drift"]>> {
  const [record] = await bot!.catchUp();
  expect(record).toMatchObject({ status: "up-to-date" });
  return record!.drift!;
}

beforeEach(async () => {
  w = await World.start();
}, 60_000);

afterEach(async () => {
  await bot?.close();
  bot = null;
  expect(w.github.violations).toEqual([]);
  expect(w.logLines.join("\n")).not.toContain(KESTRA_PASSWORD);
  await w.stop();
});

describe("bot serve: drift reports", () => {
  it("opens one drift issue and a check run for a flow edited in Kestra, stays quiet while it lasts, edits the same issue for another drift, and closes it when Kestra matches Git again", async () => {
    const { sha, records } = await deployedPlatform(configYaml({ kestraUrl: w.kestra.url }));
    expect(records[0]!.drift).toMatchObject({ env: "staging", status: "in-sync" });
    const kestraWrites = w.kestra.writeCount();
    // A flow nobody manages, made and then edited by hand in a tenant's namespace: never flowops's business.
    w.kestra.seedFlow(HAND_MADE);
    w.kestra.seedFlow(HAND_MADE.replace("made in the UI", "edited in the UI"));
    const original = editInUi(AWS, "echo extract", "echo edited-in-the-ui");

    const first = await pass();
    expect(first).toMatchObject({ env: "staging", status: "reported", flows: 1, healed: 0 });
    expect(openDriftIssues()).toHaveLength(1);
    const [issue] = openDriftIssues();
    expect(issue).toMatchObject({ number: first.issue, labels: ["flowops-drift"], user: { login: BOT_LOGIN } });
    expect(issue!.body).toContain("`customer_1.bronze` | `aws_costs` | customer_1 | changed in Kestra (revision 2)");
    expect(issue!.body).toContain(`<!-- flowops:drift env=staging fingerprint=${first.fingerprint} sha=${sha} -->`);
    expect(issue!.body).toContain("`deploy.selfHeal` is off");
    expect(issue!.body).not.toContain("hand_made");
    expect(driftChecks(sha)).toEqual([expect.objectContaining({ status: "completed", conclusion: "action_required", details_url: `https://github.com/${w.repo}/issues/${issue!.number}` })]);
    expect(driftChecks(sha)[0]!.output.summary).toContain("aws_costs");

    // The same drift on the next pass: not one write to GitHub, nothing written to Kestra.
    const before = w.github.requests.length;
    expect(await pass()).toMatchObject({ status: "unchanged", issue: issue!.number, fingerprint: first.fingerprint });
    expect(gitHubWritesSince(before)).toEqual([]);
    expect(issue!.edits).toBe(0);
    expect(driftChecks(sha)).toHaveLength(1);

    // Another drift: the same issue is edited in place, and a new check run says so.
    editInUi(USAGE, "message: hello", "message: hello from the UI");
    const second = await pass();
    expect(second).toMatchObject({ status: "reported", issue: issue!.number, flows: 2 });
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(openDriftIssues()).toHaveLength(1);
    expect(issue!.edits).toBe(1);
    expect(issue!.body).toContain("`usage_daily`");
    expect(issue!.body).toContain(`fingerprint=${second.fingerprint}`);
    expect(driftChecks(sha)).toHaveLength(2);

    // A flow deleted by hand is missing drift.
    const usageSource = w.kestra.liveFlow(USAGE.namespace, USAGE.id)!.source;
    const deleted = await fetch(`${w.kestra.url}/api/v1/main/flows/${USAGE.namespace}/${USAGE.id}`, { method: "DELETE", headers: { authorization: `Basic ${Buffer.from(`${KESTRA_USERNAME}:${KESTRA_PASSWORD}`).toString("base64")}` } });
    expect(deleted.status).toBeLessThan(300);
    expect(await pass()).toMatchObject({ status: "reported", issue: issue!.number, flows: 2 });
    expect(issue!.body).toContain("`usage_daily` | customer_1 | missing from Kestra");

    // Kestra matches Git again: the next pass closes the issue with a comment and a successful check run.
    w.kestra.seedFlow(original);
    w.kestra.seedFlow(usageSource.replace("message: hello from the UI", "message: hello"));
    expect(await pass()).toMatchObject({ status: "closed", issue: issue!.number, flows: 0 });
    expect(issue).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(w.github.comments(w.repo, issue!.number)).toEqual([expect.objectContaining({ body: expect.stringMatching(new RegExp(`^Drift gone at \\d{4}-.*\`${sha.slice(0, 12)}\``)) })]);
    expect(driftChecks(sha).at(-1)).toMatchObject({ conclusion: "success" });
    expect(await pass()).toMatchObject({ status: "in-sync" });

    // Report only: the bot never wrote to Kestra (the one write is the test's own delete), and the hand-made flow kept its two revisions.
    expect(w.kestra.writeCount()).toBe(kestraWrites + 1);
    expect(w.kestra.revisions("customer_1.bronze", "hand_made")).toHaveLength(2);
    expect(w.github.issues(w.repo)).toHaveLength(1);
  });

  it("with deploy.selfHeal: true in the deployed config, overwrites a drifted flow through a recorded deployment and reports it, leaving unmanaged flows alone", async () => {
    const { sha } = await deployedPlatform(`${configYaml({ kestraUrl: w.kestra.url })}  selfHeal: true\n`);
    w.kestra.seedFlow(HAND_MADE);
    const original = editInUi(AWS, "echo extract", "echo edited-in-the-ui");
    const deployments = w.github.deployments(w.repo).length;

    const healed = await pass();
    expect(healed).toMatchObject({ env: "staging", status: "healed", flows: 0, healed: 1 });
    const live = w.kestra.liveFlow(AWS.namespace, AWS.id)!;
    expect(live.source).toBe(original);
    expect(w.kestra.revisions(AWS.namespace, AWS.id).map((r) => r.revision)).toEqual([1, 2, 3]);
    // The heal went through the gated deploy path: a deployment of the same commit, with its lease and outcome.
    const heal = w.github.deployments(w.repo).slice(deployments);
    expect(heal).toEqual([expect.objectContaining({ sha, environment: "staging", description: `flowops: self-heal of staging at ${sha.slice(0, 12)}` })]);
    expect(heal[0]!.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(driftChecks(sha)).toEqual([expect.objectContaining({ conclusion: "success", output: expect.objectContaining({ title: "Self-healed 1 flow(s) in staging" }) })]);
    expect(driftChecks(sha)[0]!.output.summary).toContain("aws_costs");
    expect(openDriftIssues()).toEqual([]);
    // The hand-made flow without the ownership label was neither reported nor touched.
    expect(w.kestra.revisions("customer_1.bronze", "hand_made")).toHaveLength(1);

    // Healed drift is gone: the next pass finds Kestra in sync and writes nothing.
    const writes = w.kestra.writeCount();
    expect(await pass()).toMatchObject({ status: "in-sync" });
    expect(w.kestra.writeCount()).toBe(writes);
  });

  it("reports a managed flow Git no longer renders and leaves it while deploy.prune is off, even with selfHeal", async () => {
    const { sha } = await deployedPlatform(`${configYaml({ kestraUrl: w.kestra.url })}  selfHeal: true\n`);
    const leftover = w.kestra.liveFlow(AWS.namespace, AWS.id)!.source.replace("id: aws_costs", "id: retired_flow");
    w.kestra.seedFlow(leftover);
    const writes = w.kestra.writeCount();
    const deployments = w.github.deployments(w.repo).length;
    const record = await pass();
    expect(record).toMatchObject({ status: "reported", flows: 1, healed: 0 });
    const [issue] = openDriftIssues();
    expect(issue!.body).toContain("`retired_flow` | customer_1 | in Kestra, no longer rendered by Git");
    expect(issue!.body).toContain("`deploy.prune` is off");
    expect(driftChecks(sha)).toEqual([expect.objectContaining({ conclusion: "action_required" })]);
    // Nothing healable: no deploy ran, nothing was written to Kestra.
    expect(w.github.deployments(w.repo)).toHaveLength(deployments);
    expect(w.kestra.writeCount()).toBe(writes);
  });
});

describe("bot serve: self-heal stays behind the deploy guards", () => {
  it("never takes deploy.selfHeal from a commit that was not deployed: an unapproved merge turning it on heals nothing", async () => {
    await deployedPlatform(configYaml({ kestraUrl: w.kestra.url }));
    await w.platform.pullMain();
    await w.platform.commit("heal", "Turn self-heal on", { "flowops.config.yaml": `${configYaml({ kestraUrl: w.kestra.url })}  selfHeal: true\n` });
    const pull = await w.github.openPullRequest(w.repo, { head: "heal", author: "mallory" });
    const { after } = await w.github.mergePullRequest(w.repo, pull.number);
    editInUi(AWS, "echo extract", "echo edited-in-the-ui");
    const writes = w.kestra.writeCount();
    const [record] = await bot!.catchUp();
    expect(record).toMatchObject({ status: "refused", tip: after });
    expect(record!.drift).toBeUndefined();
    expect(w.kestra.writeCount()).toBe(writes);
    expect(w.kestra.liveFlow(AWS.namespace, AWS.id)!.source).toContain("echo edited-in-the-ui");
  });


  it("does not heal past maxDeleteShare: the refused heal is reported once and not retried while the drift stays the same", async () => {
    const { sha } = await deployedPlatform(`${configYaml({ kestraUrl: w.kestra.url, prune: true, maxDeleteShare: 0.25 })}  selfHeal: true\n`);
    // Two managed flows Git no longer renders next to the two it does: pruning them would delete half.
    const live = w.kestra.liveFlow(AWS.namespace, AWS.id)!.source;
    w.kestra.seedFlow(live.replace("id: aws_costs", "id: retired_a"));
    w.kestra.seedFlow(live.replace("id: aws_costs", "id: retired_b"));
    const writes = w.kestra.writeCount();
    const deployments = w.github.deployments(w.repo).length;

    const first = await pass();
    expect(first).toMatchObject({ status: "reported", flows: 2, healed: 0 });
    expect(w.kestra.writeCount()).toBe(writes);
    const heal = w.github.deployments(w.repo).slice(deployments);
    expect(heal).toHaveLength(1);
    expect(heal[0]!.statuses.map((s) => s.state)).toEqual(["in_progress", "failure"]);
    const [issue] = openDriftIssues();
    expect(issue!.body).toContain(`fingerprint=${first.fingerprint} sha=${sha} heal=failed`);
    expect(issue!.body).toMatch(/self-heal of this drift did not finish: .*would delete 2 of \d+ managed flows .*deploy\.maxDeleteShare/);
    expect(w.kestra.liveFlow(AWS.namespace, "retired_a")).toBeDefined();

    // The same drift again: no second heal attempt, no write to GitHub.
    const before = w.github.requests.length;
    expect(await pass()).toMatchObject({ status: "unchanged", issue: issue!.number });
    expect(gitHubWritesSince(before)).toEqual([]);
    expect(w.github.deployments(w.repo)).toHaveLength(deployments + 1);
  });
});

describe("bot serve: duplicate drift issues", () => {
  it("keeps the oldest of several open drift issues (a race of two replicas) and closes the others as duplicates", async () => {
    await deployedPlatform(configYaml({ kestraUrl: w.kestra.url }));
    const older = w.github.addIssue(w.repo, { title: TITLE, labels: ["flowops-drift"], author: BOT_LOGIN, type: "Bot" });
    const newer = w.github.addIssue(w.repo, { title: TITLE, labels: ["flowops-drift"], author: BOT_LOGIN, type: "Bot" });
    editInUi(AWS, "echo extract", "echo edited-in-the-ui");
    expect(await pass()).toMatchObject({ status: "reported", issue: older.number });
    expect(newer).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(w.github.comments(w.repo, newer.number).map((c) => c.body)).toEqual([`Duplicate of #${older.number}, which carries this drift.`]);
    expect(openDriftIssues().map((i) => i.number)).toEqual([older.number]);
    expect(older.body).toContain("`aws_costs`");
  });
});

describe("bot serve: drift reports ride through GitHub's bad minutes", () => {
  it("a 502 that hid a created issue leaves one open issue (the retry's copy is closed) and the check run pointing at it", async () => {
    const { sha } = await deployedPlatform(configYaml({ kestraUrl: w.kestra.url }));
    editInUi(AWS, "echo extract", "echo edited-in-the-ui");
    w.github.failNext("issues/create", { kind: "server-error", afterWriting: true });
    w.github.failNext("checks/create", { kind: "secondary-rate-limit", retryAfter: 1 });
    const record = await pass();
    const [open] = openDriftIssues();
    expect(record).toMatchObject({ status: "reported", issue: open!.number });
    expect(w.github.answers("issues/create")).toEqual([502, 201]);
    expect(w.github.issues(w.repo).filter((i) => i.state === "closed")).toEqual([expect.objectContaining({ state_reason: "not_planned", title: TITLE })]);
    expect(w.github.answers("checks/create").slice(-2)).toEqual([403, 201]);
    expect(driftChecks(sha)).toEqual([expect.objectContaining({ conclusion: "action_required", details_url: `https://github.com/${w.repo}/issues/${open!.number}` })]);
    // The next pass sees the drift already reported.
    expect(await pass()).toMatchObject({ status: "unchanged", issue: open!.number });
  });
});

describe("bot serve: drift waits while the App's own login is unknown", () => {
  /** An issue a workflow running as github-actions[bot] could open: the App's title, label and a marker claiming `fingerprint`. */
  function plantIssue(sha: string, fingerprint: string, healFailed: boolean) {
    return w.github.addIssue(w.repo, {
      title: TITLE,
      labels: ["flowops-drift"],
      author: "github-actions[bot]",
      type: "Bot",
      body: `Nothing to see here.\n${driftMarker({ env: "staging", fingerprint, sha, healFailed })}`,
    });
  }

  /** The fingerprint the App computes for `flows` edited in Kestra (the live source's sha256). */
  function changedFingerprint(...flows: { namespace: string; id: string }[]): string {
    return driftFingerprint("staging", flows.map((f) => ({ ...f, kind: "changed" as const, tenant: "customer_1", liveHash: createHash("sha256").update(w.kestra.liveFlow(f.namespace, f.id)!.source).digest("hex") })));
  }

  it("skips the drift pass (nothing read, edited or closed) while GET /app fails, then files its own issue past a planted one", async () => {
    const { sha } = await deployedPlatform(configYaml({ kestraUrl: w.kestra.url }));
    editInUi(AWS, "echo extract", "echo edited-in-the-ui");
    const fingerprint = changedFingerprint(AWS);
    const planted = plantIssue(sha, fingerprint, false);
    // The App's login was read at start; a new server (a restart) must read it again.
    await bot!.close();
    bot = createBotServer({ appId: APP_ID, privateKey: appPrivateKey(), webhookSecret: WEBHOOK_SECRET, flowops: flowopsChecks({ kestra: KestraTargets.fromActions({ KESTRA_URL: w.kestra.url, KESTRA_USERNAME, KESTRA_PASSWORD }) }), baseUrl: w.github.url, github: UNPACED_GITHUB, catchUpIntervalMs: 0, log: w.log });

    // A clock ahead of GitHub's: @octokit/auth-app retries once with GitHub's time, so two answers per attempt.
    w.github.failNext("apps/get-authenticated", { kind: "bad-jwt" }, 4);
    const asked = w.github.answers("apps/get-authenticated").length;
    const before = w.github.requests.length;
    for (const round of [1, 2]) {
      expect(await pass()).toMatchObject({ status: "skipped", flows: 0, error: expect.stringContaining("GET /app") });
      // One attempt and one warning per pass, asked again on the next.
      expect(w.github.answers("apps/get-authenticated").slice(asked)).toEqual(Array(2 * round).fill(401));
      expect(w.logLines.filter((line) => line.includes("could not read the App's own login"))).toHaveLength(round);
    }
    // (An installation token is made for the catch-up pass itself; nothing in the repository is written.)
    expect(gitHubWritesSince(before).filter((write) => write !== "POST apps/create-installation-access-token")).toEqual([]);
    expect(w.github.requests.slice(before).filter((r) => r.operationId === "issues/list-for-repo")).toEqual([]);
    expect(planted).toMatchObject({ state: "open", edits: 0 });
    expect(driftChecks(sha)).toEqual([]);

    // GitHub can tell again: the planted issue is not the App's, so the drift is reported in the App's own issue.
    const record = await pass();
    expect(record).toMatchObject({ status: "reported", flows: 1, fingerprint });
    const own = openDriftIssues().filter((issue) => issue.user.login === BOT_LOGIN);
    expect(own).toEqual([expect.objectContaining({ number: record.issue })]);
    expect(own[0]!.body).toContain(`fingerprint=${fingerprint}`);
    expect(planted).toMatchObject({ state: "open", edits: 0 });
    expect(w.github.comments(w.repo, planted.number)).toEqual([]);
    expect(driftChecks(sha)).toEqual([expect.objectContaining({ conclusion: "action_required" })]);
    expect(w.github.answers("apps/get-authenticated").slice(asked)).toEqual([401, 401, 401, 401, 200]);
  });

  it("a planted marker saying the heal of this drift failed does not stop the App's self-heal", async () => {
    const { sha } = await deployedPlatform(`${configYaml({ kestraUrl: w.kestra.url })}  selfHeal: true\n`);
    const original = editInUi(AWS, "echo extract", "echo edited-in-the-ui");
    const planted = plantIssue(sha, changedFingerprint(AWS), true);
    await bot!.close();
    bot = createBotServer({ appId: APP_ID, privateKey: appPrivateKey(), webhookSecret: WEBHOOK_SECRET, flowops: flowopsChecks({ kestra: KestraTargets.fromActions({ KESTRA_URL: w.kestra.url, KESTRA_USERNAME, KESTRA_PASSWORD }) }), baseUrl: w.github.url, github: UNPACED_GITHUB, catchUpIntervalMs: 0, log: w.log });
    const writes = w.kestra.writeCount();

    w.github.failNext("apps/get-authenticated", { kind: "bad-jwt" }, 2);
    expect(await pass()).toMatchObject({ status: "skipped" });
    expect(w.kestra.writeCount()).toBe(writes);

    expect(await pass()).toMatchObject({ status: "healed", healed: 1, flows: 0 });
    expect(w.kestra.liveFlow(AWS.namespace, AWS.id)!.source).toBe(original);
    // Not the App's issue: neither closed nor commented on when the drift went away.
    expect(planted).toMatchObject({ state: "open", edits: 0 });
    expect(w.github.comments(w.repo, planted.number)).toEqual([]);
  });
});

describe("drift issue lookup", () => {
  it("finds only the App's open issue with the drift label and the exact title", async () => {
    const repo = w.repo;
    w.github.addIssue(repo, { title: TITLE, labels: ["flowops-drift"], author: "mallory" });
    w.github.addIssue(repo, { title: TITLE, labels: ["flowops-drift"], author: "renovate[bot]", type: "Bot" });
    w.github.addIssue(repo, { title: TITLE, author: BOT_LOGIN, type: "Bot" });
    w.github.addIssue(repo, { title: "flowops drift: production", labels: ["flowops-drift"], author: BOT_LOGIN, type: "Bot" });
    w.github.addIssue(repo, { title: TITLE, labels: ["flowops-drift"], author: BOT_LOGIN, type: "Bot", state: "closed" });
    const ours = w.github.addIssue(repo, { title: TITLE, labels: ["flowops-drift", "ops"], author: BOT_LOGIN, type: "Bot" });
    const client = createGitHubClient({ token: w.github.issueActionsToken(), baseUrl: w.github.url, resilience: UNPACED_GITHUB });
    const github = new GitHubRepository(client, w.platform.owner, w.platform.name, w.log);
    expect((await driftIssues(github, "staging", BOT_LOGIN)).map((i) => i.number)).toEqual([ours.number]);
    // Another bot's issue is never the App's, whoever asks: the lookup always names its creator.
    expect((await driftIssues(github, "staging", "renovate[bot]")).map((i) => i.number)).toEqual([w.github.issues(repo)[1]!.number]);
    expect(w.github.requests.filter((r) => r.operationId === "issues/list-for-repo").map((r) => new URL(r.path, w.github.url).searchParams.get("creator"))).toEqual([BOT_LOGIN, "renovate[bot]"]);
    expect(w.github.violations).toEqual([]);
  });
});
