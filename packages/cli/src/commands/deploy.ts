import { parseArgs } from "node:util";
import {
  BaselineUnreadableError,
  deployEnvironment,
  DeployRefusedError,
  formatProgress,
  formatReportJson,
  formatReportText,
  type DeployProgress,
  type DeployReport,
} from "@flowops/deploy";
import { withUsage } from "../args.js";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "../io.js";
import { kestraClientFor, reportKestraApiError } from "../kestra-connection.js";
import { loadSelection } from "../selection.js";
import { PLAN_USAGE, DEPLOY_USAGE } from "../usage.js";

const deployFlags = {
  cwd: { type: "string" },
  env: { type: "string" },
  "kestra-url": { type: "string" },
  /** The commit last deployed: a managed flow whose live source differs from its render there was changed outside Git. */
  baseline: { type: "string" },
  prune: { type: "boolean", default: false },
  force: { type: "boolean", default: false },
  concurrency: { type: "string", default: "8" },
  format: { type: "string", default: "text" },
} as const;

/** `flowops plan`: what a deploy with the same flags would do, read from Kestra; sends no write. */
export async function planCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(
    () => parseArgs({ args: argv, options: { ...deployFlags, diff: { type: "boolean", default: false } }, strict: true, allowPositionals: false }),
    PLAN_USAGE,
  );
  return runDeploy(values, { dryRun: true, prune: values.prune, force: values.force, concurrency: concurrencyOf(values.concurrency, PLAN_USAGE), diff: values.diff }, io, PLAN_USAGE);
}

/** `flowops deploy`: make Kestra hold exactly what Git renders, for one environment. */
export async function deployCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(() => parseArgs({ args: argv, options: deployFlags, strict: true, allowPositionals: false }), DEPLOY_USAGE);
  return runDeploy(values, { dryRun: false, prune: values.prune, force: values.force, concurrency: concurrencyOf(values.concurrency, DEPLOY_USAGE), diff: false }, io, DEPLOY_USAGE);
}

function concurrencyOf(value: string, usage: string): number {
  const concurrency = Number(value);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64\n\nusage: ${usage}`);
  return concurrency;
}

async function runDeploy(
  values: { cwd?: string; env?: string; "kestra-url"?: string; baseline?: string; format: string },
  mode: { dryRun: boolean; prune: boolean; force: boolean; concurrency: number; diff: boolean },
  io: CommandIO,
  usage: string,
): Promise<number> {
  if (values.format !== "text" && values.format !== "json") throw new UsageError(`unknown format "${values.format}"; expected text or json\n\nusage: ${usage}`);
  const { repository, envs } = await loadSelection(values, io);
  const env = envs[0]!;
  const progress = !mode.dryRun && io.isTTY && values.format === "text";
  try {
    const result = await deployEnvironment({
      repository,
      env,
      kestra: (environment) => kestraClientFor(environment, values["kestra-url"], io, { retryProgress: true }),
      ...(values.baseline ? { baseline: { ref: values.baseline, ifUnreadable: "fail" as const } } : {}),
      ...(mode.prune ? { prune: true } : {}),
      force: mode.force,
      dryRun: mode.dryRun,
      diff: mode.diff,
      concurrency: mode.concurrency,
      ...(progress ? { onProgress: (p: DeployProgress) => io.stderr(`\r\u001b[2K${formatProgress(p)}`) } : {}),
    });
    if (mode.dryRun) {
      print(result.report, values.format, "plan", io);
      const refusal = result.refusal;
      if (refusal) io.stderr(`flowops plan: a deploy with these flags would be refused, writing nothing: ${refusal.message}\n`);
      // The exit code the same deploy would give.
      if (refusal) return refusal.reason === "mass-delete" ? EXIT_FINDINGS : EXIT_USAGE;
      return result.report.summary.failed > 0 ? EXIT_FINDINGS : EXIT_OK;
    }
    if (progress) io.stderr("\r\u001b[2K");
    print(result.report, values.format, "deploy", io);
    return result.report.summary.failed > 0 ? EXIT_FINDINGS : EXIT_OK;
  } catch (error) {
    if (error instanceof BaselineUnreadableError) throw new UsageError(error.message);
    if (error instanceof DeployRefusedError) {
      io.stderr(`flowops deploy: ${error.message}\nNothing was written.\n`);
      return error.reason === "mass-delete" ? EXIT_FINDINGS : EXIT_USAGE;
    }
    const exitCode = reportKestraApiError(error, mode.dryRun ? "plan" : "deploy", io);
    if (exitCode !== undefined) return exitCode;
    throw error;
  }
}

function print(report: DeployReport, format: string, mode: "plan" | "deploy", io: CommandIO): void {
  io.stdout(format === "json" ? formatReportJson(report) + "\n" : formatReportText(report, mode) + "\n");
}
