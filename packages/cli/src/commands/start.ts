import { parseArgs } from "node:util";
import { formatLintResult, lintExitCode, lintRepository } from "@flowops/lint";
import { render } from "@flowops/render";
import { formatImpactText, ImpactError, impactOfRefs } from "@flowops/tenant-diff";
import { withUsage } from "../args.js";
import { EXIT_OK, EXIT_USAGE, type CommandIO } from "../io.js";
import { printProblems } from "../problems.js";
import { loadSelection } from "../selection.js";
import { START_USAGE as USAGE } from "../usage.js";

/** The main job on a platform: render every tenant for every environment, lint, summarise per tenant. */
export async function startCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(() => parseArgs({ args: argv, options: { cwd: { type: "string" } }, strict: true, allowPositionals: false }), USAGE);
  const selection = await loadSelection(values, io);
  const { repository } = selection;
  const started = performance.now();
  const result = render(repository, selection.options);
  const elapsed = performance.now() - started;
  const problems = [...repository.problems, ...result.problems];
  io.stdout(`flowops: ${repository.mode} repository at ${repository.root}\n`);
  io.stdout(`${repository.templates.length} templates, ${repository.tenants.length} tenants, environments: ${selection.envs.join(", ")}\n\n`);
  const rows: string[][] = [["tenant", ...selection.envs.map((e) => `${e} flows`), "disabled", "namespaces"]];
  const tenants = repository.mode === "plain" ? [null] : repository.tenants.map((t) => t.code);
  for (const tenant of tenants) {
    const mine = result.flows.filter((f) => f.tenant === tenant);
    rows.push([
      tenant ?? "(plain)",
      ...selection.envs.map((env) => String(mine.filter((f) => f.env === env).length)),
      String(mine.filter((f) => f.document.disabled === true).length),
      [...new Set(mine.map((f) => f.namespace))].sort().join(" "),
    ]);
  }
  io.stdout(table(rows));
  io.stdout(`\nRendered ${result.flows.length} flows in ${elapsed.toFixed(0)} ms.\n`);
  if (problems.length > 0 && result.flows.length === 0) {
    printProblems(problems, io.stderr);
    io.stderr(`${problems.length} problem(s)\n`);
    return EXIT_USAGE;
  }
  const lintStarted = performance.now();
  const lint = lintRepository(repository, result);
  io.stdout(`\nLint (${(performance.now() - lintStarted).toFixed(0)} ms):\n`);
  io.stdout(formatLintResult(lint, "text"));
  await printImpactAgainstHead(repository.root, io);
  return lintExitCode(lint) !== EXIT_OK ? lintExitCode(lint) : problems.length > 0 ? EXIT_USAGE : EXIT_OK;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd() + "\n").join("");
}

/** The impact of the working tree against HEAD, or why there is none to show. */
async function printImpactAgainstHead(cwd: string, io: CommandIO): Promise<void> {
  io.stdout("\nImpact of the working tree against HEAD:\n");
  try {
    const { report } = await impactOfRefs({ cwd, base: "HEAD" });
    io.stdout(formatImpactText(report));
  } catch (error) {
    if (!(error instanceof ImpactError)) throw error;
    io.stdout(`none to show (${error.message})\n`);
  }
}
