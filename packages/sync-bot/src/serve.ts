import { readFile } from "node:fs/promises";
import { consoleLogger, createBotServer, type BotServer, type BotServerOptions } from "./server.js";
import type { BotLogger, FlowopsChecks } from "./types.js";

/** A missing or unreadable App setting (exit code 2), naming the variable to set. */
export class BotConfigurationError extends Error {
  override readonly name = "BotConfigurationError";
}

/**
 * Reads the GitHub App settings of `flowops bot serve` from the environment:
 * `GITHUB_APP_ID`, `GITHUB_APP_PRIVATE_KEY` (PEM text) or `GITHUB_APP_PRIVATE_KEY_PATH` (a file),
 * `GITHUB_WEBHOOK_SECRET`, and optionally `GITHUB_API_URL` (GitHub Enterprise) and
 * `FLOWOPS_DEPLOY_BRANCHES` (comma-separated, besides each repository's default branch) and
 * `FLOWOPS_BOT_CATCHUP_INTERVAL` (seconds between catch-up passes; default 300, 0 turns them off).
 */
export async function botOptionsFromEnv(env: NodeJS.ProcessEnv): Promise<Omit<BotServerOptions, "flowops" | "log">> {
  const missing: string[] = [];
  const appId = env["GITHUB_APP_ID"];
  const secret = env["GITHUB_WEBHOOK_SECRET"];
  if (!appId) missing.push("GITHUB_APP_ID");
  if (!secret) missing.push("GITHUB_WEBHOOK_SECRET");
  let privateKey = env["GITHUB_APP_PRIVATE_KEY"];
  const keyPath = env["GITHUB_APP_PRIVATE_KEY_PATH"];
  if (!privateKey && keyPath) {
    try {
      privateKey = await readFile(keyPath, "utf8");
    } catch (error) {
      throw new BotConfigurationError(`cannot read the App's private key at ${keyPath} (GITHUB_APP_PRIVATE_KEY_PATH): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!privateKey) missing.push("GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_PATH");
  if (missing.length > 0) {
    throw new BotConfigurationError(`set ${missing.join(", ")} to run the GitHub App server (the App's settings page has the id, the key and the webhook secret)`);
  }
  if (!/^\d+$/.test(appId!)) throw new BotConfigurationError(`GITHUB_APP_ID must be the App's numeric id, got ${appId}`);
  // A key pasted into a single-line variable often carries literal "\n".
  const pem = privateKey!.includes("\\n") ? privateKey!.replace(/\\n/g, "\n") : privateKey!;
  const interval = env["FLOWOPS_BOT_CATCHUP_INTERVAL"]?.trim();
  if (interval && !/^\d+$/.test(interval)) {
    throw new BotConfigurationError(`FLOWOPS_BOT_CATCHUP_INTERVAL must be a whole number of seconds between catch-up passes (0 turns them off), got ${interval}`);
  }
  const branches = (env["FLOWOPS_DEPLOY_BRANCHES"] ?? "").split(",").map((b) => b.trim()).filter(Boolean);
  return {
    appId: Number(appId),
    privateKey: pem,
    webhookSecret: secret!,
    ...(env["GITHUB_API_URL"] ? { baseUrl: env["GITHUB_API_URL"] } : {}),
    ...(branches.length ? { deployBranches: branches } : {}),
    ...(interval ? { catchUpIntervalMs: Number(interval) * 1000 } : {}),
  };
}

/**
 * `flowops bot serve [--port N]`: starts the App server from the environment, listens, and closes
 * gracefully (drains work in progress) on SIGTERM or SIGINT. Resolves with the server once listening.
 */
export async function runBotServer(options: { env: NodeJS.ProcessEnv; flowops: FlowopsChecks; port?: number; host?: string; log?: BotLogger }): Promise<{ bot: BotServer; port: number }> {
  const log = options.log ?? consoleLogger();
  const settings = await botOptionsFromEnv(options.env);
  const bot = createBotServer({ ...settings, flowops: options.flowops, log });
  const port = await bot.listen(options.port ?? Number(options.env["PORT"] ?? 3000), options.host ?? "0.0.0.0");
  log.info(`listening on port ${port}: webhooks at POST /api/github/webhooks, health at GET /healthz`);
  const shutdown = (signal: string) => {
    log.info(`${signal}: finishing the work in progress, then stopping`);
    void bot.close().then(() => log.info("stopped"));
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  return { bot, port };
}
