import { parseArgs } from "node:util";
import { FORMATTERS, formatLintResult, isLintFormat, lintExitCode, lintRepository } from "@flowops/lint";
import { renderTenants } from "@flowops/render";
import { repositoryFlags, withUsage } from "../args.js";
import { collectingGarbage } from "../heap.js";
import { UsageError, type CommandIO } from "../io.js";
import { loadSelection } from "../selection.js";
import { LINT_USAGE as USAGE } from "../usage.js";

/** `flowops lint`: every flow every tenant would get, offline; exit 1 on errors. */
export async function lintCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(() => parseArgs({ args: argv, options: { ...repositoryFlags, format: { type: "string", default: "text" } }, strict: true, allowPositionals: false }), USAGE);
  if (!isLintFormat(values.format)) throw new UsageError(`unknown format "${values.format}"; expected one of ${Object.keys(FORMATTERS).join(", ")}\n\nusage: ${USAGE}`);
  const selection = await loadSelection(values, io);
  // Tenant by tenant: memory follows one tenant's flows and the compact index, not every flow.
  const stream = renderTenants(selection.repository, selection.options);
  const result = lintRepository(selection.repository, { ...stream, tenants: collectingGarbage(stream.tenants) });
  io.stdout(formatLintResult(result, values.format));
  return lintExitCode(result);
}
