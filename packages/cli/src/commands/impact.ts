import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { formatImpactJson, formatImpactMarkdown, formatImpactText, ImpactError, impactOfRefs } from "@flowops/tenant-diff";
import { withUsage } from "../args.js";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "../io.js";
import { IMPACT_USAGE as USAGE } from "../usage.js";

/** `flowops impact`: per tenant, which deployed flows a change touches, why, and what it reaches downstream. */
export async function impactCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(
    () =>
      parseArgs({
        args: argv,
        options: { base: { type: "string" }, head: { type: "string" }, cwd: { type: "string" }, env: { type: "string" }, format: { type: "string", default: "text" } },
        strict: true,
        allowPositionals: false,
      }),
    USAGE,
  );
  if (!values.base) throw new UsageError(`--base is required\n\nusage: ${USAGE}`);
  if (!["text", "json", "markdown"].includes(values.format)) throw new UsageError(`unknown format "${values.format}"; expected text, json or markdown\n\nusage: ${USAGE}`);
  const cwd = resolve(io.cwd, values.cwd ?? ".");
  try {
    const envs = values.env && values.env !== "all" ? [values.env] : undefined;
    const { report, headRepo } = await impactOfRefs({ cwd, base: values.base, ...(values.head ? { head: values.head } : {}), ...(envs ? { envs } : {}) });
    if (values.env && values.env !== "all" && !headRepo.config.environments.some((e) => e.name === values.env)) {
      throw new UsageError(`unknown environment "${values.env}"; the repository defines: ${headRepo.config.environments.map((e) => e.name).join(", ")}`);
    }
    const output =
      values.format === "json"
        ? formatImpactJson(report)
        : values.format === "markdown"
          ? formatImpactMarkdown(report, { fullReportCommand: `npx flowops impact --base ${values.base}${values.head ? ` --head ${values.head}` : ""}` })
          : formatImpactText(report);
    io.stdout(output.endsWith("\n") ? output : output + "\n");
    if (report.problems.length > 0) {
      // The report stands (a PR that repairs a broken flow must be reviewable), but it is not clean.
      io.stderr(`flowops impact: ${report.problems.length} render problem(s) (${[...new Set(report.problems.map((p) => p.side))].join(" and ")}); the report shows what could be rendered\n`);
      return EXIT_FINDINGS;
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof ImpactError) {
      io.stderr(`flowops impact: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
