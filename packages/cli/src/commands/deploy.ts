import { parseArgs } from "node:util";
import {
  apply,
  baselineAt,
  checkGuards,
  deployInputs,
  DeployRefusedError,
  formatProgress,
  formatReportJson,
  formatReportText,
  kestraClientFromEnvironment,
  KestraApiError,
  KestraConfigError,
  plan,
  planReport,
  type DeployReport,
} from "@flowops/deploy";
import { withUsage } from "../args.js";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "../io.js";
import { kestraRetryProgress } from "../progress.js";
import { loadSelection } from "../selection.js";

export const PLAN_USAGE = "flowops plan --env ENV [--cwd DIR] [--kestra-url URL] [--baseline REF] [--format text|json]";
export const DEPLOY_USAGE = "flowops deploy --env ENV [--cwd DIR] [--kestra-url URL] [--baseline REF] [--prune] [--force] [--concurrency N] [--format text|json]";

const deployFlags = {
  cwd: { type: "string" },
  env: { type: "string" },
  "kestra-url": { type: "string" },
  /** The commit last deployed: a managed flow whose live source differs from its render there was changed outside Git. */
  baseline: { type: "string" },
  format: { type: "string", default: "text" },
} as const;

/** `flowops plan`: what a deploy would do, read from Kestra; sends no write. */
export async function planCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(() => parseArgs({ args: argv, options: deployFlags, strict: true, allowPositionals: false }), PLAN_USAGE);
  return runDeploy(values, { dryRun: true, prune: false, force: false, concurrency: 1 }, io, PLAN_USAGE);
}

/** `flowops deploy`: make Kestra hold exactly what Git renders, for one environment. */
export async function deployCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(
    () =>
      parseArgs({
        args: argv,
        options: { ...deployFlags, prune: { type: "boolean", default: false }, force: { type: "boolean", default: false }, concurrency: { type: "string", default: "8" } },
        strict: true,
        allowPositionals: false,
      }),
    DEPLOY_USAGE,
  );
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64\n\nusage: ${DEPLOY_USAGE}`);
  return runDeploy(values, { dryRun: false, prune: values.prune, force: values.force, concurrency }, io, DEPLOY_USAGE);
}

async function runDeploy(
  values: { cwd?: string; env?: string; "kestra-url"?: string; baseline?: string; format: string },
  mode: { dryRun: boolean; prune: boolean; force: boolean; concurrency: number },
  io: CommandIO,
  usage: string,
): Promise<number> {
  if (values.format !== "text" && values.format !== "json") throw new UsageError(`unknown format "${values.format}"; expected text or json\n\nusage: ${usage}`);
  const { repository, envs } = await loadSelection(values, io);
  const env = envs[0]!;
  const inputs = deployInputs(repository, env);
  let baseline;
  if (values.baseline) {
    baseline = await baselineAt(repository.root, values.baseline, env);
    if (!baseline) throw new UsageError(`--baseline ${values.baseline}: that commit cannot be read or rendered for ${env}; pass the commit last deployed`);
  }
  let client;
  try {
    client = kestraClientFromEnvironment(inputs.environment, { ...(values["kestra-url"] ? { url: values["kestra-url"] } : {}), variables: io.env, ...kestraRetryProgress(io) });
  } catch (error) {
    if (error instanceof KestraConfigError || error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
  const prune = mode.prune || inputs.policy.prune;
  try {
    const deployPlan = await plan({ env, desired: inputs.desired, client, policy: { ...inputs.policy, prune }, scopes: inputs.scopes, problems: inputs.problems, ...(baseline ? { baseline } : {}) });
    if (mode.dryRun) {
      const report = planReport(deployPlan, { prune });
      print(report, values.format, "plan", io);
      const refusal = checkGuards(deployPlan, { prune });
      if (refusal) io.stderr(`flowops plan: a deploy would be refused: ${refusal.message}\n`);
      return refusal?.reason === "problems" || refusal?.reason === "empty" ? EXIT_USAGE : EXIT_OK;
    }
    const report = await apply(deployPlan, {
      client,
      concurrency: mode.concurrency,
      prune,
      force: mode.force,
      ...(io.isTTY && values.format === "text" ? { onProgress: (progress) => io.stderr(`\r\u001b[2K${formatProgress(progress)}`) } : {}),
    });
    if (io.isTTY && values.format === "text") io.stderr("\r\u001b[2K");
    print(report, values.format, "deploy", io);
    return report.summary.failed > 0 ? EXIT_FINDINGS : EXIT_OK;
  } catch (error) {
    if (error instanceof DeployRefusedError) {
      io.stderr(`flowops deploy: ${error.message}\nNothing was written.\n`);
      return error.reason === "mass-delete" ? EXIT_FINDINGS : EXIT_USAGE;
    }
    if (error instanceof KestraApiError) {
      io.stderr(`flowops ${mode.dryRun ? "plan" : "deploy"}: ${error.message}\n`);
      return EXIT_FINDINGS;
    }
    throw error;
  }
}

function print(report: DeployReport, format: string, mode: "plan" | "deploy", io: CommandIO): void {
  io.stdout(format === "json" ? formatReportJson(report) + "\n" : formatReportText(report, mode) + "\n");
}
