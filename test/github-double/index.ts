import { execFile } from "node:child_process";
import { createPublicKey, randomBytes, verify as verifySignature, type KeyObject } from "node:crypto";
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveGit } from "./git-http.js";
import { OpenApiValidator, type OpenApiOperation } from "./openapi.js";

/**
 * A GitHub double on 127.0.0.1: the REST endpoints the sync bot uses (check runs, issues and
 * their comments, pulls, reviews, commits/{sha}/pulls, git refs, deployments and statuses, the
 * App itself and installation tokens)
 * with state, plus Git smart HTTP for cloning. Every API request is checked against GitHub's
 * OpenAPI description; a request GitHub would not accept is answered 404/422 and recorded in
 * `violations`, so the test fails. GitHub's documented limits are enforced (comment 65,536
 * characters, 50 annotations per request, `required_contexts` default). `failNext` makes chosen
 * calls answer as GitHub does when it is unwell or limiting (502, secondary and primary rate limits).
 */

export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string | null;
  body: unknown;
  status: number;
  actor: string | null;
}

export interface User {
  login: string;
  type: "User" | "Bot";
}

export interface CheckRunState {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  details_url: string | null;
  external_id: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: Record<string, unknown>[];
  updates: number;
  /** The GitHub App whose token created the run (null: a token of no App); only it may update the run. */
  app: GitHubAppRef | null;
}

/** A GitHub App as check runs name it. */
export interface GitHubAppRef {
  id: number;
  slug: string;
}

/** The App behind Actions' GITHUB_TOKEN on github.com. */
export const GITHUB_ACTIONS_APP: GitHubAppRef = { id: 15368, slug: "github-actions" };

export interface CommentState {
  id: number;
  issue_number: number;
  body: string;
  user: User;
  created_at: string;
  updated_at: string;
  edits: number;
}

export interface IssueState {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  user: User;
  created_at: string;
  updated_at: string;
  /** Edits through `issues/update` (body, title, state or labels). */
  edits: number;
}

export interface PullState {
  number: number;
  title: string;
  state: "open" | "closed";
  user: User;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  merged_at: string | null;
  merge_commit_sha: string | null;
}

export interface ReviewState {
  id: number;
  pull_number: number;
  user: User;
  state: string;
  submitted_at: string;
  commit_id: string;
}

export interface DeploymentState {
  id: number;
  createdAt: string;
  sha: string;
  ref: string;
  environment: string;
  task: string;
  description: string | null;
  auto_merge: unknown;
  required_contexts: unknown;
  statuses: { id: number; state: string; log_url: string | null; description: string; environment: string }[];
}

interface RepoState {
  owner: string;
  name: string;
  id: number;
  defaultBranch: string;
  bare: string;
  pulls: Map<number, PullState>;
  comments: CommentState[];
  reviews: ReviewState[];
  checkRuns: CheckRunState[];
  deployments: DeploymentState[];
  /** Issues (not pull requests); numbers are shared with pull requests, as on GitHub. */
  issues: Map<number, IssueState>;
  nextNumber: number;
}

interface TokenGrant {
  actor: User;
  write: boolean;
  installationId: number | null;
}

class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

/** The App's slug (`GET /app`); its installation tokens act as `<slug>[bot]`. */
export const APP_SLUG = "flowops-test";
export const BOT_LOGIN = `${APP_SLUG}[bot]`;
const APP_PERMISSIONS = { checks: "write", contents: "read", pull_requests: "write", deployments: "write", issues: "write", metadata: "read" };

/**
 * An answer GitHub gives instead of doing the request: a 502 from its front end, a secondary rate
 * limit (403 or 429 with GitHub's documented message, `retry-after` when given, and rate-limit
 * headers showing quota left), or an exhausted primary limit (`x-ratelimit-remaining: 0`). A 5xx
 * `afterWriting` is the nasty kind: the write was done, only the answer was lost.
 */
export type GitHubFault =
  | { kind: "server-error"; status?: 500 | 502 | 503 | 504; afterWriting?: boolean }
  | { kind: "secondary-rate-limit"; status?: 403 | 429; retryAfter?: number }
  | { kind: "rate-limit"; resetInSeconds: number }
  | { kind: "bad-jwt" };

/** GitHub's message for a secondary rate limit (REST docs, "About secondary rate limits"). */
export const SECONDARY_RATE_LIMIT_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ";

export class GitHubDouble {
  readonly requests: RecordedRequest[] = [];
  /** Requests GitHub would refuse (wrong path, method, parameter or body): must stay empty. */
  readonly violations: string[] = [];
  private readonly repos = new Map<string, RepoState>();
  private readonly tokens = new Map<string, TokenGrant>();
  private readonly installations = new Map<number, { repos: string[] }>();
  private readonly validator = OpenApiValidator.shared();
  private appId: number | null = null;
  private appKey: KeyObject | null = null;
  private nextId = 1000;
  private gate: Promise<void> | null = null;
  private readonly faults = new Map<string, { fault: GitHubFault; left: number; skip: number }[]>();
  private server: Server | null = null;
  private root = "";
  url = "";

  static async start(): Promise<GitHubDouble> {
    const double = new GitHubDouble();
    double.root = await mkdtemp(join(tmpdir(), "github-double-"));
    await mkdir(join(double.root, "git"));
    double.server = createServer((request, response) => {
      double.handle(request, response).catch((error: unknown) => {
        double.violations.push(`double crashed on ${request.method} ${request.url}: ${String(error)}`);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    await new Promise<void>((resolve) => double.server!.listen(0, "127.0.0.1", resolve));
    const address = double.server.address();
    double.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    return double;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
    await rm(this.root, { recursive: true, force: true });
  }

  // ---- set-up, as a person or GitHub itself would act -------------------------------------

  /** Registers the GitHub App whose JWTs the double accepts (public key of the App's private key). */
  registerApp(appId: number, privateKeyPem: string): void {
    this.appId = appId;
    this.appKey = createPublicKey(privateKeyPem);
  }

  /** Installs the App on repositories (`owner/name`). */
  addInstallation(installationId: number, repos: string[]): void {
    this.installations.set(installationId, { repos });
  }

  /** A token as Actions' GITHUB_TOKEN would be (`write: false` is a fork PR's read-only token). */
  issueActionsToken(options: { write?: boolean } = {}): string {
    const token = `ghs_actions_${randomBytes(12).toString("hex")}`;
    this.tokens.set(token, { actor: { login: "github-actions[bot]", type: "Bot" }, write: options.write ?? true, installationId: null });
    return token;
  }

  /** Creates a bare repository served at `cloneUrl`: empty, or a copy of the bare repository `seed`. */
  async createRepository(owner: string, name: string, options: { defaultBranch?: string; seed?: string } = {}): Promise<{ cloneUrl: string; bare: string }> {
    const defaultBranch = options.defaultBranch ?? "main";
    const bare = join(this.root, "git", owner, `${name}.git`);
    if (options.seed) {
      await cp(options.seed, bare, { recursive: true });
    } else {
      await mkdir(bare, { recursive: true });
      await git(bare, ["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`]);
    }
    this.repos.set(`${owner}/${name}`, {
      owner, name, id: this.nextId++, defaultBranch, bare,
      pulls: new Map(), comments: [], reviews: [], checkRuns: [], deployments: [], issues: new Map(), nextNumber: 1,
    });
    return { cloneUrl: this.cloneUrl(owner, name), bare };
  }

  cloneUrl(owner: string, name: string): string {
    return `${this.url}/git/${owner}/${name}.git`;
  }

  /** Opens a pull request from `head` into `base` (branches already pushed), with refs/pull/N/head as GitHub keeps it. */
  async openPullRequest(repoName: string, options: { head: string; base?: string; author: string; title?: string }): Promise<PullState> {
    const repo = this.repo(repoName);
    const base = options.base ?? repo.defaultBranch;
    const number = repo.nextNumber++;
    const headSha = await git(repo.bare, ["rev-parse", `refs/heads/${options.head}`]);
    const pull: PullState = {
      number,
      title: options.title ?? `Change ${number}`,
      state: "open",
      user: { login: options.author, type: "User" },
      head: { ref: options.head, sha: headSha },
      base: { ref: base, sha: await git(repo.bare, ["rev-parse", `refs/heads/${base}`]) },
      merged_at: null,
      merge_commit_sha: null,
    };
    await git(repo.bare, ["update-ref", `refs/pull/${number}/head`, headSha]);
    repo.pulls.set(number, pull);
    return pull;
  }

  /** After a push to the PR's branch: moves head (and refs/pull/N/head) as GitHub does. */
  async synchronizePullRequest(repoName: string, number: number): Promise<PullState> {
    const repo = this.repo(repoName);
    const pull = this.pull(repo, number);
    pull.head.sha = await git(repo.bare, ["rev-parse", `refs/heads/${pull.head.ref}`]);
    pull.base.sha = await git(repo.bare, ["rev-parse", `refs/heads/${pull.base.ref}`]);
    await git(repo.bare, ["update-ref", `refs/pull/${number}/head`, pull.head.sha]);
    return pull;
  }

  submitReview(repoName: string, number: number, login: string, state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED"): void {
    const repo = this.repo(repoName);
    const pull = this.pull(repo, number);
    repo.reviews.push({ id: this.nextId++, pull_number: number, user: { login, type: "User" }, state, submitted_at: new Date(Date.now() + repo.reviews.length).toISOString(), commit_id: pull.head.sha });
  }

  /** An issue opened by someone else (a person, or another bot with `type: "Bot"`). */
  addIssue(repoName: string, options: { title: string; body?: string; labels?: string[]; author: string; type?: User["type"]; state?: "open" | "closed" }): IssueState {
    const repo = this.repo(repoName);
    const now = new Date().toISOString();
    const issue: IssueState = { number: repo.nextNumber++, title: options.title, body: options.body ?? "", state: options.state ?? "open", state_reason: null, labels: options.labels ?? [], user: { login: options.author, type: options.type ?? "User" }, created_at: now, updated_at: now, edits: 0 };
    repo.issues.set(issue.number, issue);
    return issue;
  }

  /** A check run created by another party (another App, or GitHub Actions), as it would be listed. */
  addCheckRun(repoName: string, options: { name: string; headSha: string; status?: "queued" | "in_progress"; app: GitHubAppRef | null; externalId?: string }): CheckRunState {
    const run: CheckRunState = { id: this.nextId++, name: options.name, head_sha: options.headSha, status: options.status ?? "in_progress", conclusion: null, details_url: null, external_id: options.externalId ?? null, output: { title: null, summary: null, text: null }, annotations: [], updates: 0, app: options.app };
    this.repo(repoName).checkRuns.push(run);
    return run;
  }

  /** A person's comment (the bot must never take it for its own). */
  addHumanComment(repoName: string, number: number, login: string, body: string): CommentState {
    return this.addComment(repoName, number, { login, type: "User" }, body);
  }

  /** A comment by anyone (a person, or another bot with `type: "Bot"`). */
  addComment(repoName: string, number: number, user: User, body: string): CommentState {
    const repo = this.repo(repoName);
    const now = new Date().toISOString();
    const comment: CommentState = { id: this.nextId++, issue_number: number, body, user, created_at: now, updated_at: now, edits: 0 };
    repo.comments.push(comment);
    return comment;
  }

  /** Merges a pull request with a merge commit, as the merge button does; returns the push's before/after. */
  async mergePullRequest(repoName: string, number: number): Promise<{ before: string; after: string; pull: PullState }> {
    const repo = this.repo(repoName);
    const pull = this.pull(repo, number);
    const work = await mkdtemp(join(tmpdir(), "github-double-merge-"));
    try {
      const before = await git(repo.bare, ["rev-parse", `refs/heads/${pull.base.ref}`]);
      await git(work, ["clone", "--quiet", repo.bare, "."]);
      await git(work, ["checkout", "--quiet", pull.base.ref]);
      await git(work, ["-c", "user.name=GitHub", "-c", "user.email=noreply@github.com", "merge", "--no-ff", "--quiet", "-m", `Merge pull request #${number}`, pull.head.sha]);
      await git(work, ["push", "--quiet", "origin", pull.base.ref]);
      const after = await git(work, ["rev-parse", "HEAD"]);
      pull.state = "closed";
      pull.merged_at = new Date().toISOString();
      pull.merge_commit_sha = after;
      return { before, after, pull };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * The next `times` authenticated requests of `operationId` (GitHub's operation id, e.g.
   * `issues/update-comment`, `checks/update`) get `fault` instead of being done, after letting
   * `after` of them through. Faults queued for one operation are served in order.
   */
  failNext(operationId: string, fault: GitHubFault, times = 1, options: { after?: number } = {}): void {
    const queue = this.faults.get(operationId) ?? [];
    queue.push({ fault, left: times, skip: options.after ?? 0 });
    this.faults.set(operationId, queue);
  }

  /** Requests answered so far for `operationId`, with their status codes, oldest first. */
  answers(operationId: string): number[] {
    return this.requests.filter((request) => request.operationId === operationId).map((request) => request.status);
  }

  /**
   * A deployment recorded as another party would (GitHub Actions for a job's `environment:`, or
   * flowops itself in an earlier run), with its statuses in order.
   */
  recordDeployment(repoName: string, options: { sha: string; environment: string; task?: string; states: string[] }): DeploymentState {
    const repo = this.repo(repoName);
    const deployment: DeploymentState = { id: this.nextId++, createdAt: new Date().toISOString(), sha: options.sha, ref: options.sha, environment: options.environment, task: options.task ?? "deploy:flowops", description: null, auto_merge: false, required_contexts: [], statuses: [] };
    for (const state of options.states) deployment.statuses.push({ id: this.nextId++, state, log_url: null, description: "", environment: options.environment });
    repo.deployments.push(deployment);
    return deployment;
  }

  /** Holds every API answer until the returned function is called (to see work happen in the background). */
  holdApi(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.gate = null;
      release();
    };
  }

  // ---- state, for assertions ------------------------------------------------------------------

  comments(repoName: string, number?: number): CommentState[] {
    return this.repo(repoName).comments.filter((c) => number === undefined || c.issue_number === number);
  }
  issues(repoName: string): IssueState[] {
    return [...this.repo(repoName).issues.values()];
  }
  checkRuns(repoName: string, headSha?: string): CheckRunState[] {
    return this.repo(repoName).checkRuns.filter((run) => headSha === undefined || run.head_sha === headSha);
  }
  deployments(repoName: string): DeploymentState[] {
    return this.repo(repoName).deployments;
  }
  pullRequest(repoName: string, number: number): PullState {
    return this.pull(this.repo(repoName), number);
  }
  /** The repository's payload fields (as in webhook deliveries). */
  repositoryPayload(repoName: string): Record<string, unknown> {
    const repo = this.repo(repoName);
    return {
      id: repo.id,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: { login: repo.owner, type: "Organization" },
      clone_url: this.cloneUrl(repo.owner, repo.name),
      html_url: `https://github.com/${repo.owner}/${repo.name}`,
      default_branch: repo.defaultBranch,
    };
  }
  pullPayload(repoName: string, number: number): Record<string, unknown> {
    return this.pullJson(this.repo(repoName), this.pull(this.repo(repoName), number));
  }

  // ---- HTTP ----------------------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    if (url.pathname.startsWith("/git/")) return this.handleGit(request, response, url);
    const raw = await readAll(request);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return this.send(response, request, url, null, body, null, 400, { message: "Problems parsing JSON" });
      }
    }
    if (this.gate) await this.gate;
    const method = request.method ?? "GET";
    const check = this.validator.check(method, url, body);
    if (!check.operation || check.problems.length > 0) {
      this.violations.push(...check.problems);
      return this.send(response, request, url, check.operation, body, null, check.operation ? 422 : 404, { message: check.problems.join("; ") });
    }
    let actor: string | null = null;
    try {
      const grant = this.authenticate(request, check.operation);
      actor = grant?.actor.login ?? null;
      const fault = this.takeFault(check.operation.operationId);
      if (fault) {
        if (fault.afterWriting) await this.route(check.operation, body as Record<string, unknown> | undefined, url, grant);
        for (const [name, value] of Object.entries(fault.headers)) response.setHeader(name, value);
        return this.send(response, request, url, check.operation, body, actor, fault.status, fault.body);
      }
      const result = await this.route(check.operation, body as Record<string, unknown> | undefined, url, grant);
      if (result.headers) for (const [name, value] of Object.entries(result.headers)) response.setHeader(name, value);
      return this.send(response, request, url, check.operation, body, actor, result.status, result.body);
    } catch (error) {
      if (error instanceof ApiError) return this.send(response, request, url, check.operation, body, actor, error.status, { message: error.message, ...error.extra });
      throw error;
    }
  }

  private takeFault(operationId: string): { status: number; headers: Record<string, string>; body: unknown; afterWriting?: boolean } | null {
    const queue = this.faults.get(operationId);
    const next = queue?.[0];
    if (!queue || !next) return null;
    if (next.skip > 0) {
      next.skip--;
      return null;
    }
    if (--next.left <= 0) queue.shift();
    const requestId = `F00D:${randomBytes(4).toString("hex").toUpperCase()}`;
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    const fault = next.fault;
    switch (fault.kind) {
      case "server-error":
        return { status: fault.status ?? 502, headers: { "x-github-request-id": requestId }, body: { message: "Server Error" }, afterWriting: fault.afterWriting === true };
      case "secondary-rate-limit":
        return {
          status: fault.status ?? 403,
          headers: {
            "x-github-request-id": requestId,
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "4321",
            "x-ratelimit-reset": reset,
            ...(fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {}),
          },
          body: { message: SECONDARY_RATE_LIMIT_MESSAGE + requestId + ".", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits" },
        };
      case "rate-limit":
        return {
          status: 403,
          headers: { "x-github-request-id": requestId, "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + fault.resetInSeconds) },
          body: { message: "API rate limit exceeded for installation ID 1.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit" },
        };
      case "bad-jwt":
        // What GitHub answers an App JWT signed on a machine whose clock is ahead.
        return { status: 401, headers: { "x-github-request-id": requestId }, body: { message: "'Expiration time' claim ('exp') is too far in the future", documentation_url: "https://docs.github.com/rest" } };
    }
  }

  private send(response: ServerResponse, request: IncomingMessage, url: URL, operation: OpenApiOperation | null, body: unknown, actor: string | null, status: number, payload: unknown): void {
    this.requests.push({ method: request.method ?? "GET", path: url.pathname + url.search, operationId: operation?.operationId ?? null, body, status, actor });
    if (status === 204) {
      response.writeHead(204);
      response.end();
      return;
    }
    response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify(payload));
  }

  private handleGit(request: IncomingMessage, response: ServerResponse, url: URL): void {
    const token = basicToken(request.headers.authorization);
    const grant = token ? this.tokens.get(token) : undefined;
    if (!grant) {
      response.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"' });
      response.end("authentication required");
      return;
    }
    serveGit(join(this.root, "git"), url.pathname.slice("/git".length), request, response, url.search.slice(1));
  }

  private authenticate(request: IncomingMessage, operation: OpenApiOperation): TokenGrant | null {
    const header = request.headers.authorization ?? "";
    const [scheme = "", credential = ""] = header.split(" ");
    if (operation.template === "/app" || operation.template.startsWith("/app/")) {
      if (scheme.toLowerCase() !== "bearer" || !this.verifyJwt(credential)) throw new ApiError(401, "A JSON web token could not be decoded");
      return null;
    }
    const grant = this.tokens.get(credential);
    if (!grant || !["token", "bearer"].includes(scheme.toLowerCase())) throw new ApiError(401, "Bad credentials");
    const [, , owner, name] = operation.template.split("/");
    if (owner === "{owner}" && name === "{repo}" && grant.installationId !== null) {
      const full = `${operation.pathParams["owner"]}/${operation.pathParams["repo"]}`;
      if (!this.installations.get(grant.installationId)?.repos.includes(full)) throw new ApiError(404, "Not Found");
    }
    if (operation.method !== "GET" && !grant.write) throw new ApiError(403, "Resource not accessible by integration");
    return grant;
  }

  private verifyJwt(jwt: string): boolean {
    if (!this.appKey) return false;
    const [header, payload, signature] = jwt.split(".");
    if (!header || !payload || !signature) return false;
    const ok = verifySignature("RSA-SHA256", Buffer.from(`${header}.${payload}`), this.appKey, Buffer.from(signature, "base64url"));
    if (!ok) return false;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iss?: unknown; exp?: number };
    return String(claims.iss) === String(this.appId) && typeof claims.exp === "number" && claims.exp * 1000 > Date.now();
  }

  private async route(operation: OpenApiOperation, body: Record<string, unknown> | undefined, url: URL, grant: TokenGrant | null): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const p = operation.pathParams;
    const repoName = `${p["owner"]}/${p["repo"]}`;
    const now = new Date().toISOString();
    switch (operation.operationId) {
      case "apps/create-installation-access-token": {
        const installationId = Number(p["installation_id"]);
        if (!this.installations.has(installationId)) throw new ApiError(404, "Not Found");
        const token = `ghs_${randomBytes(16).toString("hex")}`;
        this.tokens.set(token, { actor: { login: BOT_LOGIN, type: "Bot" }, write: true, installationId });
        return { status: 201, body: { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: APP_PERMISSIONS, repository_selection: "selected" } };
      }
      case "apps/get-authenticated": {
        return { status: 200, body: { id: this.appId, slug: APP_SLUG, node_id: `A_${this.appId}`, name: "flowops (test)", owner: { login: "acme", type: "Organization" }, description: null, external_url: "https://flowops.example.com", html_url: `https://github.com/apps/${APP_SLUG}`, created_at: now, updated_at: now, permissions: APP_PERMISSIONS, events: ["pull_request", "push", "check_run", "check_suite"] } };
      }
      case "apps/list-installations": {
        const list = [...this.installations.keys()].map((id) => ({ id, account: { login: "acme", type: "Organization" }, app_id: this.appId, target_type: "Organization", repository_selection: "selected", permissions: APP_PERMISSIONS, events: ["pull_request", "push", "check_run", "check_suite"], created_at: now, updated_at: now, access_tokens_url: `${this.url}/app/installations/${id}/access_tokens`, repositories_url: `${this.url}/installation/repositories`, html_url: `https://github.com/settings/installations/${id}`, single_file_name: null }));
        return this.page(list, url);
      }
      case "apps/list-repos-accessible-to-installation": {
        const names = grant?.installationId != null ? (this.installations.get(grant.installationId)?.repos ?? []) : [];
        const repositories = names.filter((name) => this.repos.has(name)).map((name) => this.repositoryPayload(name));
        return { status: 200, body: { total_count: repositories.length, repository_selection: "selected", repositories } };
      }
      case "checks/create": {
        const repo = this.repo(repoName);
        const run: CheckRunState = {
          id: this.nextId++,
          name: String(body!["name"]),
          head_sha: String(body!["head_sha"]),
          status: String(body!["status"] ?? "queued"),
          conclusion: (body!["conclusion"] as string | undefined) ?? null,
          details_url: (body!["details_url"] as string | undefined) ?? null,
          external_id: (body!["external_id"] as string | undefined) ?? null,
          output: { title: null, summary: null, text: null },
          annotations: [],
          updates: 0,
          app: this.appOf(grant),
        };
        // GitHub: a conclusion completes the run; a completed run needs one.
        if (run.conclusion) run.status = "completed";
        if (run.status === "completed" && !run.conclusion) throw new ApiError(422, "Conclusion is required when status is completed");
        this.applyCheckOutput(run, body!);
        repo.checkRuns.push(run);
        return { status: 201, body: this.checkRunJson(repo, run) };
      }
      case "checks/list-for-ref": {
        const repo = this.repo(repoName);
        const name = url.searchParams.get("check_name");
        const status = url.searchParams.get("status");
        const appId = url.searchParams.get("app_id");
        const runs = repo.checkRuns
          .filter((run) => run.head_sha === p["ref"] && (!name || run.name === name) && (!status || run.status === status) && (!appId || run.app?.id === Number(appId)))
          .map((run) => this.checkRunJson(repo, run));
        const page = this.page(runs, url);
        return { ...page, body: { total_count: runs.length, check_runs: page.body } };
      }
      case "checks/update": {
        const repo = this.repo(repoName);
        const run = repo.checkRuns.find((r) => r.id === Number(p["check_run_id"]));
        if (!run) throw new ApiError(404, "Not Found");
        // A check run belongs to the App that created it; another App's token may not change it.
        if (run.app?.id !== this.appOf(grant)?.id) throw new ApiError(403, "Resource not accessible by integration");
        if (body!["status"]) run.status = String(body!["status"]);
        if (body!["conclusion"]) {
          run.conclusion = String(body!["conclusion"]);
          run.status = "completed";
        }
        if (run.status === "completed" && !run.conclusion) throw new ApiError(422, "Conclusion is required when status is completed");
        this.applyCheckOutput(run, body!);
        run.updates++;
        return { status: 200, body: this.checkRunJson(repo, run) };
      }
      case "issues/list-comments": {
        const repo = this.repo(repoName);
        const list = repo.comments.filter((c) => c.issue_number === Number(p["issue_number"])).map((c) => this.commentJson(repo, c));
        return this.page(list, url);
      }
      case "issues/list-for-repo": {
        const repo = this.repo(repoName);
        const state = url.searchParams.get("state") ?? "open";
        const labels = (url.searchParams.get("labels") ?? "").split(",").map((l) => l.trim()).filter(Boolean);
        const creator = url.searchParams.get("creator");
        // Pull requests are issues too in this list (with `pull_request`); they carry no labels here.
        const all: { number: number; json: Record<string, unknown>; state: string; labels: string[]; login: string; created: string }[] = [
          ...[...repo.issues.values()].map((i) => ({ number: i.number, json: this.issueJson(repo, i), state: i.state, labels: i.labels, login: i.user.login, created: i.created_at })),
          ...[...repo.pulls.values()].map((pull) => ({ number: pull.number, json: { ...this.issueJson(repo, { number: pull.number, title: pull.title, body: "", state: pull.state, state_reason: null, labels: [], user: pull.user, created_at: now, updated_at: now, edits: 0 }), pull_request: { url: `${this.url}/repos/${repoName}/pulls/${pull.number}`, html_url: `https://github.com/${repoName}/pull/${pull.number}`, merged_at: pull.merged_at } }, state: pull.state, labels: [], login: pull.user.login, created: now })),
        ];
        const asc = url.searchParams.get("direction") === "asc";
        const list = all
          .filter((i) => state === "all" || i.state === state)
          .filter((i) => labels.every((label) => i.labels.includes(label)))
          .filter((i) => !creator || i.login.toLowerCase() === creator.toLowerCase())
          .sort((a, b) => (asc ? a.number - b.number : b.number - a.number))
          .map((i) => i.json);
        return this.page(list, url);
      }
      case "issues/create": {
        const repo = this.repo(repoName);
        const text = String(body!["body"] ?? "");
        tooLong(text);
        const labels = ((body!["labels"] as (string | { name?: string })[] | undefined) ?? []).map((l) => (typeof l === "string" ? l : String(l.name)));
        const issue: IssueState = { number: repo.nextNumber++, title: String(body!["title"]), body: text, state: "open", state_reason: null, labels, user: grant!.actor, created_at: now, updated_at: now, edits: 0 };
        repo.issues.set(issue.number, issue);
        return { status: 201, body: this.issueJson(repo, issue) };
      }
      case "issues/update": {
        const repo = this.repo(repoName);
        const issue = repo.issues.get(Number(p["issue_number"]));
        if (!issue) throw new ApiError(404, "Not Found");
        if (body!["body"] !== undefined) {
          tooLong(String(body!["body"]));
          issue.body = String(body!["body"]);
        }
        if (body!["title"] !== undefined) issue.title = String(body!["title"]);
        if (body!["state"] !== undefined) {
          issue.state = body!["state"] === "closed" ? "closed" : "open";
          issue.state_reason = issue.state === "closed" ? String(body!["state_reason"] ?? "completed") : null;
        }
        if (body!["labels"] !== undefined) issue.labels = (body!["labels"] as (string | { name?: string })[]).map((l) => (typeof l === "string" ? l : String(l.name)));
        issue.updated_at = now;
        issue.edits++;
        return { status: 200, body: this.issueJson(repo, issue) };
      }
      case "issues/create-comment": {
        const repo = this.repo(repoName);
        const number = Number(p["issue_number"]);
        if (!repo.pulls.has(number) && !repo.issues.has(number)) throw new ApiError(404, "Not Found");
        const text = String(body!["body"]);
        tooLong(text);
        const comment: CommentState = { id: this.nextId++, issue_number: number, body: text, user: grant!.actor, created_at: now, updated_at: now, edits: 0 };
        repo.comments.push(comment);
        return { status: 201, body: this.commentJson(repo, comment) };
      }
      case "issues/update-comment": {
        const repo = this.repo(repoName);
        const comment = repo.comments.find((c) => c.id === Number(p["comment_id"]));
        if (!comment) throw new ApiError(404, "Not Found");
        const text = String(body!["body"]);
        tooLong(text);
        comment.body = text;
        comment.updated_at = now;
        comment.edits++;
        return { status: 200, body: this.commentJson(repo, comment) };
      }
      case "issues/delete-comment": {
        const repo = this.repo(repoName);
        const index = repo.comments.findIndex((c) => c.id === Number(p["comment_id"]));
        if (index < 0) throw new ApiError(404, "Not Found");
        repo.comments.splice(index, 1);
        return { status: 204 };
      }
      case "pulls/get": {
        const repo = this.repo(repoName);
        return { status: 200, body: this.pullJson(repo, this.pull(repo, Number(p["pull_number"]))) };
      }
      case "pulls/list-reviews": {
        const repo = this.repo(repoName);
        const number = Number(p["pull_number"]);
        const list = repo.reviews.filter((r) => r.pull_number === number).map((r) => ({ id: r.id, node_id: `PRR_${r.id}`, user: this.userJson(r.user), body: "", state: r.state, submitted_at: r.submitted_at, commit_id: r.commit_id, html_url: `https://github.com/${repoName}/pull/${number}#pullrequestreview-${r.id}`, pull_request_url: `${this.url}/repos/${repoName}/pulls/${number}`, author_association: "MEMBER", _links: {} }));
        return this.page(list, url);
      }
      case "repos/list-pull-requests-associated-with-commit": {
        const repo = this.repo(repoName);
        const sha = p["commit_sha"];
        const list = [...repo.pulls.values()].filter((pull) => pull.merge_commit_sha === sha || pull.head.sha === sha).map((pull) => this.pullJson(repo, pull));
        return this.page(list, url);
      }
      case "git/get-ref": {
        const repo = this.repo(repoName);
        const ref = String(p["ref"]);
        let sha: string;
        try {
          sha = await git(repo.bare, ["rev-parse", "--verify", `refs/${ref}`]);
        } catch {
          throw new ApiError(404, "Not Found");
        }
        return { status: 200, body: { ref: `refs/${ref}`, node_id: "REF", url: `${this.url}/repos/${repoName}/git/refs/${ref}`, object: { type: "commit", sha, url: `${this.url}/repos/${repoName}/git/commits/${sha}` } } };
      }
      case "repos/create-deployment": {
        const repo = this.repo(repoName);
        const ref = String(body!["ref"]);
        let sha: string;
        try {
          sha = await git(repo.bare, ["rev-parse", "--verify", `${ref}^{commit}`]);
        } catch {
          throw new ApiError(422, `No ref found for: ${ref}`);
        }
        // GitHub's default: every context must have passed; a failing or pending one means 409.
        if (body!["required_contexts"] === undefined && repo.checkRuns.some((run) => run.head_sha === sha && run.conclusion !== "success")) {
          throw new ApiError(409, "Conflict: Commit status checks failed for " + ref);
        }
        const deployment: DeploymentState = { id: this.nextId++, createdAt: now, sha, ref, environment: String(body!["environment"] ?? "production"), task: String(body!["task"] ?? "deploy"), description: (body!["description"] as string | undefined) ?? null, auto_merge: body!["auto_merge"], required_contexts: body!["required_contexts"], statuses: [] };
        repo.deployments.push(deployment);
        return { status: 201, body: this.deploymentJson(repo, deployment) };
      }
      case "repos/list-deployments": {
        const repo = this.repo(repoName);
        const filters = ["sha", "ref", "task", "environment"] as const;
        const list = [...repo.deployments]
          .reverse()
          .filter((d) => filters.every((name) => !url.searchParams.has(name) || String(d[name]) === url.searchParams.get(name)))
          .map((d) => this.deploymentJson(repo, d));
        return this.page(list, url);
      }
      case "repos/list-deployment-statuses": {
        const repo = this.repo(repoName);
        const deployment = repo.deployments.find((d) => d.id === Number(p["deployment_id"]));
        if (!deployment) throw new ApiError(404, "Not Found");
        const list = [...deployment.statuses].reverse().map((status) => ({ ...status, url: `${this.url}/repos/${repoName}/deployments/${deployment.id}/statuses/${status.id}`, node_id: `DES_${status.id}`, creator: null, created_at: now, updated_at: now, deployment_url: `${this.url}/repos/${repoName}/deployments/${deployment.id}`, repository_url: `${this.url}/repos/${repoName}`, target_url: status.log_url ?? "" }));
        return this.page(list, url);
      }
      case "repos/create-deployment-status": {
        const repo = this.repo(repoName);
        const deployment = repo.deployments.find((d) => d.id === Number(p["deployment_id"]));
        if (!deployment) throw new ApiError(404, "Not Found");
        const description = String(body!["description"] ?? "");
        if (description.length > 140) throw new ApiError(422, "description is too long (maximum is 140 characters)");
        const status = { id: this.nextId++, state: String(body!["state"]), log_url: (body!["log_url"] as string | undefined) ?? null, description, environment: String(body!["environment"] ?? deployment.environment) };
        deployment.statuses.push(status);
        return { status: 201, body: { ...status, url: `${this.url}/repos/${repoName}/deployments/${deployment.id}/statuses/${status.id}`, node_id: `DES_${status.id}`, creator: this.userJson(grant!.actor), created_at: now, updated_at: now, deployment_url: `${this.url}/repos/${repoName}/deployments/${deployment.id}`, repository_url: `${this.url}/repos/${repoName}`, target_url: status.log_url ?? "", environment_url: "" } };
      }
      default:
        this.violations.push(`the double does not implement ${operation.operationId} (${operation.method} ${operation.template}); the bot was not expected to call it`);
        throw new ApiError(501, `not implemented by the double: ${operation.operationId}`);
    }
  }

  private applyCheckOutput(run: CheckRunState, body: Record<string, unknown>): void {
    const output = body["output"] as { title?: string; summary?: string; text?: string; annotations?: Record<string, unknown>[] } | undefined;
    if (!output) return;
    // GitHub's documented limit (also `maxItems` in the schema, checked before this).
    if ((output.annotations?.length ?? 0) > 50) throw new ApiError(422, "Only 50 annotations are allowed per request");
    if (output.title !== undefined) run.output.title = output.title;
    if (output.summary !== undefined) run.output.summary = output.summary;
    if (output.text !== undefined) run.output.text = output.text;
    run.annotations.push(...(output.annotations ?? []));
  }

  private page(list: unknown[], url: URL): { status: number; body: unknown; headers?: Record<string, string> } {
    const perPage = Math.min(100, Number(url.searchParams.get("per_page") ?? 30));
    const page = Number(url.searchParams.get("page") ?? 1);
    const last = Math.max(1, Math.ceil(list.length / perPage));
    const headers: Record<string, string> = {};
    if (page < last) {
      const next = new URL(url);
      next.searchParams.set("page", String(page + 1));
      const lastUrl = new URL(url);
      lastUrl.searchParams.set("page", String(last));
      headers["link"] = `<${next.href}>; rel="next", <${lastUrl.href}>; rel="last"`;
    }
    return { status: 200, body: list.slice((page - 1) * perPage, page * perPage), headers };
  }

  /** The App a token acts for: the registered App for its installation tokens, GitHub Actions for GITHUB_TOKEN. */
  private appOf(grant: TokenGrant | null): GitHubAppRef | null {
    if (!grant) return null;
    if (grant.installationId !== null) return this.appId === null ? null : { id: this.appId, slug: APP_SLUG };
    return grant.actor.login === "github-actions[bot]" ? GITHUB_ACTIONS_APP : null;
  }

  private userJson(user: User): Record<string, unknown> {
    return { login: user.login, id: hash(user.login), node_id: `U_${user.login}`, type: user.type, site_admin: false, avatar_url: "", url: `${this.url}/users/${user.login}`, html_url: `https://github.com/${user.login}` };
  }
  private commentJson(repo: RepoState, c: CommentState): Record<string, unknown> {
    return { id: c.id, node_id: `IC_${c.id}`, body: c.body, user: this.userJson(c.user), created_at: c.created_at, updated_at: c.updated_at, html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${c.issue_number}#issuecomment-${c.id}`, issue_url: `${this.url}/repos/${repo.owner}/${repo.name}/issues/${c.issue_number}`, url: `${this.url}/repos/${repo.owner}/${repo.name}/issues/comments/${c.id}`, author_association: c.user.type === "Bot" ? "NONE" : "MEMBER" };
  }
  private issueJson(repo: RepoState, issue: IssueState): Record<string, unknown> {
    const full = `${repo.owner}/${repo.name}`;
    return {
      id: issue.number + 200000, node_id: `I_${issue.number}`, number: issue.number, title: issue.title, body: issue.body, state: issue.state, state_reason: issue.state_reason,
      labels: issue.labels.map((name) => ({ id: hash(name), node_id: `LA_${name}`, name, color: "ededed", default: false, description: null, url: `${this.url}/repos/${full}/labels/${encodeURIComponent(name)}` })),
      user: this.userJson(issue.user), assignee: null, assignees: [], milestone: null, locked: false, comments: repo.comments.filter((c) => c.issue_number === issue.number).length,
      created_at: issue.created_at, updated_at: issue.updated_at, closed_at: issue.state === "closed" ? issue.updated_at : null, author_association: issue.user.type === "Bot" ? "NONE" : "MEMBER",
      url: `${this.url}/repos/${full}/issues/${issue.number}`, repository_url: `${this.url}/repos/${full}`, labels_url: `${this.url}/repos/${full}/issues/${issue.number}/labels{/name}`, comments_url: `${this.url}/repos/${full}/issues/${issue.number}/comments`, events_url: `${this.url}/repos/${full}/issues/${issue.number}/events`, html_url: `https://github.com/${full}/issues/${issue.number}`,
    };
  }
  private checkRunJson(repo: RepoState, run: CheckRunState): Record<string, unknown> {
    return { id: run.id, name: run.name, head_sha: run.head_sha, status: run.status, conclusion: run.conclusion, details_url: run.details_url, external_id: run.external_id, html_url: `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}`, url: `${this.url}/repos/${repo.owner}/${repo.name}/check-runs/${run.id}`, output: { ...run.output, annotations_count: run.annotations.length, annotations_url: "" }, pull_requests: [], app: run.app ? { id: run.app.id, slug: run.app.slug, node_id: `A_${run.app.id}`, name: run.app.slug, owner: null, description: null, external_url: "", html_url: `https://github.com/apps/${run.app.slug}`, created_at: "2016-01-01T00:00:00Z", updated_at: "2016-01-01T00:00:00Z", permissions: {}, events: [] } : null };
  }
  private pullJson(repo: RepoState, pull: PullState): Record<string, unknown> {
    const full = `${repo.owner}/${repo.name}`;
    return {
      id: pull.number + 100000, number: pull.number, node_id: `PR_${pull.number}`, state: pull.state, title: pull.title, user: this.userJson(pull.user), body: null,
      html_url: `https://github.com/${full}/pull/${pull.number}`, url: `${this.url}/repos/${full}/pulls/${pull.number}`,
      head: { ref: pull.head.ref, sha: pull.head.sha, label: `${repo.owner}:${pull.head.ref}`, repo: { name: repo.name, full_name: full } },
      base: { ref: pull.base.ref, sha: pull.base.sha, label: `${repo.owner}:${pull.base.ref}`, repo: { name: repo.name, full_name: full } },
      merged: pull.merged_at !== null, merged_at: pull.merged_at, merge_commit_sha: pull.merge_commit_sha, created_at: new Date().toISOString(), updated_at: new Date().toISOString(), closed_at: pull.merged_at,
    };
  }
  private deploymentJson(repo: RepoState, d: DeploymentState): Record<string, unknown> {
    return { id: d.id, node_id: `DE_${d.id}`, sha: d.sha, ref: d.ref, task: d.task, environment: d.environment, description: d.description, payload: {}, url: `${this.url}/repos/${repo.owner}/${repo.name}/deployments/${d.id}`, statuses_url: `${this.url}/repos/${repo.owner}/${repo.name}/deployments/${d.id}/statuses`, created_at: d.createdAt, updated_at: d.statuses.length ? new Date().toISOString() : d.createdAt, creator: null };
  }

  private repo(name: string): RepoState {
    const repo = this.repos.get(name);
    if (!repo) throw new ApiError(404, "Not Found");
    return repo;
  }
  private pull(repo: RepoState, number: number): PullState {
    const pull = repo.pulls.get(number);
    if (!pull) throw new ApiError(404, "Not Found");
    return pull;
  }
}

function tooLong(body: string): void {
  if (body.length > 65536) {
    throw new ApiError(422, "Validation Failed", { errors: [{ resource: "IssueComment", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" }] });
  }
}

function basicToken(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme = "", credential = ""] = header.split(" ");
  if (scheme.toLowerCase() !== "basic") return null;
  const [user, password] = Buffer.from(credential, "base64").toString("utf8").split(":");
  return user === "x-access-token" && password ? password : null;
}

function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (h * 31 + char.charCodeAt(0)) | 0;
  return Math.abs(h);
}

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** Runs git (for the double's own bookkeeping). */
export function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(" ")}: ${stderr || error.message}`));
      else resolve(stdout.trim());
    });
  });
}
