import { parseArgs } from "node:util";
import { BotConfigurationError, flowopsChecks, KestraTargets, KestraTargetsConfigError, runBotServer, runCiDeploy, runCiPr, withdrawSecrets } from "@flowops/sync-bot";
import { withUsage } from "../args.js";
import { UsageError, type CommandIO } from "../io.js";
import { CI_USAGE, BOT_USAGE } from "../usage.js";

/** `flowops ci pr|deploy`: the sync bot's GitHub Actions front door. */
export async function ciCommand(argv: string[], io: CommandIO): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = withUsage(() => parseArgs({ args: rest, options: { env: { type: "string" } }, strict: true, allowPositionals: false }), CI_USAGE);
  // Read the tokens and Kestra credentials once, then take them out of the process environment so
  // no process flowops starts (git) inherits them; Kestra targets come from the workflow's side.
  const env = withdrawSecrets(io.env);
  const options = { flowops: flowopsChecks({ kestra: KestraTargets.fromActions(env) }) };
  if (action === "pr") return runCiPr(env, options);
  if (action === "deploy") return runCiDeploy(env, values.env, options);
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
    const env = withdrawSecrets(io.env);
    const kestra = await KestraTargets.fromBotEnvironment(env);
    withdrawSecrets(io.env, kestra.variableNames());
    await runBotServer({ env, flowops: flowopsChecks({ kestra }), ...(port !== undefined ? { port } : {}) });
  } catch (error) {
    if (error instanceof BotConfigurationError || error instanceof KestraTargetsConfigError) throw new UsageError(error.message);
    throw error;
  }
  return 0;
}
