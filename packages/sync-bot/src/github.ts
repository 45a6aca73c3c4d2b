import { createHash } from "node:crypto";
import Bottleneck from "bottleneck";
import { Octokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { redact } from "@flowops/redact";
import { splitMarkdown } from "./split-markdown.js";
import type { PullRequestReview } from "./approvals.js";
import type { BotLogger, LintDiagnostic } from "./types.js";

/** GitHub rejects issue comments longer than this ("Body is too long"). */
export const COMMENT_LIMIT = 65_536;
/** `output.summary` and `output.text` of a check run hold at most this many characters each. */
export const CHECK_OUTPUT_LIMIT = 65_535;
/** The Checks API takes at most 50 annotations per request; further ones are appended by updates. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** More comment parts than this would be noise (and hit secondary rate limits); the rest is pointed to. */
export const MAX_COMMENT_PARTS = 10;
/** Pages of 100 open issues {@link GitHubRepository.openIssues} reads at most. */
const OPEN_ISSUES_MAX_PAGES = 10;
/** Pages of 100 check runs {@link GitHubRepository.cancelUnfinishedCheckRuns} reads at most. */
const CHECK_RUNS_MAX_PAGES = 10;
/** Pages of 100 comments {@link GitHubRepository.upsertStickyComment} reads at most. */
const COMMENTS_MAX_PAGES = 10;
/**
 * A `paginate` map function that stops after `maxPages` pages: lists anyone with write access can
 * grow (issues, comments, check runs) are read from their oldest pages only, so memory stays bounded.
 */
function atMostPages<T>(maxPages: number): (response: { data: T[] }, done: () => void) => T[] {
  let pages = 0;
  return (response, done) => {
    if (++pages >= maxPages) done();
    return response.data;
  };
}

/** The name of the check run on the head sha; branch protection requires checks by name. */
export const CHECK_NAME = "flowops";
/**
 * The `external_id` of the check runs the PR check creates. In Actions every workflow job's check
 * run is the same App's (github-actions) as ours: a job someone named `flowops` is told apart by this.
 */
export const CHECK_EXTERNAL_ID = "flowops-pull-request-check";

/**
 * How long the bot rides out GitHub's refusals. 5xx answers are retried by @octokit/plugin-retry
 * ((n+1)² seconds apart); primary and secondary rate limits are waited out by
 * @octokit/plugin-throttling, honouring `retry-after` (60 s when GitHub names none), but never for
 * longer than `maxWaitSeconds` at a time nor more than `rateLimitRetries` times per request: a
 * limit that would hold the bot longer fails the request with GitHub's own message.
 */
export interface GitHubResilience {
  /** Retries of a request GitHub answered with a 5xx (or another retryable error); default 3. */
  serverErrorRetries: number;
  /** Waits for one request that hit a primary or secondary rate limit; default 2. */
  rateLimitRetries: number;
  /** The longest single rate-limit wait, in seconds; default 120. */
  maxWaitSeconds: number;
  /**
   * Space writes as GitHub asks of integrations (one at a time, a second apart, notifying writes
   * such as comments three seconds apart); default true. Without it writes still go one at a time.
   */
  paceWrites: boolean;
}

export const DEFAULT_RESILIENCE: GitHubResilience = { serverErrorRetries: 3, rateLimitRetries: 2, maxWaitSeconds: 120, paceWrites: true };

/** One write at a time per throttling id, unspaced (`paceWrites: false`). */
let unpacedWrites: Bottleneck.Group | undefined;

/**
 * Logs each 5xx answer with the attempt it ended, so retries by plugin-retry are visible. Applied
 * before plugin-retry, so its hook sits inside the retry loop and sees every attempt.
 */
function logServerErrors(octokit: Pick<Octokit, "hook" | "log" | "request">): void {
  octokit.hook.wrap("request", async (request, options) => {
    try {
      return await request(options);
    } catch (error) {
      const status = httpStatusOf(error);
      if (status !== undefined && status >= 500) {
        const attempt = Number((options.request as { retryCount?: number } | undefined)?.retryCount ?? 0) + 1;
        octokit.log.warn(`GitHub answered ${status} to ${requestLine(octokit, options)} (attempt ${attempt}); retrying with backoff`);
      }
      throw error;
    }
  });
}

/** Octokit's REST client with retries on 5xx and waits on rate limits: every client the bot makes is one. */
const GitHubOctokit: typeof Octokit = Octokit.plugin(logServerErrors, retry, throttling);

export type GitHubClient = InstanceType<typeof Octokit>;

/**
 * The retry and throttling options of a client. `throttleId` keys plugin-throttling's write queues
 * (one write a second, one notifying write every three, as GitHub asks of integrations): GitHub
 * counts secondary limits per token, so each installation gets its own queue rather than the
 * process-wide default.
 */
export function resilienceOptions(log: BotLogger | undefined, throttleId: string, resilience: Partial<GitHubResilience> = {}) {
  const limits = { ...DEFAULT_RESILIENCE, ...resilience };
  const onLimit = (kind: string) => (retryAfter: number, request: EndpointOptions, octokit: Pick<Octokit, "request">, retryCount: number): boolean => {
    const what = requestLine(octokit, request);
    if (retryCount >= limits.rateLimitRetries) {
      log?.error(`GitHub's ${kind} rate limit on ${what} still holds after ${retryCount} wait(s); giving up on this request`);
      return false;
    }
    if (retryAfter > limits.maxWaitSeconds) {
      log?.error(`GitHub's ${kind} rate limit on ${what} asks for ${retryAfter} s, longer than the ${limits.maxWaitSeconds} s flowops waits; giving up on this request`);
      return false;
    }
    log?.warn(`GitHub's ${kind} rate limit on ${what}: waiting ${retryAfter} s (wait ${retryCount + 1} of at most ${limits.rateLimitRetries})`);
    return true;
  };
  return {
    retry: {
      retries: limits.serverErrorRetries,
      // 429 is a rate limit: plugin-throttling waits it out with GitHub's retry-after instead.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      id: throttleId,
      onRateLimit: onLimit("primary"),
      onSecondaryRateLimit: onLimit("secondary"),
      ...(limits.paceWrites ? {} : { write: (unpacedWrites ??= new Bottleneck.Group({ maxConcurrent: 1 })), notifications: unpacedWrites }),
    },
  };
}

/** Creates the REST client the bot uses for a token (GITHUB_TOKEN or an installation token). */
export function createGitHubClient(options: { token: string; baseUrl?: string; userAgent?: string; log?: BotLogger; resilience?: Partial<GitHubResilience> }): GitHubClient {
  return new GitHubOctokit({
    auth: options.token,
    baseUrl: options.baseUrl ?? "https://api.github.com",
    userAgent: options.userAgent ?? "flowops-sync-bot",
    log: octokitLog(options.log),
    // Keyed by a digest of the token, never the token itself.
    ...resilienceOptions(options.log, `token:${createHash("sha256").update(options.token).digest("hex").slice(0, 16)}`, options.resilience),
  });
}

/**
 * The Octokit class the GitHub App makes its clients from: the App's own (JWT) and one per
 * installation, each with its own throttling queue.
 */
export function gitHubAppOctokit(options: { baseUrl?: string; log?: BotLogger; resilience?: Partial<GitHubResilience> }): typeof Octokit {
  return GitHubOctokit.defaults((given: Record<string, unknown>) => {
    const installationId = (given["auth"] as { installationId?: unknown } | undefined)?.installationId;
    return {
      baseUrl: options.baseUrl ?? "https://api.github.com",
      userAgent: "flowops-sync-bot",
      ...resilienceOptions(options.log, installationId === undefined ? "app" : `installation:${String(installationId)}`, options.resilience),
      ...given,
      log: octokitLog(options.log),
    };
  });
}

/**
 * Failed requests are thrown and reported by the bot with what to do; Octokit's own request log
 * would print them a second time. Its warnings (and the retry and limit notes above) go to the bot's log.
 */
function octokitLog(log: BotLogger | undefined) {
  const quiet = () => undefined;
  return { debug: quiet, info: quiet, warn: log ? (message: string) => log.warn(message) : quiet, error: quiet };
}

type EndpointOptions = Parameters<Octokit["request"]["endpoint"]["parse"]>[0];

/** `METHOD /path` of a request, its parameters filled in; no query or host (tokens travel in headers, never here). */
function requestLine(octokit: Pick<Octokit, "request">, options: EndpointOptions): string {
  try {
    const { method, url } = octokit.request.endpoint.parse(options);
    return `${method} ${new URL(url, "https://api.github.com").pathname}`;
  } catch {
    return `${options.method} ${options.url}`;
  }
}

/** The hidden marker that finds a sticky comment again, e.g. `<!-- flowops:impact -->`. */
export function commentMarker(key: string): string {
  return `<!-- flowops:${key} -->`;
}

export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title: string;
}

/** Lint diagnostics as check-run annotations at their template or tenant file lines. */
export function diagnosticsToAnnotations(diagnostics: readonly LintDiagnostic[]): CheckAnnotation[] {
  return diagnostics.map((diagnostic) => {
    const line = Math.max(1, diagnostic.line);
    const tenants = diagnostic.tenants?.length
      ? `\n\nTenants (${diagnostic.tenants.length}): ${diagnostic.tenants.slice(0, 50).join(", ")}${diagnostic.tenants.length > 50 ? ", …" : ""}`
      : "";
    return {
      path: diagnostic.file,
      start_line: line,
      end_line: line,
      // Columns are only allowed when the annotation stays on one line, which it does here.
      start_column: Math.max(1, diagnostic.column),
      end_column: Math.max(1, diagnostic.column),
      annotation_level: diagnostic.severity === "error" ? "failure" : diagnostic.severity === "warning" ? "warning" : "notice",
      message: fitText(diagnostic.message + tenants, 60_000, "…"),
      title: fitText(`${diagnostic.rule} (flowops)`, 255, "…"),
    };
  });
}

/** `items` in groups of `size`. */
export function inBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

/** Cuts `text` to `limit` characters, ending with `notice` so the cut is never silent. */
export function fitText(text: string, limit: number, notice: string): string {
  if (text.length <= limit) return text;
  return text.slice(0, Math.max(0, limit - notice.length)) + notice;
}

export interface CheckRunOutput {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations: readonly CheckAnnotation[];
}

export interface MergedPullRequest {
  number: number;
  title: string;
  author: string | null;
  htmlUrl: string;
  mergeCommitSha: string | null;
  baseSha: string;
}

export interface StickyCommentResult {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Comment ids of the parts, in order. */
  commentIds: number[];
}

export type DeploymentState = "in_progress" | "success" | "failure" | "error" | "inactive";

/**
 * The `task` of flowops's own GitHub deployments, so the deployments GitHub Actions records for a
 * job with an `environment:` (which succeed even when flowops skipped the commit) never count as
 * a commit flowops deployed.
 */
export const DEPLOYMENT_TASK = "deploy:flowops";

/** A deployment flowops recorded and that reached `success`. */
export interface SuccessfulDeployment {
  id: number;
  sha: string;
  environment: string;
}

/**
 * A claim on an environment: a flowops deployment not yet finished whose lease has not run out.
 * The holder writes its lease into the `in_progress` status (`lease <holder> until <ISO time>`);
 * a deployment without a status yet holds until `created_at` plus the reader's lease time.
 */
export interface EnvironmentClaim {
  deploymentId: number;
  holder: string | null;
  until: number;
}

/** The lease written into an `in_progress` status description (140 characters at most). */
export function leaseDescription(environment: string, holder: string, until: Date): string {
  return `Deploying to ${environment} (lease ${holder} until ${until.toISOString()})`;
}

const LEASE = /\(lease (\S+) until (\d{4}-\d\d-\d\dT[\d:.]+Z)\)/;

/** A check run just created, and the App GitHub says created it (null when it names none). */
export interface StartedCheckRun {
  id: number;
  appId: number | null;
}

/** An open issue, as the drift report reads it. */
export interface OpenIssue {
  number: number;
  title: string;
  body: string;
  htmlUrl: string;
  author: string | null;
}

/** The GitHub operations of the bot on one repository. Every write is safe to repeat. */
export class GitHubRepository {
  /**
   * @param login The login the client's token acts as (the App's `<slug>[bot]`), when known: only
   *   its comments are taken for the bot's own. Null (Actions, where the token may be any bot's):
   *   any bot's comment carrying the marker is.
   */
  constructor(
    readonly client: GitHubClient,
    readonly owner: string,
    readonly repo: string,
    private readonly log: BotLogger,
    readonly login: string | null = null,
  ) {}

  /** Creates the `flowops` check run on `headSha`, in progress; `appId` is the App GitHub says created it (the token's). */
  async startCheckRun(headSha: string, detailsUrl?: string): Promise<StartedCheckRun> {
    const { data } = await this.client.rest.checks.create({
      owner: this.owner,
      repo: this.repo,
      name: CHECK_NAME,
      head_sha: headSha,
      external_id: CHECK_EXTERNAL_ID,
      status: "in_progress",
      started_at: new Date().toISOString(),
      ...(detailsUrl ? { details_url: detailsUrl } : {}),
    });
    return { id: data.id, appId: data.app?.id ?? null };
  }

  /**
   * Completes, as cancelled, `flowops` check runs on `headSha` that an earlier run of the same App
   * as `current` (the run just started) left in progress when it was killed or cancelled: an
   * unfinished required check would block the merge until it goes stale (14 days). Only that App's
   * runs (GitHub's `app_id` filter, checked again on the answer) older than `current` are touched:
   * another App's run named `flowops` is not ours to close (GitHub would answer 403), nor is a run
   * without our `external_id` (in Actions, a workflow job named `flowops` runs as the same App), and
   * a newer run is a newer check that will close this one. Reads at most 10 pages of 100 (anyone who can
   * create check runs on the commit could grow the list). Returns how many it closed.
   */
  async cancelUnfinishedCheckRuns(headSha: string, current: StartedCheckRun): Promise<number> {
    if (current.appId === null) return 0;
    const appId = current.appId;
    const listed = await this.client.paginate(
      this.client.rest.checks.listForRef,
      {
        owner: this.owner,
        repo: this.repo,
        ref: headSha,
        check_name: CHECK_NAME,
        status: "in_progress",
        app_id: appId,
        filter: "all",
        per_page: 100,
      },
      atMostPages(CHECK_RUNS_MAX_PAGES),
    );
    const runs = listed.filter((run) => run.app?.id === appId && run.external_id === CHECK_EXTERNAL_ID && run.id < current.id && run.name === CHECK_NAME && run.status === "in_progress");
    for (const run of runs) {
      await this.client.rest.checks.update({
        owner: this.owner,
        repo: this.repo,
        check_run_id: run.id,
        status: "completed",
        conclusion: "cancelled",
        completed_at: new Date().toISOString(),
        output: { title: "Superseded", summary: "This flowops run did not finish; a newer run checks this commit." },
      });
    }
    return runs.length;
  }

  /**
   * A check run created completed in one request (no annotations): the drift report on a
   * deployed commit. `action_required` needs `detailsUrl`, where the action is explained.
   */
  async createCompletedCheckRun(options: { name: string; headSha: string; conclusion: CheckConclusion | "action_required"; title: string; summary: string; detailsUrl?: string; externalId?: string }): Promise<number> {
    const { data } = await this.client.rest.checks.create({
      owner: this.owner,
      repo: this.repo,
      name: options.name,
      head_sha: options.headSha,
      status: "completed",
      conclusion: options.conclusion,
      completed_at: new Date().toISOString(),
      ...(options.detailsUrl ? { details_url: options.detailsUrl } : {}),
      ...(options.externalId ? { external_id: options.externalId } : {}),
      output: { title: fitText(redact(options.title), 255, "…"), summary: fitText(redact(options.summary), CHECK_OUTPUT_LIMIT, "\n\n… (cut at GitHub's limit)") },
    });
    return data.id;
  }

  /**
   * Open issues (not pull requests) with `label` opened by `creator`, oldest first. GitHub
   * filters by both; the answer is checked again, so a server that ignored a filter cannot hand
   * the bot someone else's issue.
   */
  async openIssues(label: string, creator: string): Promise<OpenIssue[]> {
    // Anyone who can label issues can add to this list: the oldest pages are enough, memory stays bounded.
    const issues = await this.client.paginate(
      this.client.rest.issues.listForRepo,
      {
        owner: this.owner,
        repo: this.repo,
        state: "open",
        labels: label,
        creator,
        sort: "created",
        direction: "asc",
        per_page: 100,
      },
      atMostPages(OPEN_ISSUES_MAX_PAGES),
    );
    return issues
      .filter((issue) => !issue.pull_request && issue.state === "open")
      .filter((issue) => issue.labels.some((l) => (typeof l === "string" ? l : l.name) === label))
      .filter((issue) => issue.user?.login === creator)
      .map((issue) => ({ number: issue.number, title: issue.title, body: issue.body ?? "", htmlUrl: issue.html_url, author: issue.user?.login ?? null }))
      .sort((a, b) => a.number - b.number);
  }

  /** Opens an issue (GitHub creates a missing label). */
  async createIssue(title: string, body: string, labels: string[]): Promise<OpenIssue> {
    const { data } = await this.client.rest.issues.create({ owner: this.owner, repo: this.repo, title, body: fitText(redact(body), COMMENT_LIMIT, "…"), labels });
    return { number: data.number, title: data.title, body: data.body ?? "", htmlUrl: data.html_url, author: data.user?.login ?? null };
  }

  /** Edits an issue's body, or closes it (`completed`, or `not_planned` for a duplicate). */
  async updateIssue(issueNumber: number, change: { body?: string; close?: "completed" | "not_planned" }): Promise<void> {
    await this.client.rest.issues.update({
      owner: this.owner,
      repo: this.repo,
      issue_number: issueNumber,
      ...(change.body !== undefined ? { body: fitText(redact(change.body), COMMENT_LIMIT, "…") } : {}),
      ...(change.close ? { state: "closed" as const, state_reason: change.close } : {}),
    });
  }

  /** Adds a comment to an issue. */
  async commentOnIssue(issueNumber: number, body: string): Promise<void> {
    await this.client.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: issueNumber, body: fitText(redact(body), COMMENT_LIMIT, "…") });
  }

  /** Completes a check run; annotations go 50 per request (the first with the conclusion, the rest appended). */
  async completeCheckRun(checkRunId: number, output: CheckRunOutput): Promise<void> {
    const title = fitText(redact(output.title), 255, "…");
    const summary = fitText(redact(output.summary), CHECK_OUTPUT_LIMIT, "\n\n… (cut at GitHub's 65,535-character limit; the PR comment has the full report)");
    const text = output.text === undefined ? undefined : fitText(redact(output.text), CHECK_OUTPUT_LIMIT, "\n\n… (cut at GitHub's 65,535-character limit; the PR comment has the full report)");
    const [first = [], ...rest] = inBatches(output.annotations, ANNOTATIONS_PER_REQUEST);
    await this.client.rest.checks.update({
      owner: this.owner,
      repo: this.repo,
      check_run_id: checkRunId,
      status: "completed",
      conclusion: output.conclusion,
      completed_at: new Date().toISOString(),
      output: { title, summary, ...(text !== undefined ? { text } : {}), annotations: first },
    });
    for (const batch of rest) {
      await this.client.rest.checks.update({
        owner: this.owner,
        repo: this.repo,
        check_run_id: checkRunId,
        output: { title, summary, annotations: batch },
      });
    }
  }

  /**
   * Keeps exactly one report (in as many parts as it needs) on an issue or PR, found again by the
   * hidden marker of `key`: edits parts whose body changed, leaves equal ones alone, creates missing
   * parts and deletes parts (and duplicates) no longer needed. Reads the oldest 10 pages of 100
   * comments at most (anyone who can comment could grow the list without bound): a part past them
   * is not found, so a new comment is written rather than reading on, and the one past the cap is
   * left as it is.
   */
  async upsertStickyComment(issueNumber: number, key: string, markdown: string): Promise<StickyCommentResult> {
    const bodies = stickyCommentBodies(key, redact(markdown));
    const marker = commentMarker(key);
    const all = await this.client.paginate(
      this.client.rest.issues.listComments,
      { owner: this.owner, repo: this.repo, issue_number: issueNumber, per_page: 100 },
      atMostPages(COMMENTS_MAX_PAGES),
    );
    // Only the bot's own comments (its login when known, else a bot's): a person quoting the marker must not have their comment overwritten.
    const login = this.login;
    const mine = all
      .filter((comment) => (login ? comment.user?.login === login : comment.user?.type === "Bot") && (comment.body ?? "").includes(marker))
      .map((comment) => ({ id: comment.id, body: comment.body ?? "", part: partNumber(key, comment.body ?? "") }))
      .sort((a, b) => a.part - b.part || a.id - b.id);

    const result: StickyCommentResult = { created: 0, updated: 0, unchanged: 0, deleted: 0, commentIds: [] };
    const used = new Set<number>();
    for (const [index, body] of bodies.entries()) {
      const existing = mine.find((comment) => comment.part === index + 1 && !used.has(comment.id));
      if (existing) {
        used.add(existing.id);
        result.commentIds.push(existing.id);
        if (existing.body === body) {
          result.unchanged++;
          continue;
        }
        await this.client.rest.issues.updateComment({ owner: this.owner, repo: this.repo, comment_id: existing.id, body });
        result.updated++;
      } else {
        const { data } = await this.client.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: issueNumber, body });
        result.commentIds.push(data.id);
        result.created++;
      }
    }
    for (const stale of mine.filter((comment) => !used.has(comment.id))) {
      await this.client.rest.issues.deleteComment({ owner: this.owner, repo: this.repo, comment_id: stale.id });
      result.deleted++;
    }
    this.log.info(`comment ${key} on #${issueNumber}: ${result.created} created, ${result.updated} edited, ${result.unchanged} unchanged, ${result.deleted} deleted`);
    return result;
  }

  /** The merged pull request on `branch` that `sha` belongs to (`GET /repos/{o}/{r}/commits/{sha}/pulls`), if any. */
  async findMergedPullRequest(sha: string, branch: string): Promise<MergedPullRequest | null> {
    const { data } = await this.client.rest.repos.listPullRequestsAssociatedWithCommit({ owner: this.owner, repo: this.repo, commit_sha: sha, per_page: 100 });
    const merged = data.filter((pull) => pull.merged_at && pull.base.ref === branch);
    const pull = merged.find((candidate) => candidate.merge_commit_sha === sha) ?? merged[0];
    if (!pull) return null;
    return {
      number: pull.number,
      title: pull.title,
      author: pull.user?.login ?? null,
      htmlUrl: pull.html_url,
      mergeCommitSha: pull.merge_commit_sha ?? null,
      baseSha: pull.base.sha,
    };
  }

  /** Every review of a pull request, oldest first. */
  async listReviews(pullNumber: number): Promise<PullRequestReview[]> {
    const reviews = await this.client.paginate(this.client.rest.pulls.listReviews, { owner: this.owner, repo: this.repo, pull_number: pullNumber, per_page: 100 });
    return reviews.map((review) => ({ id: review.id, user: review.user ? { login: review.user.login } : null, state: review.state, submitted_at: review.submitted_at ?? null }));
  }

  /** A pull request's head and base, for re-running a check GitHub asks to re-run. */
  async getPullRequest(pullNumber: number): Promise<{ number: number; headSha: string; baseSha: string; baseRef: string; state: string }> {
    const { data } = await this.client.rest.pulls.get({ owner: this.owner, repo: this.repo, pull_number: pullNumber });
    return { number: data.number, headSha: data.head.sha, baseSha: data.base.sha, baseRef: data.base.ref, state: data.state };
  }

  /** The commit `branch` points at now. */
  async branchTip(branch: string): Promise<string> {
    const { data } = await this.client.rest.git.getRef({ owner: this.owner, repo: this.repo, ref: `heads/${branch}` });
    return data.object.sha;
  }

  /**
   * Records a GitHub deployment of `sha` to `environment`. `auto_merge: false` (never let GitHub
   * merge the default branch into the ref) and `required_contexts: []` (the merge was already
   * checked; the default, every context, can refuse with 409) are set explicitly.
   */
  async createDeployment(sha: string, environment: string, description: string): Promise<number> {
    const response = await this.client.rest.repos.createDeployment({
      owner: this.owner,
      repo: this.repo,
      ref: sha,
      task: DEPLOYMENT_TASK,
      environment,
      description: fitText(description, 140, "…"),
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
    });
    if (!("id" in response.data)) {
      throw new Error(`GitHub did not create the deployment of ${sha} to ${environment}: ${response.data.message ?? "no reason given"}`);
    }
    return response.data.id;
  }

  /** Adds a status to a deployment; `logUrl` links the run that did it. */
  async setDeploymentStatus(deploymentId: number, state: DeploymentState, options: { description: string; logUrl?: string; environment: string }): Promise<void> {
    await this.client.rest.repos.createDeploymentStatus({
      owner: this.owner,
      repo: this.repo,
      deployment_id: deploymentId,
      state,
      environment: options.environment,
      description: fitText(redact(options.description), 140, "…"),
      ...(options.logUrl ? { log_url: options.logUrl } : {}),
    });
  }

  /**
   * The live claims on `environment` among its newest 10 flowops deployments, oldest first: each
   * not finished (no status, or `in_progress` last) and with its lease still running at `now`.
   * Ids order the claims: GitHub hands them out in creation order, so every reader agrees on
   * which claim came first.
   */
  async liveClaims(environment: string, leaseMs: number, now = Date.now()): Promise<EnvironmentClaim[]> {
    const { data } = await this.client.rest.repos.listDeployments({ owner: this.owner, repo: this.repo, task: DEPLOYMENT_TASK, environment, per_page: 10 });
    const claims: EnvironmentClaim[] = [];
    for (const deployment of data) {
      if (deployment.task !== DEPLOYMENT_TASK || deployment.environment !== environment) continue;
      const { data: statuses } = await this.client.rest.repos.listDeploymentStatuses({ owner: this.owner, repo: this.repo, deployment_id: deployment.id, per_page: 1 });
      const latest = statuses[0];
      let claim: EnvironmentClaim | null = null;
      if (!latest) claim = { deploymentId: deployment.id, holder: null, until: Date.parse(deployment.created_at) + leaseMs };
      else if (latest.state === "in_progress") {
        const lease = LEASE.exec(latest.description ?? "");
        claim = { deploymentId: deployment.id, holder: lease?.[1] ?? null, until: lease ? Date.parse(lease[2]!) : Date.parse(latest.created_at) + leaseMs };
      }
      if (claim && claim.until > now) claims.push(claim);
    }
    return claims.sort((a, b) => a.deploymentId - b.deploymentId);
  }

  /**
   * The newest flowops deployment (of `environment`, or of any environment when null) with a
   * `success` status: the last commit that passed the deploy gate. Looks at the newest 100.
   */
  async lastSuccessfulDeployment(environment: string | null): Promise<SuccessfulDeployment | null> {
    const { data } = await this.client.rest.repos.listDeployments({ owner: this.owner, repo: this.repo, task: DEPLOYMENT_TASK, per_page: 100, ...(environment ? { environment } : {}) });
    const newestFirst = [...data].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id);
    for (const deployment of newestFirst) {
      if (deployment.task !== DEPLOYMENT_TASK || (environment && deployment.environment !== environment)) continue;
      const { data: statuses } = await this.client.rest.repos.listDeploymentStatuses({ owner: this.owner, repo: this.repo, deployment_id: deployment.id, per_page: 100 });
      if (statuses.some((status) => status.state === "success")) return { id: deployment.id, sha: deployment.sha, environment: deployment.environment };
    }
    return null;
  }
}

/** The comment bodies that carry `markdown` under the marker of `key` (several when it is long). */
export function stickyCommentBodies(key: string, markdown: string): string[] {
  const marker = commentMarker(key);
  // Room for the markers and the part header on every part.
  const chunks = splitMarkdown(markdown, COMMENT_LIMIT - 400);
  let kept = chunks;
  if (chunks.length > MAX_COMMENT_PARTS) {
    kept = chunks.slice(0, MAX_COMMENT_PARTS - 1);
    kept.push(
      `**The report goes on for ${chunks.length - kept.length} more part(s) that are not posted, to keep the PR readable and within GitHub's limits.** ` +
        "The job summary of the workflow run has the whole report, and `flowops impact --base <merge base> --format markdown` prints it locally.",
    );
  }
  const total = kept.length;
  return kept.map((chunk, index) => {
    const header = total > 1 ? `<!-- flowops:${key}:part ${index + 1}/${total} -->\n_flowops report, part ${index + 1} of ${total}_\n\n` : "";
    return `${marker}\n${header}${chunk}`;
  });
}

function partNumber(key: string, body: string): number {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`<!-- flowops:${escaped}:part (\\d+)/\\d+ -->`).exec(body);
  return match?.[1] ? Number(match[1]) : 1;
}

/** The status code of an Octokit request error, if it is one. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error && typeof (error as { status: unknown }).status === "number") {
    return (error as { status: number }).status;
  }
  return undefined;
}
