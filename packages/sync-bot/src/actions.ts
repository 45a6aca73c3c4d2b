import { appendFile, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGitHubClient, GitHubRepository, type GitHubResilience } from "./github.js";
import { addWorktree, hasCommit, headCommit, removeWorktree } from "./git.js";
import { redact, registerSecret } from "@flowops/redact";
import { scrubbingLogger } from "./log.js";
import { runMergeDeploy } from "./merge-deploy.js";
import { runPullRequestCheck } from "./pull-request-check.js";
import { resolveDeployPolicy, UnknownEnvironmentError, UntrustedPolicyError } from "./trusted-policy.js";
import type { BotLogger, FlowopsChecks } from "./types.js";

/** GitHub shows at most 1 MiB of job summary per step; more fails the upload. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

export interface CiOptions {
  flowops: FlowopsChecks;
  /** Defaults to workflow commands on stdout (`::warning::`, `::error::`). */
  log?: BotLogger;
  /** Retries, rate-limit waits and write pacing of the GitHub client (defaults: `DEFAULT_RESILIENCE`). */
  github?: Partial<GitHubResilience>;
}

/** A usage or setup problem of the workflow (exit code 2), with what to fix. */
export class CiSetupError extends Error {
  override readonly name = "CiSetupError";
}

interface ActionsContext {
  eventName: string;
  event: Record<string, unknown>;
  owner: string;
  repo: string;
  apiUrl: string;
  token: string;
  workspace: string;
  sha: string;
  stepSummary: string | undefined;
  runUrl: string | undefined;
}

/**
 * `flowops ci pr`: the pull request check inside GitHub Actions (`pull_request` or `merge_group`). Lints the
 * head, computes impact against the merge base, publishes the `flowops` check run and the impact
 * comment, writes the job summary. Policy comes from the PR's base commit. Returns the exit code:
 * 0 clean, 1 lint errors (or impact failed), 2 a setup problem.
 */
export async function runCiPr(env: NodeJS.ProcessEnv, options: CiOptions): Promise<number> {
  const log = scrubbingLogger(options.log ?? workflowCommandLogger());
  try {
    const ctx = await readActionsContext(env);
    const pull = pullRequestUnderCheck(ctx);
    if (pull === null) {
      log.info(`${ctx.eventName} ${String(ctx.event["action"] ?? "")}: nothing to check (flowops checks pull requests opened, synchronized or reopened, and merge queue groups)`);
      return 0;
    }

    if (!(await hasCommit(ctx.workspace, pull.base.sha))) {
      throw new CiSetupError(`the base commit ${pull.base.sha} is not in ${ctx.workspace}; check out with actions/checkout and fetch-depth: 0`);
    }
    const policy = await options.flowops.readPolicy(ctx.workspace, pull.base.sha);
    const github = new GitHubRepository(createGitHubClient({ token: ctx.token, baseUrl: ctx.apiUrl, log, ...(options.github ? { resilience: options.github } : {}) }), ctx.owner, ctx.repo, log);

    // actions/checkout checks out the merge commit by default; lint and annotate the head itself.
    const { dir, cleanup } = await workspaceAt(ctx.workspace, pull.head.sha);
    try {
      const result = await runPullRequestCheck({
        github,
        flowops: options.flowops,
        workspace: dir,
        pullNumber: pull.number,
        headSha: pull.head.sha,
        baseSha: pull.base.sha,
        baseRef: pull.base.ref,
        policy,
        ...(ctx.runUrl ? { detailsUrl: ctx.runUrl } : {}),
        log,
      });
      await writeStepSummary(ctx.stepSummary, result.report);
      return result.exitCode;
    } finally {
      await cleanup();
    }
  } catch (error) {
    return failure(log, error);
  }
}

/**
 * `flowops ci deploy --env ENV`: deploys a push to the deploy branch inside GitHub Actions. Policy
 * comes from the branch as it was before the push (`before` of the push event). `envName`
 * undefined deploys the config's first environment. Returns 0 deployed or nothing to do,
 * 1 refused or a tenant failed, 2 a setup problem.
 */
export async function runCiDeploy(env: NodeJS.ProcessEnv, envName: string | undefined, options: CiOptions): Promise<number> {
  const log = scrubbingLogger(options.log ?? workflowCommandLogger());
  try {
    const ctx = await readActionsContext(env);
    if (ctx.eventName !== "push") {
      throw new CiSetupError(`flowops ci deploy runs on the push event (a merge to the deploy branch), not ${ctx.eventName}`);
    }
    const ref = String(ctx.event["ref"] ?? "");
    if (!ref.startsWith("refs/heads/")) {
      log.info(`push to ${ref} is not a branch; nothing to deploy`);
      return 0;
    }
    const github = new GitHubRepository(createGitHubClient({ token: ctx.token, baseUrl: ctx.apiUrl, log, ...(options.github ? { resilience: options.github } : {}) }), ctx.owner, ctx.repo, log);
    let trusted: Awaited<ReturnType<typeof resolveDeployPolicy>>;
    try {
      trusted = await resolveDeployPolicy({ deployments: github, flowops: options.flowops, workspace: ctx.workspace, environment: envName, before: String(ctx.event["before"] ?? ""), after: ctx.sha });
    } catch (error) {
      if (error instanceof UnknownEnvironmentError) throw new CiSetupError(error.message);
      if (!(error instanceof UntrustedPolicyError)) throw error;
      log.error(`deploy of ${ctx.sha} refused: ${error.message}`);
      await writeStepSummary(ctx.stepSummary, `flowops: the deploy of \`${ctx.sha.slice(0, 12)}\` was refused: ${error.message}`);
      return 1;
    }
    const { env: target, policy, policyCommit } = trusted;
    log.info(policyCommit.reason);
    // A re-run keeps the push's payload; GITHUB_TRIGGERING_ACTOR is whoever started this run (the
    // pusher on the first run, the person who clicked "Re-run" after that).
    const pusher = env["GITHUB_TRIGGERING_ACTOR"] || ((ctx.event["sender"] as { login?: string } | undefined)?.login ?? (ctx.event["pusher"] as { name?: string } | undefined)?.name) || null;
    const result = await runMergeDeploy({
      github,
      flowops: options.flowops,
      workspace: ctx.workspace,
      sha: ctx.sha,
      branch: ref.slice("refs/heads/".length),
      env: target,
      policy,
      baseSha: policyCommit.sha,
      pusher,
      ...(ctx.runUrl ? { logUrl: ctx.runUrl } : {}),
      log,
    });
    await writeStepSummary(ctx.stepSummary, result.report);
    return result.exitCode;
  } catch (error) {
    return failure(log, error);
  }
}

/**
 * The head and base to check: a pull request (opened, synchronize, reopened), or a merge queue
 * group (`merge_group`, so a required `flowops` check also reports in the queue; no comment then).
 */
function pullRequestUnderCheck(ctx: ActionsContext): { number: number | null; head: { sha: string }; base: { sha: string; ref: string } } | null {
  if (ctx.eventName === "merge_group") {
    const group = ctx.event["merge_group"] as { head_sha?: string; base_sha?: string; base_ref?: string } | undefined;
    if (!group?.head_sha || !group.base_sha) throw new CiSetupError("the merge_group event file has no merge_group.head_sha / base_sha");
    return { number: null, head: { sha: group.head_sha }, base: { sha: group.base_sha, ref: (group.base_ref ?? "").replace(/^refs\/heads\//, "") } };
  }
  if (ctx.eventName !== "pull_request") {
    throw new CiSetupError(`flowops ci pr runs on the pull_request (or merge_group) event, not ${ctx.eventName}; trigger the workflow with "on: pull_request" (pull_request_target would run with secrets for fork PRs)`);
  }
  if (!["opened", "synchronize", "reopened"].includes(String(ctx.event["action"] ?? ""))) return null;
  const pull = ctx.event["pull_request"] as { number: number; head: { sha: string }; base: { sha: string; ref: string } } | undefined;
  if (!pull?.head?.sha || !pull.base?.sha) throw new CiSetupError("the event file has no pull_request.head.sha / base.sha");
  return pull;
}

async function readActionsContext(env: NodeJS.ProcessEnv): Promise<ActionsContext> {
  const required = ["GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY", "GITHUB_TOKEN", "GITHUB_WORKSPACE", "GITHUB_SHA"] as const;
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new CiSetupError(`missing environment variable${missing.length === 1 ? "" : "s"} ${missing.join(", ")}: run inside GitHub Actions, and pass the token with env: GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}`);
  }
  const [owner, repo] = String(env["GITHUB_REPOSITORY"]).split("/");
  if (!owner || !repo) throw new CiSetupError(`GITHUB_REPOSITORY must be owner/name, got ${env["GITHUB_REPOSITORY"]}`);
  const eventPath = String(env["GITHUB_EVENT_PATH"]);
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(await readFile(eventPath, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new CiSetupError(`cannot read the event file ${eventPath} (GITHUB_EVENT_PATH): ${error instanceof Error ? error.message : String(error)}`);
  }
  // FLOWOPS_WORKSPACE: the repository's checkout when it is not GITHUB_WORKSPACE itself (the PR
  // workflow checks the base branch's flowops out beside the PR's files).
  const workspaceVariable = env["FLOWOPS_WORKSPACE"] ? "FLOWOPS_WORKSPACE" : "GITHUB_WORKSPACE";
  const workspace = String(env[workspaceVariable]);
  if (!(await stat(workspace).catch(() => null))?.isDirectory()) throw new CiSetupError(`${workspaceVariable} ${workspace} is not a folder; run actions/checkout first`);
  const server = env["GITHUB_SERVER_URL"] ?? "https://github.com";
  const runId = env["GITHUB_RUN_ID"];
  return {
    eventName: String(env["GITHUB_EVENT_NAME"]),
    event,
    owner,
    repo,
    apiUrl: env["GITHUB_API_URL"] || "https://api.github.com",
    token: registered(String(env["GITHUB_TOKEN"])),
    workspace,
    sha: String(env["GITHUB_SHA"]),
    stepSummary: env["GITHUB_STEP_SUMMARY"] || undefined,
    runUrl: runId ? `${server}/${owner}/${repo}/actions/runs/${runId}` : undefined,
  };
}

function registered(token: string): string {
  registerSecret(token);
  return token;
}

/** A working tree at `sha`: the workspace itself when it is there already, else a temporary worktree. */
async function workspaceAt(workspace: string, sha: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  if ((await headCommit(workspace)) === sha) return { dir: workspace, cleanup: async () => undefined };
  if (!(await hasCommit(workspace, sha))) {
    throw new CiSetupError(`the pull request head ${sha} is not in ${workspace}; check out with actions/checkout and fetch-depth: 0`);
  }
  const parent = await mkdtemp(join(tmpdir(), "flowops-head-"));
  const dir = join(parent, "head");
  await addWorktree(workspace, dir, sha);
  return {
    dir,
    cleanup: async () => {
      await removeWorktree(workspace, dir).catch(() => undefined);
      await rm(parent, { recursive: true, force: true });
    },
  };
}

/** Appends `markdown` to the job summary file (1 MiB per step at most; a longer report says it was cut). */
export async function writeStepSummary(path: string | undefined, markdown: string): Promise<void> {
  if (!path) return;
  const notice = "\n\n… (the report is longer than GitHub's 1 MiB job summary limit; the PR comment and `flowops impact` have all of it)\n";
  const scrubbed = redact(markdown);
  let text = scrubbed.endsWith("\n") ? scrubbed : `${scrubbed}\n`;
  if (Buffer.byteLength(text) > STEP_SUMMARY_LIMIT) {
    const bytes = Buffer.from(text).subarray(0, STEP_SUMMARY_LIMIT - Buffer.byteLength(notice) - 4);
    text = bytes.toString("utf8").replace(/\uFFFD+$/, "") + notice;
  }
  await appendFile(path, text);
}

function failure(log: BotLogger, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  log.error(message);
  // Findings (lint errors, refusals, failed tenants) return 1 above; anything thrown is a setup,
  // repository or service problem.
  return 2;
}

/** Logs as GitHub Actions workflow commands, so warnings and errors show on the run. */
export function workflowCommandLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): BotLogger {
  const escape = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  return {
    info: (message) => write(message),
    warn: (message) => write(`::warning::${escape(message)}`),
    error: (message) => write(`::error::${escape(message)}`),
  };
}
