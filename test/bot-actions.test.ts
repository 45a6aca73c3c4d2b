import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CHECK_EXTERNAL_ID, createGitHubClient, runCiDeploy, runCiPr, type BotLogger } from "@flowops/sync-bot";
import { GitHubDouble } from "./github-double/index.js";
import { FakeFlowops } from "./github-double/flowops-fake.js";
import { CONFIG, Platform } from "./github-double/platform.js";
import { actionsEnvironment, pullRequestEvent, pushEvent } from "./github-double/events.js";
import { UNPACED_GITHUB } from "./support.js";

// Real Git over HTTP on a busy shared machine: generous limits (the work itself is not timed).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const MARKER = "<!-- flowops:impact -->";
const UNPINNED_FLOW = `id: usage_daily
tasks:
  - id: load
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python:latest
    script: print("load")
`;
const PINNED_FLOW = UNPINNED_FLOW.replace("python:latest", "python:3.12-slim");

let double: GitHubDouble;
let platform: Platform;
let flowops: FakeFlowops;
let token: string;
let scratch: string;
let logLines: string[];
let log: BotLogger;

beforeEach(async () => {
  double = await GitHubDouble.start();
  platform = await Platform.create(double);
  flowops = new FakeFlowops();
  token = double.issueActionsToken();
  scratch = await mkdtemp(join(tmpdir(), "flowops-actions-"));
  logLines = [];
  log = { info: (m) => logLines.push(`info ${m}`), warn: (m) => logLines.push(`warn ${m}`), error: (m) => logLines.push(`error ${m}`) };
});

afterEach(async () => {
  expect(double.violations).toEqual([]);
  expect(logLines.join("\n")).not.toContain(token);
  await double.stop();
  await platform.dispose();
  await rm(scratch, { recursive: true, force: true });
});

let runs = 0;
/** Clones the repository like actions/checkout with fetch-depth 0 and checks out `sha`. */
async function checkout(sha: string): Promise<string> {
  return platform.checkout(sha, join(scratch, `workspace-${++runs}`));
}

function actionsEnv(eventName: string, payload: unknown, workspace: string, sha: string, writeToken = token): Promise<NodeJS.ProcessEnv> {
  return actionsEnvironment({ eventName, payload, repository: platform.fullName, apiUrl: double.url, token: writeToken, workspace, sha, scratch, run: runs, runId: "4242" });
}

async function runPr(number: number, action: "opened" | "synchronize" = "opened", options: { workspaceSha?: string; token?: string } = {}): Promise<{ code: number; summary: string }> {
  const pull = double.pullRequest(platform.fullName, number);
  const workspace = await checkout(options.workspaceSha ?? pull.head.sha);
  const payload = pullRequestEvent(action, double.repositoryPayload(platform.fullName), double.pullPayload(platform.fullName, number));
  const env = await actionsEnv("pull_request", payload, workspace, pull.head.sha, options.token);
  const code = await runCiPr(env, { flowops, log, github: UNPACED_GITHUB });
  const summary = await readFile(env["GITHUB_STEP_SUMMARY"]!, "utf8").catch(() => "");
  return { code, summary };
}

async function runDeploy(merge: { before: string; after: string }, env: string, pusher = "alice", triggeringActor?: string): Promise<{ code: number; summary: string }> {
  const workspace = await checkout(merge.after);
  const payload = pushEvent({ ref: "refs/heads/main", before: merge.before, after: merge.after, pusher, repository: double.repositoryPayload(platform.fullName) });
  const variables: NodeJS.ProcessEnv = { ...(await actionsEnv("push", payload, workspace, merge.after)), ...(triggeringActor ? { GITHUB_TRIGGERING_ACTOR: triggeringActor } : {}) };
  const code = await runCiDeploy(variables, env, { flowops, log, github: UNPACED_GITHUB });
  const summary = await readFile(variables["GITHUB_STEP_SUMMARY"]!, "utf8").catch(() => "");
  return { code, summary };
}

function botComments(number: number) {
  return double.comments(platform.fullName, number).filter((c) => c.user.type === "Bot" && c.body.includes(MARKER));
}

describe("flowops ci pr (GitHub Actions)", () => {
  it("fails the check on a lint error, annotates the line, and posts one comment", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW });
    const pull = await double.openPullRequest(platform.fullName, { head: "usage", author: "alice" });

    const { code, summary } = await runPr(pull.number);

    expect(code).toBe(1);
    const [run, ...others] = double.checkRuns(platform.fullName, pull.head.sha);
    expect(others).toEqual([]);
    expect(run).toMatchObject({ name: "flowops", status: "completed", conclusion: "failure", details_url: "https://github.com/acme/flows/actions/runs/4242" });
    expect(run!.annotations).toEqual([
      expect.objectContaining({ path: "flows/silver/usage_daily.yaml", start_line: 5, end_line: 5, start_column: 5, annotation_level: "failure", title: "unpinned-image (flowops)" }),
    ]);
    expect(run!.output.title).toMatch(/^1 lint error/);
    const comments = botComments(pull.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.user).toEqual({ login: "github-actions[bot]", type: "Bot" });
    expect(comments[0]!.body).toContain("`flows/silver/usage_daily.yaml:5:5`");
    expect(summary).toContain("1 lint error");
  });

  it("passes a clean PR and shows the per-tenant impact", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": PINNED_FLOW });
    const pull = await double.openPullRequest(platform.fullName, { head: "usage", author: "alice" });

    const { code, summary } = await runPr(pull.number);

    expect(code).toBe(0);
    expect(double.checkRuns(platform.fullName, pull.head.sha)).toEqual([expect.objectContaining({ conclusion: "success", annotations: [] })]);
    const [comment] = botComments(pull.number);
    expect(comment!.body).toContain("| customer_1 | `silver/usage_daily` | added |");
    expect(comment!.body).toContain("| customer_2 | `silver/usage_daily` | added |");
    expect(comment!.body).toContain("after 1 approval (policy read from `main`, not from this PR)");
    expect(summary).toContain("silver/usage_daily");
  });

  it("edits the one comment on a second push and writes nothing when the report is unchanged", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW });
    const pull = await double.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    double.addHumanComment(platform.fullName, pull.number, "carol", `Quoting the bot: ${MARKER} please fix`);
    expect((await runPr(pull.number)).code).toBe(1);

    await platform.commit("usage", "Pin the image", { "flows/silver/usage_daily.yaml": PINNED_FLOW });
    const synced = await double.synchronizePullRequest(platform.fullName, pull.number);
    expect((await runPr(pull.number, "synchronize")).code).toBe(0);

    const comments = botComments(pull.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.edits).toBe(1);
    expect(comments[0]!.body).toContain(synced.head.sha.slice(0, 12));
    expect(comments[0]!.body).toContain("✅");
    expect(double.comments(platform.fullName, pull.number).find((c) => c.user.login === "carol")!.body).toContain("please fix");
    expect(double.checkRuns(platform.fullName, synced.head.sha)).toEqual([expect.objectContaining({ conclusion: "success" })]);

    // The same head again (a re-run): same report, so no comment write at all.
    const writesBefore = double.requests.filter((r) => r.operationId?.startsWith("issues/") && r.method !== "GET").length;
    expect((await runPr(pull.number, "synchronize")).code).toBe(0);
    const writesAfter = double.requests.filter((r) => r.operationId?.startsWith("issues/") && r.method !== "GET").length;
    expect(writesAfter).toBe(writesBefore);
  });

  it("reads the policy from the base branch, not from the PR", async () => {
    await platform.commit("lower-bar", "Need no approval", {
      "flowops.config.yaml": "environments:\n  staging: {}\ndeploy:\n  approvals: 0\n",
      "flows/silver/usage_daily.yaml": PINNED_FLOW,
    });
    const pull = await double.openPullRequest(platform.fullName, { head: "lower-bar", author: "mallory" });
    expect((await runPr(pull.number)).code).toBe(0);
    expect(flowops.policyReads.map((read) => read.ref)).toEqual([pull.base.sha]);
    expect(botComments(pull.number)[0]!.body).toContain("after 1 approval");
  });

  it("sends annotations 50 per request", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 120; i++) files[`flows/gen/flow_${String(i).padStart(3, "0")}.yaml`] = UNPINNED_FLOW.replace("usage_daily", `flow_${i}`);
    await platform.commit("many", "Many flows", files);
    const pull = await double.openPullRequest(platform.fullName, { head: "many", author: "alice" });
    expect((await runPr(pull.number)).code).toBe(1);
    const [run] = double.checkRuns(platform.fullName, pull.head.sha);
    expect(run!.annotations).toHaveLength(120);
    const updates = double.requests.filter((r) => r.operationId === "checks/update");
    expect(updates.map((r) => ((r.body as { output: { annotations: unknown[] } }).output.annotations).length)).toEqual([50, 50, 20]);
    expect(botComments(pull.number)[0]!.body).toContain("…and 100 more");
  });

  it("lints the PR head even when the checkout is another commit (the default merge checkout)", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW });
    const pull = await double.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    const { code } = await runPr(pull.number, "opened", { workspaceSha: pull.base.sha });
    expect(code).toBe(1);
    expect(double.checkRuns(platform.fullName, pull.head.sha)[0]!.annotations).toHaveLength(1);
  });

  it("still exits 1 on a fork's read-only token, warning that it could not write", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW });
    const pull = await double.openPullRequest(platform.fullName, { head: "usage", author: "outsider" });
    const { code, summary } = await runPr(pull.number, "opened", { token: double.issueActionsToken({ write: false }) });
    expect(code).toBe(1);
    expect(double.checkRuns(platform.fullName)).toEqual([]);
    expect(botComments(pull.number)).toEqual([]);
    expect(logLines.filter((l) => l.startsWith("warn ")).join("\n")).toMatch(/fork/);
    expect(summary).toContain("1 lint error");
  });

  it("checks a merge queue group: check run on the group's commit, no comment", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW });
    const pull = await double.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    const workspace = await checkout(pull.head.sha);
    const payload = { action: "checks_requested", merge_group: { head_sha: pull.head.sha, head_ref: "refs/heads/gh-readonly-queue/main/pr-1", base_sha: pull.base.sha, base_ref: "refs/heads/main" }, repository: double.repositoryPayload(platform.fullName) };
    const env = await actionsEnv("merge_group", payload, workspace, pull.head.sha);
    expect(await runCiPr(env, { flowops, log, github: UNPACED_GITHUB })).toBe(1);
    expect(double.checkRuns(platform.fullName, pull.head.sha)).toEqual([expect.objectContaining({ conclusion: "failure" })]);
    expect(double.comments(platform.fullName, pull.number)).toEqual([]);
  });

  it("closes a check run a killed earlier run left in progress on the same commit", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": PINNED_FLOW });
    const pull = await double.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    const client = createGitHubClient({ token, baseUrl: double.url, resilience: UNPACED_GITHUB });
    await client.rest.checks.create({ owner: platform.owner, repo: platform.name, name: "flowops", head_sha: pull.head.sha, external_id: CHECK_EXTERNAL_ID, status: "in_progress" });
    await client.rest.checks.create({ owner: platform.owner, repo: platform.name, name: "other-check", head_sha: pull.head.sha, status: "in_progress" });
    // A workflow job someone named flowops: the same App as ours (github-actions), not our check.
    await client.rest.checks.create({ owner: platform.owner, repo: platform.name, name: "flowops", head_sha: pull.head.sha, external_id: "4d0c3a1e-5b7f-5c21-9d2e-8f1a2b3c4d5e", status: "in_progress" });
    // Another App's check run that happens to be called flowops too: not ours to close.
    double.addCheckRun(platform.fullName, { name: "flowops", headSha: pull.head.sha, app: { id: 4242, slug: "another-app" }, externalId: CHECK_EXTERNAL_ID });
    expect((await runPr(pull.number)).code).toBe(0);
    expect(double.checkRuns(platform.fullName, pull.head.sha).map((run) => [run.name, run.status, run.conclusion])).toEqual([
      ["flowops", "completed", "cancelled"],
      ["other-check", "in_progress", null],
      ["flowops", "in_progress", null],
      ["flowops", "in_progress", null],
      ["flowops", "completed", "success"],
    ]);
    expect(double.answers("checks/update").filter((status) => status !== 200)).toEqual([]);
  });

  it("never leaves the check in progress when flowops cannot read the repository (exit 2)", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": PINNED_FLOW });
    const pull = await double.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    flowops.lint = async () => {
      throw new Error("flowops.config.yaml:3:1: environments must be a map");
    };
    expect((await runPr(pull.number)).code).toBe(2);
    const [run] = double.checkRuns(platform.fullName, pull.head.sha);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "flowops could not check this pull request", summary: "flowops.config.yaml:3:1: environments must be a map" } });
    expect(logLines.join("\n")).toContain("error flowops.config.yaml:3:1: environments must be a map");
  });

  it("exits 2 with the missing variables named when run outside Actions", async () => {
    expect(await runCiPr({ GITHUB_EVENT_NAME: "pull_request" }, { flowops, log })).toBe(2);
    expect(logLines.join("\n")).toMatch(/GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_WORKSPACE, GITHUB_SHA/);
  });
});

describe("flowops ci deploy (GitHub Actions)", () => {
  async function mergedPr(options: { approvedBy?: string[]; changesRequestedBy?: string[]; files?: Record<string, string> } = {}) {
    await platform.commit("usage", "Add usage_daily", options.files ?? { "flows/silver/usage_daily.yaml": PINNED_FLOW });
    const pull = await double.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    for (const login of options.approvedBy ?? []) double.submitReview(platform.fullName, pull.number, login, "APPROVED");
    for (const login of options.changesRequestedBy ?? []) double.submitReview(platform.fullName, pull.number, login, "CHANGES_REQUESTED");
    return { pull, merge: await double.mergePullRequest(platform.fullName, pull.number) };
  }

  it("deploys an approved merge: deployment, statuses with the run link, flows deployed, result comment", async () => {
    const { pull, merge } = await mergedPr({ approvedBy: ["bob"] });
    const { code, summary } = await runDeploy(merge, "staging");
    expect(code).toBe(0);
    const [deployment, ...more] = double.deployments(platform.fullName);
    expect(more).toEqual([]);
    expect(deployment).toMatchObject({ sha: merge.after, ref: merge.after, environment: "staging", auto_merge: false, required_contexts: [] });
    expect(deployment!.statuses.map((s) => [s.state, s.log_url])).toEqual([
      ["in_progress", "https://github.com/acme/flows/actions/runs/4242"],
      ["success", "https://github.com/acme/flows/actions/runs/4242"],
    ]);
    expect([...flowops.kestra.get("staging")!.keys()].sort()).toEqual([
      "customer_1.bronze/aws_costs", "customer_1.silver/usage_daily", "customer_2.bronze/aws_costs", "customer_2.silver/usage_daily",
    ]);
    const result = double.comments(platform.fullName, pull.number).filter((c) => c.body.includes("<!-- flowops:deploy:staging -->"));
    expect(result).toHaveLength(1);
    expect(result[0]!.body).toContain("deployed");
    expect(result[0]!.body).toContain("approved by @bob");
    expect(summary).toContain("| customer_1 | ✅ ok |");
    // Policy from the branch before the merge.
    expect(flowops.policyReads.map((r) => r.ref)).toEqual([merge.before]);
  });

  it("refuses a merge without approval: nothing deployed, the PR told why, exit 1", async () => {
    const { pull, merge } = await mergedPr();
    const { code } = await runDeploy(merge, "staging");
    expect(code).toBe(1);
    expect(double.deployments(platform.fullName)).toEqual([]);
    expect(flowops.deploys).toEqual([]);
    const [comment] = double.comments(platform.fullName, pull.number).filter((c) => c.body.includes("<!-- flowops:deploy:staging -->"));
    expect(comment!.body).toMatch(/refused[\s\S]*0 of the 1 approval/);
    expect(logLines.join("\n")).toMatch(/error deploy of .* refused/);
  });

  it("refuses a standing change request even with an approval", async () => {
    const { merge } = await mergedPr({ approvedBy: ["bob"], changesRequestedBy: ["carol"] });
    expect((await runDeploy(merge, "staging")).code).toBe(1);
    expect(flowops.deploys).toEqual([]);
  });

  it("lets an allow-listed pusher deploy without approval", async () => {
    const { merge } = await mergedPr();
    expect((await runDeploy(merge, "staging", "release-bot")).code).toBe(0);
    expect(flowops.deploys.map((d) => d.sha)).toEqual([merge.after]);
  });

  it("does not let the allow list bypass approvals for a protected tenant's change", async () => {
    await platform.commit("main", "Protect customer_2", { "flowops.config.yaml": CONFIG.replace("allowedPushers: [release-bot]", "allowedPushers: [release-bot]\n  protectedTenants: [customer_2]") });
    const { pull, merge } = await mergedPr();
    expect((await runDeploy(merge, "staging", "release-bot")).code).toBe(1);
    expect(flowops.deploys).toEqual([]);
    const [comment] = double.comments(platform.fullName, pull.number).filter((c) => c.body.includes("<!-- flowops:deploy:staging -->"));
    expect(comment!.body).toContain("touches protected tenant customer_2");

    double.submitReview(platform.fullName, pull.number, "bob", "APPROVED");
    expect((await runDeploy(merge, "staging", "release-bot")).code).toBe(0);
  });

  it("lets an allow-listed person re-run a refused deploy (GITHUB_TRIGGERING_ACTOR)", async () => {
    const { merge } = await mergedPr();
    expect((await runDeploy(merge, "staging", "alice", "alice")).code).toBe(1);
    expect((await runDeploy(merge, "staging", "alice", "release-bot")).code).toBe(0);
    expect(flowops.deploys.map((d) => d.sha)).toEqual([merge.after]);
  });

  it("does not let a PR lower the approvals it needs", async () => {
    const { merge } = await mergedPr({ files: { "flowops.config.yaml": "environments:\n  staging: {}\ndeploy:\n  approvals: 0\n", "flows/silver/usage_daily.yaml": PINNED_FLOW } });
    expect((await runDeploy(merge, "staging")).code).toBe(1);
    expect(flowops.deploys).toEqual([]);
  });

  it("reports a failed tenant: failure status, the tenant named, exit 1", async () => {
    flowops.failTenant = "customer_2";
    const { pull, merge } = await mergedPr({ approvedBy: ["bob"] });
    expect((await runDeploy(merge, "staging")).code).toBe(1);
    expect(double.deployments(platform.fullName)[0]!.statuses.map((s) => [s.state, s.description])).toEqual([
      ["in_progress", "Deploying to staging"],
      ["failure", "Failed for customer_2"],
    ]);
    const [comment] = double.comments(platform.fullName, pull.number).filter((c) => c.body.includes("<!-- flowops:deploy:staging -->"));
    expect(comment!.body).toContain("| customer_2 | ❌ Kestra answered 500");
  });

  it("skips a merge that is no longer the branch tip; production is its own deployment", async () => {
    const first = await mergedPr({ approvedBy: ["bob"] });
    await platform.pullMain();
    await platform.commit("second", "Second change", { "flows/silver/other.yaml": PINNED_FLOW.replace("usage_daily", "other") });
    const second = await double.openPullRequest(platform.fullName, { head: "second", author: "alice" });
    double.submitReview(platform.fullName, second.number, "bob", "APPROVED");
    const secondMerge = await double.mergePullRequest(platform.fullName, second.number);

    expect((await runDeploy(first.merge, "staging")).code).toBe(0);
    expect(flowops.deploys).toEqual([]);
    expect(logLines.join("\n")).toMatch(/no longer the tip/);

    expect((await runDeploy(secondMerge, "staging")).code).toBe(0);
    expect((await runDeploy(secondMerge, "production")).code).toBe(0);
    expect(double.deployments(platform.fullName).map((d) => [d.environment, d.sha])).toEqual([["staging", secondMerge.after], ["production", secondMerge.after]]);
    expect(flowops.kestra.get("production")!.has("customer_1.silver/other")).toBe(true);
  });

  it("refuses an environment the base config does not define", async () => {
    const { merge } = await mergedPr({ approvedBy: ["bob"] });
    expect((await runDeploy(merge, "qa")).code).toBe(2);
    expect(logLines.join("\n")).toMatch(/environment qa is not in flowops.config.yaml \(staging, production\)/);
  });
});
