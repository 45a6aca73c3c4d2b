import { parseArgs } from "node:util";
import { formatLintResult, lintExitCode, lintRepository } from "@flowops/lint";
import { renderProblems, renderSteps, type RenderPlacement } from "@flowops/render";
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
  // Render and lint stream tenant by tenant (memory bounded by a tenant, not the platform); the
  // summary is tallied from the renders as they pass.
  const stream = renderSteps(repository, selection.options);
  const summary = new TenantSummary(selection.envs);
  let problemCount = repository.problems.length + stream.problems.length;
  const lint = lintRepository(repository, {
    ...stream,
    steps: (function* () {
      for (const step of stream.steps) {
        if (step.kind === "render") summary.add(step.tenant, step.placements);
        else for (const { problems } of step.envs) problemCount += problems.length;
        yield step;
      }
    })(),
  });
  const elapsed = performance.now() - started;
  io.stdout(`flowops: ${repository.mode} repository at ${repository.root}\n`);
  io.stdout(`${repository.templates.length} templates, ${repository.tenants.length} tenants, environments: ${selection.envs.join(", ")}\n\n`);
  io.stdout(table(summary.rows(repository.mode === "plain" ? [null] : repository.tenants.map((t) => t.code))));
  io.stdout(`\nRendered ${summary.flows} flows and linted them in ${elapsed.toFixed(0)} ms.\n`);
  if (problemCount > 0 && summary.flows === 0) {
    // Nothing rendered: the problems are the whole story (in render's order).
    const problems = [...repository.problems, ...renderProblems(repository, selection.options)];
    printProblems(problems, io.stderr);
    io.stderr(`${problems.length} problem(s)\n`);
    return EXIT_USAGE;
  }
  io.stdout(`\nLint:\n`);
  io.stdout(formatLintResult(lint, "text"));
  await printImpactAgainstHead(repository.root, io);
  return lintExitCode(lint) !== EXIT_OK ? lintExitCode(lint) : problemCount > 0 ? EXIT_USAGE : EXIT_OK;
}

/** Per tenant: flows per environment, disabled flows and namespaces, of the deployable renders (duplicates left out). */
class TenantSummary {
  flows = 0;
  private readonly byTenant = new Map<string | null, { perEnv: Map<string, number>; disabled: number; namespaces: Set<string> }>();

  constructor(private readonly envs: readonly string[]) {}

  add(tenant: string | null, placements: readonly RenderPlacement[]): void {
    let entry = this.byTenant.get(tenant);
    if (!entry) this.byTenant.set(tenant, (entry = { perEnv: new Map(), disabled: 0, namespaces: new Set() }));
    for (const { flow, duplicate } of placements) {
      if (duplicate) continue;
      this.flows++;
      entry.perEnv.set(flow.env, (entry.perEnv.get(flow.env) ?? 0) + 1);
      if (flow.document.disabled === true) entry.disabled++;
      entry.namespaces.add(flow.namespace);
    }
  }

  rows(tenants: readonly (string | null)[]): string[][] {
    const rows: string[][] = [["tenant", ...this.envs.map((e) => `${e} flows`), "disabled", "namespaces"]];
    for (const tenant of tenants) {
      const entry = this.byTenant.get(tenant);
      rows.push([tenant ?? "(plain)", ...this.envs.map((env) => String(entry?.perEnv.get(env) ?? 0)), String(entry?.disabled ?? 0), [...(entry?.namespaces ?? [])].sort().join(" ")]);
    }
    return rows;
  }
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
