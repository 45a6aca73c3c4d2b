import { generateKeyPairSync } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBotServer, createGitHubClient, flowopsChecks, GitHubRepository, KestraTargets, runCiPr, type BotLogger } from "@flowops/sync-bot";
import type { GitHubDouble } from "./github-double/index.js";
import type { Platform } from "./github-double/platform.js";
import { actionsEnvironment, pullRequestEvent, signature256 } from "./github-double/events.js";
import { startBotPlatform } from "./github-double/bot-platform.js";

/**
 * GitHub answers 502s and secondary rate limits now and then; the bot rides through them with the
 * real packages behind it (lint and impact on the real repository) and the clients' default
 * retry, throttling and pacing settings, on the calls whose loss hurts: check runs (the merge
 * gate) and the impact comment.
 */
const MARKER = "<!-- flowops:impact -->";
const APP_ID = 5150;
const INSTALLATION = 91;
const SECRET = "webhook-secret-for-fault-tests";
const BROKEN_FLOW = `tasks:
  - id: load
    type: io.kestra.plugin.core.log.Logg
    message: hello
`;

let privateKey: string;
beforeAll(() => {
  privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
});

let github: GitHubDouble;
let platform: Platform;
let scratch: string;
let logLines: string[];
let log: BotLogger;
let runs = 0;

beforeEach(async () => {
  ({ github, platform, scratch, logLines, log } = await startBotPlatform("flowops-faults-"));
});

afterEach(async () => {
  expect(github.violations).toEqual([]);
  await github.stop();
  await platform.dispose();
  await rm(scratch, { recursive: true, force: true });
});

function botComments(number: number) {
  return github.comments(platform.fullName, number).filter((c) => c.user.type === "Bot" && c.body.includes(MARKER));
}

async function runPr(number: number, action: "opened" | "synchronize" = "opened"): Promise<number> {
  const pull = github.pullRequest(platform.fullName, number);
  const workspace = await platform.checkout(pull.head.sha, join(scratch, `workspace-${++runs}`));
  const payload = pullRequestEvent(action, github.repositoryPayload(platform.fullName), github.pullPayload(platform.fullName, number));
  const env = await actionsEnvironment({ eventName: "pull_request", payload, repository: platform.fullName, apiUrl: github.url, token: github.issueActionsToken(), workspace, sha: pull.head.sha, scratch, run: runs, runId: "9001" });
  return runCiPr(env, { flowops: flowopsChecks({ kestra: KestraTargets.fromActions(env) }), log });
}

describe("flowops ci pr rides through GitHub's 502s and secondary rate limits", () => {
  it("creates and completes the check run and posts one comment despite a 502 and a limit on each", { timeout: 120_000 }, async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": BROKEN_FLOW });
    const pull = await github.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    github.failNext("checks/create", { kind: "server-error", status: 502 });
    github.failNext("checks/update", { kind: "secondary-rate-limit", status: 403, retryAfter: 1 });
    github.failNext("issues/create-comment", { kind: "server-error", status: 502 });
    github.failNext("issues/create-comment", { kind: "secondary-rate-limit", status: 429, retryAfter: 1 });

    expect(await runPr(pull.number)).toBe(1);

    const runsOnHead = github.checkRuns(platform.fullName, pull.head.sha);
    expect(runsOnHead).toHaveLength(1);
    expect(runsOnHead[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(runsOnHead[0]!.annotations).toEqual([expect.objectContaining({ path: "flows/silver/usage_daily.yaml", start_line: 3, title: "unknown-task-type (flowops)" })]);
    expect(botComments(pull.number)).toHaveLength(1);
    expect(github.answers("checks/create")).toEqual([502, 201]);
    expect(github.answers("checks/update")).toEqual([403, 200]);
    expect(github.answers("issues/create-comment")).toEqual([502, 429, 201]);
    const logged = logLines.join("\n");
    expect(logged).toContain("GitHub answered 502 to POST /repos/acme/flows/check-runs (attempt 1); retrying with backoff");
    expect(logged).toMatch(/GitHub's secondary rate limit on PATCH \/repos\/acme\/flows\/check-runs\/\d+: waiting 1 s \(wait 1 of at most 2\)/);
    expect(logged).toMatch(/GitHub's secondary rate limit on POST \/repos\/acme\/flows\/issues\/\d+\/comments: waiting 1 s/);
  });

  it("edits the comment on the next push despite a 502 on the edit and a limit on reading the comments", { timeout: 120_000 }, async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": BROKEN_FLOW });
    const pull = await github.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    expect(await runPr(pull.number)).toBe(1);
    const [first] = botComments(pull.number);

    await platform.commit("usage", "Fix the task type", { "flows/silver/usage_daily.yaml": BROKEN_FLOW.replace("Logg", "Log") });
    await github.synchronizePullRequest(platform.fullName, pull.number);
    github.failNext("issues/list-comments", { kind: "secondary-rate-limit", status: 403, retryAfter: 1 });
    github.failNext("issues/update-comment", { kind: "server-error", status: 502 }, 2);
    expect(await runPr(pull.number, "synchronize")).toBe(0);

    const comments = botComments(pull.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(first!.id);
    expect(comments[0]!.edits).toBe(1);
    expect(comments[0]!.body).not.toContain("unknown-task-type");
    expect(github.answers("issues/update-comment")).toEqual([502, 502, 200]);
    expect(github.checkRuns(platform.fullName, pull.head.sha)[0]).toMatchObject({ conclusion: "success" });
  });
});

describe("the GitHub App rides through GitHub's 502s and secondary rate limits", () => {
  it("checks a delivered PR: check run and comment land despite a limit on the check and 502s on the comment", { timeout: 120_000 }, async () => {
    github.registerApp(APP_ID, privateKey);
    github.addInstallation(INSTALLATION, [platform.fullName]);
    const bot = createBotServer({ appId: APP_ID, privateKey, webhookSecret: SECRET, flowops: flowopsChecks({ kestra: KestraTargets.fromActions({}) }), baseUrl: github.url, catchUpIntervalMs: 0, log });
    try {
      const port = await bot.listen(0);
      await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": BROKEN_FLOW });
      const pull = await github.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
      github.failNext("checks/create", { kind: "secondary-rate-limit", status: 429, retryAfter: 1 });
      github.failNext("checks/update", { kind: "server-error", status: 503 });
      github.failNext("issues/create-comment", { kind: "server-error", status: 502 }, 2);

      const body = JSON.stringify(pullRequestEvent("opened", github.repositoryPayload(platform.fullName), github.pullPayload(platform.fullName, pull.number), INSTALLATION));
      const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "fault-delivery-1", "x-hub-signature-256": signature256(body, SECRET) },
        body,
      });
      expect(response.status).toBe(202);
      await bot.idle();

      expect(bot.deliveries).toEqual([expect.objectContaining({ id: "fault-delivery-1", status: "done" })]);
      const runsOnHead = github.checkRuns(platform.fullName, pull.head.sha);
      expect(runsOnHead).toHaveLength(1);
      expect(runsOnHead[0]).toMatchObject({ status: "completed", conclusion: "failure" });
      expect(botComments(pull.number)).toHaveLength(1);
      expect(github.answers("checks/create")).toEqual([429, 201]);
      expect(github.answers("checks/update")).toEqual([503, 200]);
      expect(github.answers("issues/create-comment")).toEqual([502, 502, 201]);
      expect(logLines.join("\n")).toContain("GitHub answered 502 to POST /repos/acme/flows/issues/1/comments (attempt 2); retrying with backoff");
    } finally {
      await bot.close();
    }
  });
});

describe("waits are bounded", () => {
  function repository(resilience: Parameters<typeof createGitHubClient>[0]["resilience"] = {}) {
    return new GitHubRepository(createGitHubClient({ token: github.issueActionsToken(), baseUrl: github.url, log, resilience }), platform.owner, platform.name, log);
  }

  it("sends every annotation batch when GitHub limits one update and fails another", { timeout: 120_000 }, async () => {
    const sha = await platform.commit("many", "Many files", { "notes.md": "x\n" });
    const checks = repository();
    const { id } = await checks.startCheckRun(sha);
    github.failNext("checks/update", { kind: "secondary-rate-limit", status: 403, retryAfter: 1 });
    github.failNext("checks/update", { kind: "server-error", status: 502 }, 1, { after: 1 });
    const annotations = Array.from({ length: 120 }, (_, i) => ({ path: "notes.md", start_line: i + 1, end_line: i + 1, annotation_level: "warning" as const, message: `finding ${i}`, title: "t" }));
    await checks.completeCheckRun(id, { conclusion: "neutral", title: "findings", summary: "120 findings", annotations });
    const [run] = github.checkRuns(platform.fullName, sha);
    expect(run!.annotations.map((a) => a["message"])).toEqual(annotations.map((a) => a.message));
    expect(github.answers("checks/update")).toEqual([403, 200, 502, 200, 200]);
  });

  it("does not wait an hour for a primary rate limit: the request fails at once with GitHub's message", { timeout: 60_000 }, async () => {
    github.failNext("issues/create-comment", { kind: "rate-limit", resetInSeconds: 3600 });
    const pull = await openPull();
    await expect(repository().upsertStickyComment(pull, "impact", "report")).rejects.toThrow(/API rate limit exceeded/);
    expect(github.answers("issues/create-comment")).toEqual([403]);
    expect(logLines.join("\n")).toMatch(/GitHub's primary rate limit on POST \/repos\/acme\/flows\/issues\/\d+\/comments asks for 360\d s, longer than the 120 s flowops waits; giving up/);
  });

  it("gives up on a secondary limit that outlasts its waits, and on 5xx after its retries", { timeout: 60_000 }, async () => {
    const pull = await openPull();
    github.failNext("issues/create-comment", { kind: "secondary-rate-limit", status: 403, retryAfter: 1 }, 3);
    await expect(repository().upsertStickyComment(pull, "impact", "report")).rejects.toThrow(/secondary rate limit/);
    expect(github.answers("issues/create-comment")).toEqual([403, 403, 403]);
    expect(logLines.join("\n")).toMatch(/still holds after 2 wait\(s\); giving up/);

    github.failNext("issues/create-comment", { kind: "server-error", status: 502 }, 3);
    await expect(repository({ serverErrorRetries: 1 }).upsertStickyComment(pull, "impact", "report")).rejects.toMatchObject({ status: 502 });
    expect(github.answers("issues/create-comment")).toEqual([403, 403, 403, 502, 502]);
    expect(botComments(pull)).toEqual([]);
  });

  it("a 502 that hid a done comment write duplicates it at most until the next report, which removes the copy", { timeout: 60_000 }, async () => {
    const pull = await openPull();
    const repo = repository();
    github.failNext("issues/create-comment", { kind: "server-error", status: 502, afterWriting: true });
    await repo.upsertStickyComment(pull, "impact", "first report");
    // plugin-retry re-sent the POST: GitHub now holds the comment twice.
    expect(github.answers("issues/create-comment")).toEqual([502, 201]);
    expect(botComments(pull).map((c) => c.body)).toEqual([`${MARKER}\nfirst report`, `${MARKER}\nfirst report`]);
    const next = await repo.upsertStickyComment(pull, "impact", "second report");
    expect(next).toMatchObject({ updated: 1, deleted: 1, created: 0 });
    expect(botComments(pull).map((c) => c.body)).toEqual([`${MARKER}\nsecond report`]);
  });

  async function openPull(): Promise<number> {
    await platform.commit("note", "A note", { "notes.md": "x\n" });
    return (await github.openPullRequest(platform.fullName, { head: "note", author: "alice" })).number;
  }
});
