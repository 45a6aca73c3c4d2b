import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flowopsChecks, KestraTargets, runCiDeploy, runCiPr, type BotLogger } from "@flowops/sync-bot";
import type { GitHubDouble } from "./github-double/index.js";
import type { Platform } from "./github-double/platform.js";
import { actionsEnvironment, pullRequestEvent, pushEvent } from "./github-double/events.js";
import { startBotPlatform } from "./github-double/bot-platform.js";
import { startKestraDouble, type KestraDouble } from "./kestra-double/index.js";
import { UNPACED_GITHUB } from "./support.js";

// Real Git over HTTP on a busy shared machine: generous limits (the work itself is not timed).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/**
 * The sync bot with the real packages behind it (not the fakes of bot-actions.test.ts): lint,
 * impact and deploy run on the real repository, and the deploy lands in the Kestra double.
 */
const USERNAME = "bot@example.com";
const PASSWORD = "Bot-Secret-2026";

const UNPINNED_FLOW = `tasks:
  - id: load
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python:latest
    script: print("load")
`;

let github: GitHubDouble;
let kestra: KestraDouble;
let platform: Platform;
let scratch: string;
let logLines: string[];
let log: BotLogger;
let runs = 0;

beforeEach(async () => {
  ({ github, platform, scratch, logLines, log } = await startBotPlatform("flowops-real-bot-"));
  kestra = await startKestraDouble({ basicAuth: { username: USERNAME, password: PASSWORD } });
  await platform.commit("main", "Point staging at the Kestra double", {
    "flowops.config.yaml": `environments:\n  staging:\n    kestra: { url: "${kestra.url}" }\ndeploy:\n  branch: main\n  approvals: 1\n`,
  });
});

afterEach(async () => {
  expect(github.violations).toEqual([]);
  expect(logLines.join("\n")).not.toContain(PASSWORD);
  await github.stop();
  await kestra.close();
  await platform.dispose();
  await rm(scratch, { recursive: true, force: true });
});

async function actionsEnv(eventName: string, payload: unknown, sha: string): Promise<NodeJS.ProcessEnv> {
  const workspace = await platform.checkout(sha, join(scratch, `workspace-${++runs}`));
  const env = await actionsEnvironment({ eventName, payload, repository: platform.fullName, apiUrl: github.url, token: github.issueActionsToken(), workspace, sha, scratch, run: runs, runId: "77" });
  return { ...env, KESTRA_URL: kestra.url, KESTRA_USERNAME: USERNAME, KESTRA_PASSWORD: PASSWORD };
}

describe("the sync bot on the real flowops packages", () => {
  it("fails a PR on a real lint error at its template line, and shows the real per-tenant impact", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW.replace("io.kestra.plugin.scripts.python.Script", "io.kestra.plugin.core.log.Logg") });
    const pull = await github.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    const env = await actionsEnv("pull_request", pullRequestEvent("opened", github.repositoryPayload(platform.fullName), github.pullPayload(platform.fullName, pull.number)), pull.head.sha);
    const code = await runCiPr(env, { flowops: flowopsChecks({ kestra: KestraTargets.fromActions(env) }), log, github: UNPACED_GITHUB });
    expect(code).toBe(1);
    const [run] = github.checkRuns(platform.fullName, pull.head.sha);
    expect(run).toMatchObject({ conclusion: "failure" });
    expect(run!.annotations).toEqual([
      expect.objectContaining({ path: "flows/silver/usage_daily.yaml", start_line: 3, annotation_level: "failure", title: "unknown-task-type (flowops)" }),
      expect.objectContaining({ path: "flows/silver/usage_daily.yaml", start_line: 4, annotation_level: "warning", title: "unpinned-image (flowops)" }),
    ]);
    const comments = github.comments(platform.fullName, pull.number).filter((c) => c.body.includes("<!-- flowops:impact -->"));
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("customer_1");
    expect(comments[0]!.body).toContain("silver/usage_daily");
    expect(await readFile(env["GITHUB_STEP_SUMMARY"]!, "utf8")).toContain("unknown-task-type");
  });

  it("deploys an approved merge into Kestra, owned and labelled", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW.replace("python:latest", "python:3.12-slim") });
    const pull = await github.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    github.submitReview(platform.fullName, pull.number, "bob", "APPROVED");
    const merge = await github.mergePullRequest(platform.fullName, pull.number);
    const payload = pushEvent({ ref: "refs/heads/main", before: merge.before, after: merge.after, pusher: "alice", repository: github.repositoryPayload(platform.fullName) });
    const env = await actionsEnv("push", payload, merge.after);
    expect(await runCiDeploy(env, "staging", { flowops: flowopsChecks({ kestra: KestraTargets.fromActions(env) }), log, github: UNPACED_GITHUB })).toBe(0);
    expect(kestra.liveFlows().map((f) => `${f.namespace}/${f.id}`).sort()).toEqual([
      "customer_1.bronze/aws_costs",
      "customer_1.silver/usage_daily",
      "customer_2.bronze/aws_costs",
      "customer_2.silver/usage_daily",
    ]);
    expect(kestra.liveFlows().every((f) => f.labels.some(([k, v]) => k === "managed-by" && v === "flowops"))).toBe(true);
    expect(github.deployments(platform.fullName)[0]!.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
  });

  it("refuses an unapproved merge: nothing reaches Kestra", async () => {
    await platform.commit("usage", "Add usage_daily", { "flows/silver/usage_daily.yaml": UNPINNED_FLOW.replace("python:latest", "python:3.12-slim") });
    const pull = await github.openPullRequest(platform.fullName, { head: "usage", author: "alice" });
    const merge = await github.mergePullRequest(platform.fullName, pull.number);
    const payload = pushEvent({ ref: "refs/heads/main", before: merge.before, after: merge.after, pusher: "alice", repository: github.repositoryPayload(platform.fullName) });
    const env = await actionsEnv("push", payload, merge.after);
    expect(await runCiDeploy(env, "staging", { flowops: flowopsChecks({ kestra: KestraTargets.fromActions(env) }), log, github: UNPACED_GITHUB })).toBe(1);
    expect(kestra.writeCount()).toBe(0);
  });
});
