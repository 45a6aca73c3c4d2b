import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBotServer, type BotLogger, type BotServer, type FlowopsChecks } from "@flowops/sync-bot";
import { GitHubDouble } from "../github-double/index.js";
import { Platform } from "../github-double/platform.js";
import { actionsEnvironment, pushEvent, signature256 } from "../github-double/events.js";
import { startKestraDouble, type KestraDouble } from "../kestra-double/index.js";

/**
 * The attacker's world of the security tests: a platform repository on the GitHub double (real
 * Git over smart HTTP), the Kestra double behind basic auth, and the bot's two front doors
 * (`bot serve` in-process, `ci deploy` with an Actions environment) on the real packages.
 */
export const APP_ID = 4711;
export const INSTALLATION = 77;
export const WEBHOOK_SECRET = "whsec-Sicher/Geheim@2026:x";
export const KESTRA_USERNAME = "deployer@example.com";
export const KESTRA_PASSWORD = "Kestra-P/ss@w:rd-2026";

let privateKey: string | undefined;
export function appPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

export function configYaml(options: { kestraUrl: string; allowedPushers?: string[]; approvals?: number; protectedTenants?: string[]; extraKestra?: string; maxDeleteShare?: number; prune?: boolean }): string {
  return [
    "environments:",
    "  staging:",
    `    kestra: { url: "${options.kestraUrl}"${options.extraKestra ? `, ${options.extraKestra}` : ""} }`,
    "deploy:",
    "  branch: main",
    `  approvals: ${options.approvals ?? 1}`,
    `  allowedPushers: [${(options.allowedPushers ?? ["release-bot"]).join(", ")}]`,
    `  protectedTenants: [${(options.protectedTenants ?? []).join(", ")}]`,
    ...(options.maxDeleteShare !== undefined ? [`  maxDeleteShare: ${options.maxDeleteShare}`] : []),
    ...(options.prune !== undefined ? [`  prune: ${options.prune}`] : []),
    "",
  ].join("\n");
}

export const FLOW = (id: string) => `id: ${id}\ntasks:\n  - id: say\n    type: io.kestra.plugin.core.log.Log\n    message: hello\n`;

export class World {
  logLines: string[] = [];
  readonly log: BotLogger = { info: (m) => this.logLines.push(`info ${m}`), warn: (m) => this.logLines.push(`warn ${m}`), error: (m) => this.logLines.push(`error ${m}`) };
  bot: BotServer | null = null;
  botUrl = "";
  private runs = 0;

  private constructor(readonly github: GitHubDouble, readonly kestra: KestraDouble, readonly platform: Platform, readonly scratch: string) {}

  static async start(): Promise<World> {
    const github = await GitHubDouble.start();
    github.registerApp(APP_ID, appPrivateKey());
    github.addInstallation(INSTALLATION, ["acme/flows"]);
    const kestra = await startKestraDouble({ basicAuth: { username: KESTRA_USERNAME, password: KESTRA_PASSWORD } });
    const platform = await Platform.create(github);
    await platform.commit("main", "Point staging at the Kestra double", { "flowops.config.yaml": configYaml({ kestraUrl: kestra.url }) });
    return new World(github, kestra, platform, await mkdtemp(join(tmpdir(), "flowops-security-")));
  }

  async stop(): Promise<void> {
    await this.bot?.close();
    await this.github.stop();
    await this.kestra.close();
    await this.platform.dispose();
    await rm(this.scratch, { recursive: true, force: true });
  }

  get repo(): string {
    return this.platform.fullName;
  }

  async startBot(flowops: FlowopsChecks): Promise<BotServer> {
    this.bot = createBotServer({ appId: APP_ID, privateKey: appPrivateKey(), webhookSecret: WEBHOOK_SECRET, flowops, baseUrl: this.github.url, catchUpIntervalMs: 0, log: this.log });
    this.botUrl = `http://127.0.0.1:${await this.bot.listen(0)}`;
    return this.bot;
  }

  /** Delivers a signed push webhook for `before..after` to the bot and waits for the work to finish. */
  async deliverPush(push: { before: string; after: string; pusher: string }): Promise<number> {
    const payload = pushEvent({ ref: "refs/heads/main", ...push, repository: this.github.repositoryPayload(this.repo), installationId: INSTALLATION });
    const body = JSON.stringify(payload);
    const response = await fetch(`${this.botUrl}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": `push-${++this.runs}`, "x-hub-signature-256": signature256(body, WEBHOOK_SECRET) },
      body,
    });
    await response.arrayBuffer();
    await this.bot!.idle();
    return response.status;
  }

  /** The variables of a `flowops ci deploy` step for a push `before..after`, workspace checked out at `after`. */
  async actionsPushEnv(push: { before: string; after: string; pusher: string }, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
    const run = ++this.runs;
    const workspace = await this.platform.checkout(push.after, join(this.scratch, `workspace-${run}`));
    const payload = pushEvent({ ref: "refs/heads/main", ...push, repository: this.github.repositoryPayload(this.repo) });
    const env = await actionsEnvironment({ eventName: "push", payload, repository: this.repo, apiUrl: this.github.url, token: this.github.issueActionsToken(), workspace, sha: push.after, scratch: this.scratch, run, runId: String(1000 + run) });
    return { ...env, GITHUB_TRIGGERING_ACTOR: push.pusher, ...extra };
  }

  /** The tip of main on the server. */
  async mainTip(): Promise<string> {
    await this.platform.pullMain();
    return (await this.platform.dev.revparse(["HEAD"])).trim();
  }

  /**
   * A writer rewrites main: a new root commit with `files` (the whole repository), then `then`
   * on top, force-pushed over main. The old tip is left unreachable, as after `git push --force`.
   */
  async forcePushNewHistory(files: Record<string, string>, then: Record<string, string>): Promise<{ before: string; parent: string; after: string }> {
    const before = await this.mainTip();
    const dev = this.platform.dev;
    await dev.raw(["checkout", "--quiet", "--orphan", "rewrite"]);
    await dev.raw(["rm", "-rf", "--quiet", "."]);
    const commitFiles = async (set: Record<string, string>, message: string) => {
      const { mkdir, writeFile } = await import("node:fs/promises");
      const { dirname } = await import("node:path");
      for (const [path, text] of Object.entries(set)) {
        await mkdir(dirname(join(this.platform.devDir, path)), { recursive: true });
        await writeFile(join(this.platform.devDir, path), text);
      }
      await dev.raw(["add", "-A"]);
      await dev.raw(["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", message]);
      return (await dev.revparse(["HEAD"])).trim();
    };
    const parent = await commitFiles(files, "Rewrite history");
    const after = await commitFiles(then, "A change on top");
    await dev.raw(["push", "--quiet", "--force", "origin", "rewrite:main"]);
    return { before, parent, after };
  }

  /** A writer pushes a commit straight onto main (fast-forward); returns the push's before/after. */
  async pushToMain(message: string, files: Record<string, string>): Promise<{ before: string; after: string }> {
    const before = await this.mainTip();
    const after = await this.platform.commit("main", message, files);
    return { before, after };
  }
}

/** An HTTP server on 127.0.0.1 that answers every request and records what it was sent, credentials included. */
export async function startCatcher(): Promise<{ url: string; requests: { method: string; url: string; headers: Record<string, unknown>; body: string }[]; close(): Promise<void> }> {
  const { createServer } = await import("node:http");
  const requests: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      requests.push({ method: request.method ?? "", url: request.url ?? "", headers: { ...request.headers }, body });
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ version: "0.24.0", results: [], total: 0 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
