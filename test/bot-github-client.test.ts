import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECK_EXTERNAL_ID, cloneAtCommit, COMMENT_LIMIT, createGitHubClient, GitHubRepository, type BotLogger } from "@flowops/sync-bot";
import { GITHUB_ACTIONS_APP, GitHubDouble } from "./github-double/index.js";
import { Platform } from "./github-double/platform.js";
import { UNPACED_GITHUB } from "./support.js";

const quiet: BotLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let double: GitHubDouble;
let platform: Platform;
let github: GitHubRepository;
let pullNumber: number;

beforeEach(async () => {
  double = await GitHubDouble.start();
  platform = await Platform.create(double);
  await platform.commit("topic", "topic", { "flows/x.yaml": "id: x\n" });
  pullNumber = (await double.openPullRequest(platform.fullName, { head: "topic", author: "alice" })).number;
  github = new GitHubRepository(createGitHubClient({ token: double.issueActionsToken(), baseUrl: double.url, resilience: UNPACED_GITHUB }), platform.owner, platform.name, quiet);
});

afterEach(async () => {
  expect(double.violations).toEqual([]);
  await double.stop();
  await platform.dispose();
});

/** A report of `tenants` collapsed sections, each with a diff block. */
function bigReport(tenants: number): string {
  const sections = Array.from({ length: tenants }, (_, t) => [
    `<details><summary>customer_${t}</summary>`,
    "",
    "```diff",
    ...Array.from({ length: 40 }, (_, i) => `+  - id: task_${i}_of_customer_${t}_with_a_long_enough_line`),
    "```",
    "</details>",
  ].join("\n"));
  return ["**Impact:** many tenants", "", ...sections].join("\n");
}

const marked = () => double.comments(platform.fullName, pullNumber).filter((c) => c.body.includes("<!-- flowops:impact -->"));

describe("sticky comment on GitHub (double)", () => {
  it("splits a long report into marked parts within GitHub's limit, then shrinks and deletes parts no longer needed", async () => {
    const report = bigReport(60);
    expect(report.length).toBeGreaterThan(2 * COMMENT_LIMIT);
    const first = await github.upsertStickyComment(pullNumber, "impact", report);
    expect(first).toMatchObject({ created: 3, updated: 0, deleted: 0 });
    const parts = marked();
    expect(parts.map((c) => c.body.length <= COMMENT_LIMIT)).toEqual([true, true, true]);
    expect(parts[1]!.body).toContain("part 2 of 3");
    const lines = parts.flatMap((c) => c.body.split("\n")).filter((line) => line.startsWith("+  - id:"));
    expect(lines).toHaveLength(60 * 40);

    expect(await github.upsertStickyComment(pullNumber, "impact", report)).toMatchObject({ created: 0, updated: 0, unchanged: 3, deleted: 0 });

    expect(await github.upsertStickyComment(pullNumber, "impact", "**No deployed flow changes.**")).toMatchObject({ created: 0, updated: 1, deleted: 2 });
    expect(marked().map((c) => c.id)).toEqual([parts[0]!.id]);
  });

  it("caps the parts and says where the rest is", async () => {
    await github.upsertStickyComment(pullNumber, "impact", bigReport(400));
    const parts = marked();
    expect(parts).toHaveLength(10);
    expect(parts[9]!.body).toMatch(/goes on for \d+ more part\(s\)/);
  });

  it("removes a duplicate left by an earlier race, and never touches a person's comment", async () => {
    await github.upsertStickyComment(pullNumber, "impact", "one");
    // A second bot comment with the marker, as two concurrent runs could leave.
    await github.client.rest.issues.createComment({ owner: platform.owner, repo: platform.name, issue_number: pullNumber, body: "<!-- flowops:impact -->\nstale" });
    const human = double.addHumanComment(platform.fullName, pullNumber, "carol", "<!-- flowops:impact --> quoted");
    expect(await github.upsertStickyComment(pullNumber, "impact", "two")).toMatchObject({ updated: 1, deleted: 1 });
    expect(marked().map((c) => c.body)).toEqual(["<!-- flowops:impact -->\ntwo", human.body]);
  });

  it("knowing its own login, takes only its own comments: another bot's comment with the marker is left alone", async () => {
    const own = new GitHubRepository(github.client, platform.owner, platform.name, quiet, "github-actions[bot]");
    const renovate = double.addComment(platform.fullName, pullNumber, { login: "renovate[bot]", type: "Bot" }, "<!-- flowops:impact -->\nplanted");
    expect(await own.upsertStickyComment(pullNumber, "impact", "report")).toMatchObject({ created: 1, updated: 0, deleted: 0 });
    expect(renovate).toMatchObject({ body: "<!-- flowops:impact -->\nplanted", edits: 0 });
    expect(marked().map((c) => [c.user.login, c.body])).toEqual([["renovate[bot]", renovate.body], ["github-actions[bot]", "<!-- flowops:impact -->\nreport"]]);
  });

  it("reads at most 10 pages of 100 comments: a report past them is written anew, the one past the cap left as it is", async () => {
    for (let i = 0; i < 1_000; i++) double.addHumanComment(platform.fullName, pullNumber, "spammer", `comment ${i}`);
    const [past] = (await github.upsertStickyComment(pullNumber, "impact", "old report")).commentIds;
    expect(await github.upsertStickyComment(pullNumber, "impact", "new report")).toMatchObject({ created: 1, updated: 0, deleted: 0 });
    const listings = double.requests.filter((r) => r.operationId === "issues/list-comments");
    expect(listings.slice(-10).map((r) => new URL(r.path, double.url).searchParams.get("page") ?? "1")).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    expect(listings).toHaveLength(20);
    expect(marked().map((c) => [c.id === past, c.body])).toEqual([[true, "<!-- flowops:impact -->\nold report"], [false, "<!-- flowops:impact -->\nnew report"]]);
  });

  it("cuts an over-long check summary with a notice instead of failing", async () => {
    const { id } = await github.startCheckRun(double.pullRequest(platform.fullName, pullNumber).head.sha);
    await github.completeCheckRun(id, { conclusion: "success", title: "t".repeat(300), summary: "s".repeat(70_000), text: "x".repeat(80_000), annotations: [] });
    const [run] = double.checkRuns(platform.fullName);
    expect(run!.output.summary!.length).toBe(65_535);
    expect(run!.output.summary).toMatch(/the PR comment has the full report\)$/);
    expect(run!.output.title!.length).toBe(255);
  });

  it("finds the merged PR of a merge commit and lists its reviews", async () => {
    double.submitReview(platform.fullName, pullNumber, "bob", "APPROVED");
    const { after } = await double.mergePullRequest(platform.fullName, pullNumber);
    expect(await github.findMergedPullRequest(after, "main")).toMatchObject({ number: pullNumber, author: "alice", mergeCommitSha: after });
    expect(await github.findMergedPullRequest(after, "release")).toBeNull();
    expect((await github.listReviews(pullNumber)).map((r) => [r.user?.login, r.state])).toEqual([["bob", "APPROVED"]]);
    expect(await github.branchTip("main")).toBe(after);
  });
});

describe("unfinished check runs", () => {
  const head = () => double.pullRequest(platform.fullName, pullNumber).head.sha;
  const listings = () => double.requests.filter((r) => r.operationId === "checks/list-for-ref");

  it("closes only its own App's older in-progress flowops runs: another App's run of that name, a workflow job named flowops, a newer run and other checks are left alone", async () => {
    const sha = head();
    const stale = double.addCheckRun(platform.fullName, { name: "flowops", headSha: sha, app: GITHUB_ACTIONS_APP, externalId: CHECK_EXTERNAL_ID });
    const foreign = double.addCheckRun(platform.fullName, { name: "flowops", headSha: sha, app: { id: 4242, slug: "another-app" }, externalId: CHECK_EXTERNAL_ID });
    // In Actions a workflow job's check run is github-actions' like ours, named after the job, with the job's own external_id.
    const job = double.addCheckRun(platform.fullName, { name: "flowops", headSha: sha, app: GITHUB_ACTIONS_APP, externalId: "4d0c3a1e-5b7f-5c21-9d2e-8f1a2b3c4d5e" });
    const other = double.addCheckRun(platform.fullName, { name: "other-check", headSha: sha, app: GITHUB_ACTIONS_APP, externalId: CHECK_EXTERNAL_ID });
    const current = await github.startCheckRun(sha);
    expect(current.appId).toBe(GITHUB_ACTIONS_APP.id);
    expect(double.checkRuns(platform.fullName, sha).find((run) => run.id === current.id)?.external_id).toBe(CHECK_EXTERNAL_ID);
    const newer = double.addCheckRun(platform.fullName, { name: "flowops", headSha: sha, app: GITHUB_ACTIONS_APP, externalId: CHECK_EXTERNAL_ID });

    expect(await github.cancelUnfinishedCheckRuns(sha, current)).toBe(1);
    expect(stale).toMatchObject({ status: "completed", conclusion: "cancelled" });
    for (const run of [foreign, job, other, newer]) expect(run).toMatchObject({ status: "in_progress", conclusion: null, updates: 0 });
    expect(double.checkRuns(platform.fullName, sha).find((run) => run.id === current.id)).toMatchObject({ status: "in_progress" });
    // GitHub filters by the App; nothing was refused (another App's run would have been a 403).
    expect(listings().map((r) => new URL(r.path, double.url).searchParams.get("app_id"))).toEqual([String(GITHUB_ACTIONS_APP.id)]);
    expect(double.answers("checks/update")).toEqual([200]);
  });

  it("reads at most 10 pages of 100 runs, however many were piled onto the commit", async () => {
    const sha = head();
    const current = await github.startCheckRun(sha);
    // Runs that match every filter (newer than ours, so none is closed and the test stays quick).
    for (let i = 0; i < 1_050; i++) double.addCheckRun(platform.fullName, { name: "flowops", headSha: sha, app: GITHUB_ACTIONS_APP });
    expect(await github.cancelUnfinishedCheckRuns(sha, current)).toBe(0);
    expect(listings().map((r) => new URL(r.path, double.url).searchParams.get("page") ?? "1")).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
  });
});

describe("the double refuses what GitHub would refuse", () => {
  it("flags a wrong path, a wrong method and an invalid body against the OpenAPI description", async () => {
    const client = createGitHubClient({ token: double.issueActionsToken(), baseUrl: double.url, resilience: UNPACED_GITHUB });
    await expect(client.request("POST /repos/{owner}/{repo}/check-run", { owner: "acme", repo: "flows", name: "x", head_sha: "abc" })).rejects.toMatchObject({ status: 404 });
    await expect(client.request("PUT /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "flows", name: "x", head_sha: "abc" })).rejects.toMatchObject({ status: 404 });
    await expect(client.request("POST /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "flows", name: "x", head_sha: "abc", status: "done" as never })).rejects.toMatchObject({ status: 422 });
    await expect(client.request("POST /repos/{owner}/{repo}/deployments", { owner: "acme", repo: "flows", ref: "main", auto_merge: "no" as never })).rejects.toMatchObject({ status: 422 });
    expect(double.violations).toEqual([
      expect.stringContaining("no such path"),
      expect.stringContaining("has no PUT here"),
      expect.stringContaining("body/status must be equal to one of the allowed values"),
      expect.stringContaining("body/auto_merge must be boolean"),
    ]);
    double.violations.splice(0);
  });

  it("enforces GitHub's limits: 65,536-character comments (stated in prose only), 50 annotations per request", async () => {
    await expect(github.client.rest.issues.createComment({ owner: "acme", repo: "flows", issue_number: pullNumber, body: "x".repeat(65_537) })).rejects.toMatchObject({ status: 422 });
    const { id } = await github.startCheckRun(double.pullRequest(platform.fullName, pullNumber).head.sha);
    const annotation = { path: "flows/x.yaml", start_line: 1, end_line: 1, annotation_level: "warning" as const, message: "m" };
    await expect(github.client.rest.checks.update({ owner: "acme", repo: "flows", check_run_id: id, output: { title: "t", summary: "s", annotations: Array.from({ length: 51 }, () => annotation) } })).rejects.toMatchObject({ status: 422 });
    expect(double.violations).toEqual([expect.stringContaining("body/output/annotations must NOT have more than 50 items")]);
    double.violations.splice(0);
  });

  it("refuses a token it did not issue, on the API and on git", async () => {
    const stranger = new GitHubRepository(createGitHubClient({ token: "ghs_forged", baseUrl: double.url, resilience: UNPACED_GITHUB }), "acme", "flows", quiet);
    await expect(stranger.branchTip("main")).rejects.toMatchObject({ status: 401 });
    const dir = await mkdtemp(join(tmpdir(), "flowops-clone-"));
    try {
      const token = "ghs_forged_secret_value_1234";
      const error = await cloneAtCommit({ url: double.cloneUrl("acme", "flows"), token, dir, sha: "0".repeat(40) }).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/git fetch failed/);
      expect((error as Error).message).not.toContain(token);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
