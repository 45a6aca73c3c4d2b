import { parseArgs } from "node:util";
import { collectStatus, formatStatusJson, formatStatusMarkdown, formatStatusText, parseSince } from "@flowops/status";
import { withUsage } from "../args.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CommandIO } from "../io.js";
import { kestraClientFor, reportKestraApiError } from "../kestra-connection.js";
import { loadSelection } from "../selection.js";
import { STATUS_USAGE } from "../usage.js";

const FORMATS = ["text", "json", "markdown"];

/**
 * `flowops status`: per tenant, sync with Git (missing, drifted, unmanaged flows) and the health
 * of the executions started in the window. Exit 1 when a tenant is out of sync (or its sync is
 * unknown) or an execution failed in the window.
 */
export async function statusCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(
    () =>
      parseArgs({
        args: argv,
        options: {
          cwd: { type: "string" },
          ref: { type: "string" },
          env: { type: "string" },
          tenant: { type: "string", multiple: true },
          "kestra-url": { type: "string" },
          since: { type: "string", default: "24h" },
          format: { type: "string", default: "text" },
        },
        strict: true,
        allowPositionals: false,
      }),
    STATUS_USAGE,
  );
  if (!FORMATS.includes(values.format)) throw new UsageError(`unknown format "${values.format}"; expected text, json or markdown\n\nusage: ${STATUS_USAGE}`);
  const sinceMs = parseSince(values.since);
  if (sinceMs === undefined) throw new UsageError(`--since ${JSON.stringify(values.since)}: expected a whole number of minutes, hours or days up to 90 days, e.g. 90m, 24h or 7d\n\nusage: ${STATUS_USAGE}`);
  const { repository, envs } = await loadSelection(values, io);
  const env = envs[0]!;
  const configured = repository.config.environments.find((e) => e.name === env)!;
  // In GitHub Actions the workflow's environment is the operator's side (DESIGN.md, "The trust
  // boundary"): KESTRA_URL and KESTRA_USERNAME + KESTRA_PASSWORD or KESTRA_TOKEN, never a host or
  // variable names that the repository gives.
  const operatorSide = io.env.GITHUB_ACTIONS === "true";
  const environment = operatorSide ? { name: env, kestra: { ...(io.env.KESTRA_URL ? { url: io.env.KESTRA_URL } : {}), ...(configured.kestra.tenant ? { tenant: configured.kestra.tenant } : {}) } } : configured;
  const client = kestraClientFor(environment, values["kestra-url"], io);
  try {
    const result = await collectStatus({ repository, env, client, sinceMs, daily: values.format === "markdown", ...(values.tenant ? { tenants: values.tenant } : {}) });
    if (values.format === "json") {
      io.stdout(formatStatusJson(result.report) + "\n");
      for (const note of result.notes) io.stderr(`flowops status: ${note}\n`);
    }
    else if (values.format === "markdown") io.stdout(formatStatusMarkdown(result));
    else io.stdout(formatStatusText(result, { colour: io.isTTY && !io.env.NO_COLOR }));
    const unhealthy = result.report.tenants.some((t) => t.sync !== "synced") || result.report.summary.failures > 0;
    return unhealthy ? EXIT_FINDINGS : EXIT_OK;
  } catch (error) {
    const exitCode = reportKestraApiError(error, "status", io);
    if (exitCode !== undefined) return exitCode;
    throw error;
  }
}
