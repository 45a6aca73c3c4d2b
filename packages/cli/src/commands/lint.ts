import { parseArgs } from "node:util";
import { FORMATTERS, formatLintResult, isLintFormat, lintExitCode, lintRepository } from "@flowops/lint";
import { renderSteps } from "@flowops/render";
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
  // Render by render: memory follows one flow and the compact index, and each render dies young.
  const stream = renderSteps(selection.repository, selection.options);
  const result = lintRepository(selection.repository, { ...stream, steps: collectingGarbage(stream.steps, undefined, (step) => step.kind === "tenant") });
  io.stdout(formatLintResult(result, values.format));
  return lintExitCode(result);
}
