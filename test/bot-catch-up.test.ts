import { createServer, request as httpRequest, type Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { join } from "node:path";
import { createBotServer, createGitHubClient, deployUnderLease, flowopsChecks, GitHubRepository, KestraTargets, type BotServer, type BotServerOptions, type FlowopsChecks, type RepositoryPolicy } from "@flowops/sync-bot";
import { AWS_COSTS } from "./github-double/platform.js";
import { FakeFlowops } from "./github-double/flowops-fake.js";
import { pushEvent, signature256 } from "./github-double/events.js";
import { UNPACED_GITHUB } from "./support.js";
import { APP_ID, appPrivateKey, FLOW, INSTALLATION, KESTRA_PASSWORD, KESTRA_USERNAME, WEBHOOK_SECRET, World } from "./security/harness.js";

// Real Git, the real flowops packages and the Kestra double on a busy machine: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

/**
 * Issue 12, item 1: `bot serve` is level-triggered. A pass (on start, then on an interval)
 * compares each installed repository's deploy branch with its last successful flowops deployment
 * and deploys what is missing through the push's own gate and queue.
 */
let w: World;
const bots: BotServer[] = [];
const HOUR = 3_600_000;

const realChecks = (): FlowopsChecks => flowopsChecks({ kestra: KestraTargets.fromActions({ KESTRA_URL: w.kestra.url, KESTRA_USERNAME, KESTRA_PASSWORD }) });

async function startBot(flowops: FlowopsChecks, options: Partial<BotServerOptions> = {}): Promise<{ bot: BotServer; url: string }> {
  const bot = createBotServer({ appId: APP_ID, privateKey: appPrivateKey(), webhookSecret: WEBHOOK_SECRET, flowops, baseUrl: w.github.url, github: UNPACED_GITHUB, catchUpIntervalMs: HOUR, log: w.log, ...options });
  bots.push(bot);
  return { bot, url: `http://127.0.0.1:${await bot.listen(0)}` };
}

/** A merged pull request of alice, approved by bob unless `approve` is false; returns the merge. */
async function merge(branch: string, files: Record<string, string>, approve = true): Promise<{ before: string; after: string }> {
  await w.platform.pullMain();
  await w.platform.commit(branch, `Change on ${branch}`, files);
  const pull = await w.github.openPullRequest(w.repo, { head: branch, author: "alice" });
  if (approve) w.github.submitReview(w.repo, pull.number, "bob", "APPROVED");
  const { before, after } = await w.github.mergePullRequest(w.repo, pull.number);
  return { before, after };
}

/** The tenants and a flow, merged and recorded as deployed: the trusted start of every test. */
async function deployedStart(): Promise<string> {
  const { after } = await merge("start", { "tenants/customer_1.yaml": "code: customer_1\nname: Customer One\n", "flows/bronze/aws_costs.yaml": AWS_COSTS });
  w.github.recordDeployment(w.repo, { sha: after, environment: "staging", states: ["in_progress", "success"] });
  return after;
}

function successfulShas(): string[] {
  return w.github.deployments(w.repo).filter((d) => d.statuses.some((s) => s.state === "success")).map((d) => d.sha);
}

/** A pass-through to the GitHub double that can be cut: after `cut()` the server behind it can no longer reach GitHub, as a dead process. */
async function cuttableGitHub(target: string): Promise<{ url: string; cut: () => void }> {
  const upstream = new URL(target);
  const proxy: Server = createServer((incoming, outgoing) => {
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forward.on("error", () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const address = proxy.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    cut: () => {
      proxy.close();
      proxy.closeAllConnections();
    },
  };
}

beforeEach(async () => {
  w = await World.start();
}, 60_000);

afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.close();
  expect(w.github.violations).toEqual([]);
  expect(w.logLines.join("\n")).not.toMatch(/ghs_[0-9a-f]{8}/);
  await w.stop();
});

describe("bot serve: catch-up passes", () => {
  it("deploys on start a merge whose push webhook never arrived, then a pass with nothing new calls GitHub only to compare and writes nothing to Kestra", async () => {
    await deployedStart();
    const lost = await merge("usage", { "flows/bronze/usage_daily.yaml": FLOW("usage_daily") });
    const { bot } = await startBot(realChecks());
    const records = await bot.catchUp(); // joins the pass `listen` started
    expect(records).toEqual([expect.objectContaining({ repository: w.repo, branch: "main", status: "deployed", tip: lost.after })]);
    expect(successfulShas()).toContain(lost.after);
    expect(w.kestra.writeCount()).toBeGreaterThan(0);

    const writes = w.kestra.writeCount();
    const deployments = w.github.deployments(w.repo).length;
    // The deploy's own pass already checked drift (and asked GitHub for the App's login, once per server).
    expect(records[0]!.drift).toMatchObject({ env: "staging", status: "in-sync" });
    expect(await bot.catchUp()).toEqual([expect.objectContaining({ status: "up-to-date", tip: lost.after, deployedSha: lost.after })]);
    expect(w.kestra.writeCount()).toBe(writes);
    expect(w.github.deployments(w.repo)).toHaveLength(deployments);
    const calls = w.github.requests.length;
    const kestraReads = w.kestra.requests.length;
    expect(await bot.catchUp()).toEqual([expect.objectContaining({ status: "up-to-date", drift: expect.objectContaining({ env: "staging", status: "in-sync" }) })]);
    const pass = w.github.requests.slice(calls).map((r) => r.operationId);
    expect(pass.every((id) => id !== null && !/create|update|delete/.test(id))).toBe(true);
    // The figure of packages/sync-bot/README.md: per repository, the branch tip and its last
    // deployment, then the drift check's lookup of its open issue (Kestra is planned: reads only).
    const perRepository = pass.filter((id) => !id!.startsWith("apps/"));
    expect(perRepository).toEqual(["git/get-ref", "repos/list-deployments", "repos/list-deployment-statuses", "issues/list-for-repo"]);
    // Per pass: the installations and each one's repositories (its token is cached for the hour).
    expect(pass.filter((id) => id!.startsWith("apps/"))).toEqual(["apps/list-installations", "apps/list-repos-accessible-to-installation"]);
    expect(pass).toHaveLength(6);
    expect(w.kestra.writeCount()).toBe(writes);
    const kestraPerPass = w.kestra.requests.slice(kestraReads);
    expect(kestraPerPass.length).toBeGreaterThan(0);
    expect(kestraPerPass.every((r) => r.method === "GET" || r.path.endsWith("/flows/export/by-ids"))).toBe(true);
  });

  it("still refuses an unapproved merge: the pass goes through the push's approval gate", async () => {
    const start = await deployedStart();
    const unapproved = await merge("sneaky", { "flows/bronze/sneaky.yaml": FLOW("sneaky") }, false);
    const { bot } = await startBot(realChecks());
    const [record] = await bot.catchUp();
    expect(record).toMatchObject({ status: "refused", tip: unapproved.after, deployedSha: start });
    expect(w.kestra.writeCount()).toBe(0);
    expect(successfulShas()).toEqual([start]);
  });

  it("finishes on restart a deploy that a killed server left in progress", async () => {
    await deployedStart();
    const merged = await merge("usage", { "flows/bronze/usage_daily.yaml": FLOW("usage_daily") });
    // The first server dies in the middle of its deploy: the deployment stays in_progress, nothing reaches Kestra.
    let started!: () => void;
    const deployStarted = new Promise<void>((resolve) => (started = resolve));
    const real = realChecks();
    const dying: FlowopsChecks = {
      readPolicy: (dir, ref) => real.readPolicy(dir, ref),
      lint: (dir) => real.lint(dir),
      impact: (dir, base, head) => real.impact(dir, base, head),
      drift: (dir, env, request) => real.drift(dir, env, request),
      deploy: () => {
        started();
        return new Promise(() => undefined);
      },
    };
    const link = await cuttableGitHub(w.github.url);
    const first = createBotServer({ appId: APP_ID, privateKey: appPrivateKey(), webhookSecret: WEBHOOK_SECRET, flowops: dying, baseUrl: link.url, github: { ...UNPACED_GITHUB, serverErrorRetries: 0 }, catchUpIntervalMs: 0, leaseTtlMs: 3000, replicaId: "dying-replica", log: w.log });
    const port = await first.listen(0);
    const body = JSON.stringify(pushEvent({ ref: "refs/heads/main", ...merged, pusher: "alice", repository: w.github.repositoryPayload(w.repo), installationId: INSTALLATION }));
    const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "push-lost-in-crash", "x-hub-signature-256": signature256(body, WEBHOOK_SECRET) },
      body,
    });
    expect(response.status).toBe(202);
    await deployStarted;
    link.cut();
    first.server.close();
    first.server.closeAllConnections();
    const interrupted = w.github.deployments(w.repo).find((d) => d.sha === merged.after)!;
    expect(interrupted.statuses.map((s) => s.state)).toEqual(["in_progress"]);
    expect(w.kestra.writeCount()).toBe(0);

    // Its lease runs out (no renewal reaches GitHub any more) and the next pass takes over.
    const { bot } = await startBot(realChecks());
    let record = (await bot.catchUp())[0];
    for (let pass = 0; record?.status === "leased" && pass < 60; pass++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      record = (await bot.catchUp())[0];
    }
    expect(record).toMatchObject({ status: "deployed", tip: merged.after });
    expect(interrupted.statuses.map((s) => s.state)).toEqual(["in_progress"]);
    expect(successfulShas()).toContain(merged.after);
    expect(w.kestra.writeCount()).toBeGreaterThan(0);
  });

  it("leaves a never-deployed repository to its first push (no trusted policy yet), and runs no pass with an interval of 0", async () => {
    const { bot } = await startBot(realChecks(), { catchUpIntervalMs: 0 });
    await merge("usage", { "tenants/customer_1.yaml": "code: customer_1\nname: Customer One\n", "flows/bronze/usage_daily.yaml": FLOW("usage_daily") });
    await bot.idle();
    expect(w.github.requests).toEqual([]);
    expect(await bot.catchUp()).toEqual([expect.objectContaining({ status: "never-deployed" })]);
    expect(w.kestra.writeCount()).toBe(0);
    expect(w.github.deployments(w.repo)).toEqual([]);
  });
});

/** The deploy windows (first in_progress status id to the final status id) of the deployments that ran. */
function deployWindows(): [number, number][] {
  return w.github
    .deployments(w.repo)
    .filter((d) => d.statuses.some((s) => s.state === "success" || s.state === "failure") && d.statuses[0]?.state === "in_progress")
    .map((d) => [d.statuses[0]!.id, d.statuses.at(-1)!.id]);
}

describe("bot serve: two replicas on one installation", () => {
  it("never deploy one environment at once: the oldest live claim wins, the other skips, and both converge", async () => {
    await deployedStart();
    const lost = await merge("usage", { "flows/bronze/usage_daily.yaml": FLOW("usage_daily") });
    const flowops = new FakeFlowops();
    // The first deploy to start is held until every other attempt has met its claim.
    const held = flowops.hold();
    const [a, b] = [await startBot(flowops, { replicaId: "replica-a" }), await startBot(flowops, { replicaId: "replica-b" })];
    // Both start a pass on listen; webhooks of the same push to both make the race tighter still.
    const body = JSON.stringify(pushEvent({ ref: "refs/heads/main", ...lost, pusher: "alice", repository: w.github.repositoryPayload(w.repo), installationId: INSTALLATION }));
    await Promise.all(
      [a, b].map(({ url }, n) =>
        fetch(`${url}/api/github/webhooks`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": `race-${n}`, "x-hub-signature-256": signature256(body, WEBHOOK_SECRET) },
          body,
        }).then((response) => response.arrayBuffer()),
      ),
    );
    await held.started;
    const yielded = () => w.github.deployments(w.repo).filter((d) => d.statuses.at(-1)?.state === "inactive").length;
    for (let tries = 0; yielded() === 0 && flowops.deploys.length < 2 && tries < 400; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    held.release();
    await Promise.all([a.bot.catchUp(), b.bot.catchUp(), a.bot.idle(), b.bot.idle()]);
    expect(yielded()).toBeGreaterThan(0);
    expect(flowops.maxConcurrentDeploys).toBe(1);
    const windows = deployWindows().sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < windows.length; i++) expect(windows[i]![0]).toBeGreaterThan(windows[i - 1]![1]);
    expect(successfulShas().at(-1)).toBe(lost.after);

    // Converged: both passes find nothing to do, and nothing more is deployed.
    const deploys = flowops.deploys.length;
    expect([...(await a.bot.catchUp()), ...(await b.bot.catchUp())].map((r) => r.status)).toEqual(["up-to-date", "up-to-date"]);
    expect(flowops.deploys).toHaveLength(deploys);
  });

  it("a catch-up that wins the claim just after the other replica finished that very commit deploys nothing; a self-heal of the deployed commit does", async () => {
    // The race: replica B reads staging as behind while A deploys the tip; A marks it success just
    // before B's claim, so B's claim is the oldest live one. B must read the environment again.
    const deployed = await deployedStart();
    const flowops = new FakeFlowops();
    const client = createGitHubClient({ token: w.github.issueActionsToken({ write: true }), baseUrl: w.github.url, resilience: UNPACED_GITHUB });
    const [owner, repo] = w.repo.split("/") as [string, string];
    const github = new GitHubRepository(client, owner, repo, w.log);
    const workspace = await w.platform.checkout(deployed, join(w.scratch, "catch-up-workspace"));
    const policy: RepositoryPolicy = { deployBranch: "main", approvals: 1, allowedPushers: [], protectedTenants: [], prune: false, maxDeleteShare: 0.5, selfHeal: true, environments: ["staging"] };
    const input = { github, flowops, workspace, sha: deployed, env: "staging", policy, lease: { holder: "replica-b", ttlMs: HOUR }, log: w.log };

    const catchUp = await deployUnderLease({ ...input, description: "catch-up", unlessDeployed: true });
    expect(catchUp).toMatchObject({ status: "up-to-date" });
    expect(flowops.deploys).toEqual([]);
    const claim = w.github.deployments(w.repo).find((d) => d.id === catchUp.deploymentId)!;
    expect(claim.statuses.map((status) => [status.state, status.description])).toEqual([
      ["in_progress", expect.stringContaining("replica-b")],
      ["inactive", `Not deployed: staging is already at ${deployed.slice(0, 12)}`],
    ]);

    expect(await deployUnderLease({ ...input, description: "self-heal" })).toMatchObject({ status: "deployed" });
    expect(flowops.deploys.map((d) => d.sha)).toEqual([deployed]);
  });

  it("a replica finding a live lease held by the other skips without deploying, and deploys nothing once the holder is done", async () => {
    await deployedStart();
    const lost = await merge("usage", { "flows/bronze/usage_daily.yaml": FLOW("usage_daily") });
    const flowops = new FakeFlowops();
    const held = flowops.hold();
    const a = await startBot(flowops, { replicaId: "replica-a", catchUpIntervalMs: 0 });
    const body = JSON.stringify(pushEvent({ ref: "refs/heads/main", ...lost, pusher: "alice", repository: w.github.repositoryPayload(w.repo), installationId: INSTALLATION }));
    await fetch(`${a.url}/api/github/webhooks`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "held", "x-hub-signature-256": signature256(body, WEBHOOK_SECRET) }, body });
    await held.started;

    const b = await startBot(flowops, { replicaId: "replica-b", catchUpIntervalMs: 0 });
    expect(await b.bot.catchUp()).toEqual([expect.objectContaining({ status: "leased", tip: lost.after })]);
    expect(flowops.deploys).toHaveLength(1);
    const yielded = w.github.deployments(w.repo).at(-1)!;
    expect(yielded.statuses.map((s) => s.state)).toEqual(["in_progress", "inactive"]);
    expect(yielded.statuses.at(-1)!.description).toMatch(/replica-a holds staging/);

    held.release();
    await a.bot.idle();
    expect(a.bot.deliveries.at(-1)).toMatchObject({ deploy: { status: "deployed" } });
    expect(await b.bot.catchUp()).toEqual([expect.objectContaining({ status: "up-to-date" })]);
    expect(flowops.deploys).toHaveLength(1);
  });
});
