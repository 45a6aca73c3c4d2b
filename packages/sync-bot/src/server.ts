import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "@octokit/app";
import { cloneAtCommit, fetchCommit } from "./git.js";
import { gitHubAppOctokit, GitHubRepository, httpStatusOf, type GitHubClient, type GitHubResilience, type SuccessfulDeployment } from "./github.js";
import { runDriftPass, type DriftRecord } from "./drift-pass.js";
import { runMergeDeploy, type MergeDeployResult } from "./merge-deploy.js";
import { runPullRequestCheck, type PullRequestCheckResult } from "./pull-request-check.js";
import { KeyedSerialQueue, Semaphore } from "./queue.js";
import { redactError, registerSecret } from "@flowops/redact";
import { scrubbingLogger } from "./log.js";
import { routeWebhook, type WebhookRoute } from "./routing.js";
import { resolveDeployPolicy } from "./trusted-policy.js";
import type { BotLogger, FlowopsChecks } from "./types.js";

/** GitHub does not deliver payloads over 25 MB. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;
/** Bodies being read at once, all requests together; past it a delivery gets 503 (GitHub can redeliver). */
const MAX_IN_FLIGHT_BODY_BYTES = 64 * 1024 * 1024;

export interface BotServerOptions {
  appId: number | string;
  /** The App's private key (PEM). */
  privateKey: string;
  webhookSecret: string;
  flowops: FlowopsChecks;
  /** GitHub REST API root; default https://api.github.com (GitHub Enterprise: https://HOST/api/v3). */
  baseUrl?: string;
  /** Path that receives webhooks; default `/api/github/webhooks`. */
  webhookPath?: string;
  /** Branches whose pushes may deploy, besides the repository's default branch (deploy.branch must match too). */
  deployBranches?: string[];
  /** Pull request checks run at the same time (each holds a clone); default 4. Deploys queue per repository and environment. */
  maxConcurrentChecks?: number;
  /** Body bytes read at once across all requests; default 64 MB. Past it, 503 before reading. */
  maxInFlightBodyBytes?: number;
  /** Time to receive a request's headers; default 10 s (Node's: 60 s). */
  headersTimeoutMs?: number;
  /** Time to receive a whole request; default 30 s (Node's: 300 s). */
  requestTimeoutMs?: number;
  /** Folder for temporary clones; default the OS temp folder. */
  workRoot?: string;
  /** Retries, rate-limit waits and write pacing of the App's GitHub clients (defaults: `DEFAULT_RESILIENCE`). */
  github?: Partial<GitHubResilience>;
  /**
   * Milliseconds between catch-up passes, the first one at `listen`: each installed repository's
   * deploy branch is compared with its last successful flowops deployment and what is missing is
   * deployed through the same gate as a push; an environment at the tip is then checked for
   * drift (reported, or healed under `deploy.selfHeal`). Default 5 minutes; 0 turns passes off.
   */
  catchUpIntervalMs?: number;
  /**
   * How long this server's claim on an environment lasts (renewed while it deploys); a claim
   * left by a crashed replica is taken over once it runs out. Default 10 minutes.
   */
  leaseTtlMs?: number;
  /** This server's name in its leases; default `<hostname>-<pid>-<random>`. */
  replicaId?: string;
  log?: BotLogger;
}

/** Ten minutes, renewed every third of it while a deploy runs. */
export const DEFAULT_LEASE_TTL_MS = 10 * 60_000;

/** Five minutes: a lost webhook costs at most this much delay. */
export const DEFAULT_CATCH_UP_INTERVAL_MS = 5 * 60_000;

/** What one catch-up pass found in one repository's deploy branch. */
export interface CatchUpRecord {
  repository: string;
  branch: string;
  /** up-to-date: the tip is deployed; never-deployed: left to the first push (no trusted policy yet); deployed/refused/...: the deploy ran; failed: the pass could not tell or deploy. */
  status: "up-to-date" | "never-deployed" | "no-branch" | "failed" | MergeDeployResult["status"];
  tip?: string;
  deployedSha?: string;
  error?: string;
  /** The drift check of the environment, once it is at this branch's tip (see `runDriftPass`). */
  drift?: DriftRecord;
}

/** What one delivery led to, for logs and tests. */
export interface DeliveryRecord {
  id: string;
  event: string;
  route: WebhookRoute["kind"];
  status: "done" | "failed";
  error?: string;
  pullRequest?: PullRequestCheckResult[];
  deploy?: MergeDeployResult;
}

export interface BotServer {
  /** The Node HTTP server (not listening until `listen`). */
  readonly server: Server;
  /** Starts listening; resolves with the bound port (0 picks a free one). */
  listen(port?: number, host?: string): Promise<number>;
  /** Resolves when no delivery is being worked on. */
  idle(): Promise<void>;
  /** Stops accepting connections, waits for the work in progress, then resolves. */
  close(): Promise<void>;
  /** Finished deliveries, newest last (the last 100). */
  readonly deliveries: readonly DeliveryRecord[];
  /**
   * Runs one catch-up pass now (or joins the one running) and resolves with what it found per
   * repository and deploy branch. `listen` starts one, then one every `catchUpIntervalMs`.
   */
  catchUp(): Promise<CatchUpRecord[]>;
}

/**
 * The GitHub App webhook server (`flowops bot serve`). Verifies `X-Hub-Signature-256` over the raw
 * body (constant time, via @octokit/webhooks) before parsing anything; answers 202 at once and
 * works in the background; ignores events it does not handle; coalesces a redelivery that arrives
 * while the same delivery is still being worked on (one that arrives later re-runs idempotent work);
 * clones with the installation token into a temp folder; runs deploys one at a time per
 * repository and environment; serves `GET /healthz`; `close()` drains before resolving.
 */
export function createBotServer(options: BotServerOptions): BotServer {
  const log = scrubbingLogger(options.log ?? consoleLogger());
  const webhookPath = options.webhookPath ?? "/api/github/webhooks";
  const app = new App({
    appId: options.appId,
    privateKey: options.privateKey,
    webhooks: { secret: options.webhookSecret },
    Octokit: gitHubAppOctokit({ ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}), ...(options.github ? { resilience: options.github } : {}), log }),
    log: { debug: () => undefined, info: () => undefined, warn: (m: string) => log.warn(m), error: (m: string) => log.error(m) },
  });
  const appId = Number(options.appId);
  const queue = new KeyedSerialQueue();
  const checkSlots = new Semaphore(options.maxConcurrentChecks ?? 4);
  const inFlight = new Map<string, Promise<void>>();
  const deliveries: DeliveryRecord[] = [];
  const maxInFlightBodyBytes = options.maxInFlightBodyBytes ?? MAX_IN_FLIGHT_BODY_BYTES;
  let inFlightBodyBytes = 0;
  let closing = false;
  const catchUpIntervalMs = options.catchUpIntervalMs ?? DEFAULT_CATCH_UP_INTERVAL_MS;
  if (!(Number.isFinite(catchUpIntervalMs) && catchUpIntervalMs >= 0)) throw new RangeError(`catchUpIntervalMs must be 0 (off) or a number of milliseconds, got ${catchUpIntervalMs}`);
  let catchUpTimer: NodeJS.Timeout | undefined;
  let runningPass: Promise<CatchUpRecord[]> | null = null;
  let appLogin: Promise<string | null> | null = null;
  const lease = {
    holder: (options.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`).replace(/\s+/g, "-").slice(0, 40),
    ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.error(`request ${request.method} ${request.url} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) reply(response, 500, { error: "internal error" });
    });
  });
  // Well below Node's defaults (60 s, 300 s): a slow sender cannot hold a connection for minutes.
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 100;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "GET" && path === "/healthz") {
      return reply(response, closing ? 503 : 200, { status: closing ? "shutting down" : "ok", inFlight: inFlight.size, deployQueues: queue.busyKeys.length });
    }
    if (path !== webhookPath) return reply(response, 404, { error: `not found; webhooks go to POST ${webhookPath}` });
    if (request.method !== "POST") return reply(response, 405, { error: "webhooks are POSTed" });
    if (closing) return reply(response, 503, { error: "shutting down; GitHub can redeliver later" });

    // Everything that can be judged from the headers is judged before one byte of the body is read.
    const signature = header(request, "x-hub-signature-256");
    const event = header(request, "x-github-event");
    const id = header(request, "x-github-delivery");
    if (!signature) return refuse(request, response, 401, { error: "missing X-Hub-Signature-256" });
    if (!/^application\/json\s*(;|$)/i.test(header(request, "content-type") ?? "")) return refuse(request, response, 415, { error: "webhooks are sent as application/json; set the App's content type to JSON" });
    const length = Number(header(request, "content-length"));
    if (!Number.isSafeInteger(length) || length < 0 || header(request, "transfer-encoding")) return refuse(request, response, 411, { error: "a webhook needs a Content-Length" });
    if (length > MAX_BODY_BYTES) return refuse(request, response, 413, { error: "payload larger than 25 MB" });
    if (inFlightBodyBytes + length > maxInFlightBodyBytes) {
      log.warn(`delivery ${id ?? "(no id)"}: ${inFlightBodyBytes} body bytes already being read; answered 503`);
      return refuse(request, response, 503, { error: "too many deliveries at once; GitHub can redeliver later" }, { "retry-after": "10" });
    }
    inFlightBodyBytes += length;
    let raw: Buffer | null;
    try {
      raw = await readBody(request, length);
    } finally {
      inFlightBodyBytes -= length;
    }
    if (raw === null) return refuse(request, response, 400, { error: "the body does not match its Content-Length" });
    // Verify the exact bytes received, before parsing: a re-serialised body would not match.
    if (!(await app.webhooks.verify(raw.toString("utf8"), signature))) {
      log.warn(`delivery ${id ?? "(no id)"}: signature does not match; refused`);
      return reply(response, 401, { error: "signature does not match" });
    }
    if (!event || !id) return reply(response, 400, { error: "missing X-GitHub-Event or X-GitHub-Delivery" });
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString("utf8"));
    } catch {
      return reply(response, 400, { error: "the body is not JSON" });
    }

    let route: WebhookRoute;
    try {
      route = routeWebhook(event, payload, { appId });
    } catch (error) {
      // Signed by GitHub, yet not the shape the event has (a pull_request event without its object).
      log.warn(`delivery ${id} (${event}): malformed payload refused: ${error instanceof Error ? error.message : String(error)}`);
      return reply(response, 400, { error: `the ${event} payload is malformed` });
    }
    if (route.kind === "ignore") {
      log.info(`delivery ${id} (${event}): ignored: ${route.reason}`);
      return reply(response, 200, { ignored: route.reason });
    }
    if (inFlight.has(id)) return reply(response, 202, { accepted: id, note: "already being processed" });

    // Answer now (GitHub waits at most 10 s) and do the work in the background.
    reply(response, 202, { accepted: id, route: route.kind });
    const work = processDelivery(id, event, route).finally(() => inFlight.delete(id));
    inFlight.set(id, work);
  }

  async function processDelivery(id: string, event: string, route: Exclude<WebhookRoute, { kind: "ignore" }>): Promise<void> {
    const record: DeliveryRecord = { id, event, route: route.kind, status: "done" };
    try {
      const client: GitHubClient = await app.getInstallationOctokit(route.installationId);
      const { token } = (await client.auth({ type: "installation" })) as { token: string };
      registerSecret(token);
      // The App's login (read once and kept) tells its comments from other bots'.
      const github = new GitHubRepository(client, route.owner, route.repo, log, await appBotLogin());
      if (route.kind === "pull-request") {
        record.pullRequest = [await checkPullRequest(github, token, route.cloneUrl, route)];
      } else if (route.kind === "rerequest") {
        record.pullRequest = [];
        for (const number of route.pullNumbers) {
          const pull = await github.getPullRequest(number);
          if (pull.state !== "open") continue;
          record.pullRequest.push(await checkPullRequest(github, token, route.cloneUrl, { pullNumber: number, ...pull }));
        }
      } else {
        const result = await deployPush(github, token, route);
        if (result) record.deploy = result;
      }
    } catch (error) {
      record.status = "failed";
      record.error = redactError(error);
      log.error(`delivery ${id} (${event}) failed: ${record.error}`);
    }
    deliveries.push(record);
    if (deliveries.length > 100) deliveries.shift();
  }

  async function checkPullRequest(
    github: GitHubRepository,
    token: string,
    cloneUrl: string,
    pull: { pullNumber: number; headSha: string; baseSha: string; baseRef: string },
  ): Promise<PullRequestCheckResult> {
    return checkSlots.run(() =>
      withClone(cloneUrl, token, pull.headSha, [`refs/pull/${pull.pullNumber}/head`], async (dir) => {
        const policy = await options.flowops.readPolicy(dir, pull.baseSha);
        return runPullRequestCheck({ github, flowops: options.flowops, workspace: dir, pullNumber: pull.pullNumber, headSha: pull.headSha, baseSha: pull.baseSha, baseRef: pull.baseRef, policy, log });
      }),
    );
  }

  /**
   * A push deploys; `catchUp` marks a pass of {@link catchUp}: the same clone, trusted policy,
   * queue and approval gate, except that a tip already deployed (by a webhook that got there
   * first) is left alone.
   */
  async function deployPush(github: GitHubRepository, token: string, route: Extract<WebhookRoute, { kind: "push" }>, catchUp = false): Promise<MergeDeployResult | null> {
    if (route.branch !== route.defaultBranch && !(options.deployBranches ?? []).includes(route.branch)) {
      log.info(`push to ${route.owner}/${route.repo} ${route.branch}: not a deploy branch`);
      return null;
    }
    return withClone(route.cloneUrl, token, route.after, [], async (dir) => {
      const { env, policy, policyCommit } = await resolveDeployPolicy({
        deployments: github,
        flowops: options.flowops,
        workspace: dir,
        before: route.before,
        after: route.after,
        fetchCommit: (sha) => fetchCommit({ url: route.cloneUrl, token, dir, sha }),
      });
      log.info(`${catchUp ? "catch-up of" : "push"} ${route.after.slice(0, 12)} to ${route.owner}/${route.repo} ${route.branch}: ${policyCommit.reason}`);
      return queue.run(`${route.owner}/${route.repo}#${env}`, async () => {
        if (catchUp && (await github.lastSuccessfulDeployment(env))?.sha === route.after) {
          log.info(`catch-up: ${route.owner}/${route.repo} ${env} is already at ${route.after.slice(0, 12)}`);
          return null;
        }
        return runMergeDeploy({ github, flowops: options.flowops, workspace: dir, sha: route.after, branch: route.branch, env, policy, baseSha: policyCommit.sha, pusher: route.pusher, lease, log, ...(catchUp ? { unlessDeployed: true } : {}) });
      });
    });
  }

  function catchUp(): Promise<CatchUpRecord[]> {
    runningPass ??= catchUpPass().finally(() => (runningPass = null));
    return runningPass;
  }

  /**
   * Level-triggered deploys: for every repository of every installation, each deploy branch's tip
   * is compared with the newest successful flowops deployment; a tip that differs goes through
   * {@link deployPush} with the deployed commit as `before`, so the trust boundary holds as for a
   * push (policy from the deployed commit, approvals of the merged PR). A repository never
   * deployed is left to its first push: without a deployment there is no trusted policy.
   */
  async function catchUpPass(): Promise<CatchUpRecord[]> {
    const records: CatchUpRecord[] = [];
    // Asked at most once per pass (one warning per pass while GitHub cannot tell), again next pass.
    let passLogin: Promise<string | null> | undefined;
    const botLogin = () => (passLogin ??= appBotLogin());
    try {
      for await (const { octokit, repository } of app.eachRepository.iterator()) {
        if (closing) break;
        const owner = repository.owner.login;
        const full = `${owner}/${repository.name}`;
        const github = new GitHubRepository(octokit as GitHubClient, owner, repository.name, log, await botLogin());
        let deployed: Awaited<ReturnType<GitHubRepository["lastSuccessfulDeployment"]>> | undefined;
        let driftChecked = false;
        for (const branch of new Set([repository.default_branch, ...(options.deployBranches ?? [])])) {
          const record: CatchUpRecord = { repository: full, branch, status: "up-to-date" };
          records.push(record);
          try {
            try {
              record.tip = await github.branchTip(branch);
            } catch (error) {
              if (httpStatusOf(error) !== 404) throw error;
              record.status = "no-branch";
              continue;
            }
            deployed ??= await github.lastSuccessfulDeployment(null);
            if (!deployed) {
              record.status = "never-deployed";
              continue;
            }
            record.deployedSha = deployed.sha;
            if (deployed.sha === record.tip) continue;
            const { token } = (await (octokit as GitHubClient).auth({ type: "installation" })) as { token: string };
            registerSecret(token);
            const route = { kind: "push" as const, installationId: 0, owner, repo: repository.name, cloneUrl: repository.clone_url, branch, before: deployed.sha, after: record.tip, pusher: null, defaultBranch: repository.default_branch };
            const result = await deployPush(github, token, route, true);
            record.status = result ? result.status : "up-to-date";
          } catch (error) {
            record.status = "failed";
            record.error = redactError(error);
            log.error(`catch-up of ${full} ${branch} failed: ${record.error}`);
          } finally {
            if (!driftChecked && !closing && record.tip && (record.status === "up-to-date" || record.status === "deployed")) {
              // After a deploy of this pass, which environment it was is read again.
              const drift = await checkDrift(github, octokit as GitHubClient, repository, branch, record.tip, record.status === "up-to-date" && deployed?.sha === record.tip ? deployed : null, botLogin);
              if (drift) {
                record.drift = drift;
                driftChecked = true;
              }
            }
          }
        }
      }
    } catch (error) {
      log.error(`catch-up pass stopped: ${redactError(error)}`);
    }
    return records;
  }

  /**
   * The drift check of the environment a merge to `branch` deploys, when its last successful
   * deployment is `tip`: a shallow clone of the tip, the policy of that (deployed, so trusted)
   * commit, then {@link runDriftPass} in the environment's deploy queue. Null when the branch
   * deploys nothing or the environment is not at the tip. Skipped while the App's own login is
   * unknown: only the App's issues may say what was reported, and any other author could plant
   * one that silences a report or a self-heal. Never throws: a failure is its record.
   */
  async function checkDrift(github: GitHubRepository, octokit: GitHubClient, repository: { clone_url: string }, branch: string, tip: string, deployed: SuccessfulDeployment | null, login: () => Promise<string | null>): Promise<DriftRecord | null> {
    const full = `${github.owner}/${github.repo}`;
    try {
      const botLogin = await login();
      if (botLogin === null) return { env: "", status: "skipped", flows: 0, healed: 0, error: "the App's own login is unknown (GET /app failed); drift is checked on the next pass" };
      const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
      registerSecret(token);
      return await withClone(repository.clone_url, token, tip, [], async (dir) => {
        const policy = await options.flowops.readPolicy(dir, tip);
        const env = policy.environments[0];
        if (!env || policy.deployBranch !== branch) return null;
        // The newest successful deployment of any environment is the environment's own when the names agree.
        const current = deployed?.environment === env ? deployed : await github.lastSuccessfulDeployment(env);
        if (current?.sha !== tip) return null;
        return queue.run(`${full}#${env}`, () => runDriftPass({ github, flowops: options.flowops, workspace: dir, sha: tip, branch, env, policy, botLogin, lease, log }));
      }, branch);
    } catch (error) {
      const message = redactError(error);
      log.error(`drift check of ${full} ${branch} failed: ${message}`);
      return { env: "", status: "failed", flows: 0, healed: 0, error: message };
    }
  }

  /**
   * The App's own login (`<slug>[bot]`), which opens the drift issues: read once and kept; null
   * (with a warning) while GitHub cannot tell, and asked again by the next call.
   */
  function appBotLogin(): Promise<string | null> {
    appLogin ??= app.octokit.rest.apps.getAuthenticated().then(
      ({ data }) => {
        if (data?.slug) return `${data.slug}[bot]`;
        appLogin = null;
        log.warn("GitHub's answer to GET /app names no slug; drift checks wait for the next pass");
        return null;
      },
      (error: unknown) => {
        appLogin = null;
        log.warn(`could not read the App's own login (GET /app): ${redactError(error)}; drift checks wait for the next pass`);
        return null;
      },
    );
    return appLogin;
  }

  async function withClone<T>(url: string, token: string, sha: string, extraRefs: string[], work: (dir: string) => Promise<T>, shallowBranch?: string): Promise<T> {
    const parent = await mkdtemp(join(options.workRoot ?? tmpdir(), "flowops-bot-"));
    try {
      const dir = join(parent, "repo");
      await mkdir(dir);
      await cloneAtCommit({ url, token, dir, sha, extraRefs, ...(shallowBranch ? { shallowBranch } : {}) });
      return await work(dir);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  }

  async function idle(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
  }

  return {
    server,
    deliveries,
    listen(port = 3000, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address();
          if (catchUpIntervalMs > 0 && !catchUpTimer) {
            void catchUp();
            catchUpTimer = setInterval(() => void catchUp(), catchUpIntervalMs);
            catchUpTimer.unref();
          }
          resolve(typeof address === "object" && address ? address.port : port);
        });
      });
    },
    idle,
    catchUp,
    async close() {
      closing = true;
      clearInterval(catchUpTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await idle();
      await runningPass;
      await closed;
    },
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** Answers and closes the connection without reading the body the client may still be sending. */
function refuse(request: IncomingMessage, response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", connection: "close", ...headers });
  response.end(JSON.stringify(body), () => request.destroy());
}

/** Reads exactly `length` bytes into one buffer; null when the body is longer or shorter. */
function readBody(request: IncomingMessage, length: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const body = Buffer.allocUnsafe(length);
    let size = 0;
    let overflow = false;
    request.on("data", (chunk: Buffer) => {
      if (size + chunk.length > length) overflow = true;
      else chunk.copy(body, size);
      size += chunk.length;
    });
    request.on("end", () => resolve(overflow || size !== length ? null : body));
    request.on("error", reject);
  });
}

/** Logs to stderr with a level prefix. */
export function consoleLogger(): BotLogger {
  return {
    info: (message) => process.stderr.write(`[flowops-bot] ${message}\n`),
    warn: (message) => process.stderr.write(`[flowops-bot] warning: ${message}\n`),
    error: (message) => process.stderr.write(`[flowops-bot] error: ${message}\n`),
  };
}
