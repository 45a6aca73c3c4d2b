import { parseArgs } from "node:util";
import { BotConfigurationError, flowopsChecks, runBotServer, runCiDeploy, runCiPr } from "@flowops/sync-bot";
import { withUsage } from "../args.js";
import { UsageError, type CommandIO } from "../io.js";

export const CI_USAGE = "flowops ci pr | flowops ci deploy --env ENV   (inside GitHub Actions)";
export const BOT_USAGE = "flowops bot serve [--port N]   (GitHub App webhook server)";

/** `flowops ci pr|deploy`: the sync bot's GitHub Actions front door. */
export async function ciCommand(argv: string[], io: CommandIO): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = withUsage(() => parseArgs({ args: rest, options: { env: { type: "string" } }, strict: true, allowPositionals: false }), CI_USAGE);
  const options = { flowops: flowopsChecks({ variables: io.env }) };
  if (action === "pr") return runCiPr(io.env, options);
  if (action === "deploy") return runCiDeploy(io.env, values.env, options);
  throw new UsageError(`unknown ci action "${action ?? ""}"\n\nusage: ${CI_USAGE}`);
}

/** `flowops bot serve`: the sync bot as a GitHub App; serves until SIGTERM or SIGINT. */
export async function botCommand(argv: string[], io: CommandIO): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== "serve") throw new UsageError(`unknown bot action "${action ?? ""}"\n\nusage: ${BOT_USAGE}`);
  const { values } = withUsage(() => parseArgs({ args: rest, options: { port: { type: "string" } }, strict: true, allowPositionals: false }), BOT_USAGE);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port must be a port number\n\nusage: ${BOT_USAGE}`);
  try {
    // The listening server keeps the process alive; SIGTERM drains the work in progress and stops it.
    await runBotServer({ env: io.env, flowops: flowopsChecks({ variables: io.env }), ...(port !== undefined ? { port } : {}) });
  } catch (error) {
    if (error instanceof BotConfigurationError) throw new UsageError(error.message);
    throw error;
  }
  return 0;
}
