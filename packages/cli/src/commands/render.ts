import { parseArgs } from "node:util";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, rmdir } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { renderProblems, renderTenants, type RenderedFlow } from "@flowops/render";
import { withUsage, repositoryFlags } from "../args.js";
import { collectingGarbage } from "../heap.js";
import { EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "../io.js";
import { printProblems } from "../problems.js";
import { loadSelection } from "../selection.js";
import { RENDER_USAGE as USAGE } from "../usage.js";

/**
 * `flowops render`: writes DIR/<env>/<namespace>/<id>.yaml, exactly what would be deployed; all or
 * nothing. Tenant by tenant into a staging folder, swapped in at the end; on any problem the
 * staging folder is dropped and nothing is written.
 */
export async function renderCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(() => parseArgs({ args: argv, options: { ...repositoryFlags, out: { type: "string" } }, strict: true, allowPositionals: false }), USAGE);
  if (!values.out) throw new UsageError(`--out is required\n\nusage: ${USAGE}`);
  const selection = await loadSelection(values, io);
  const out = resolve(io.cwd, values.out);
  const { repository } = selection;
  let written: { flows: number; tenants: number } | undefined;
  if (repository.problems.length === 0) {
    const stream = renderTenants(repository, selection.options);
    if (stream.problems.length === 0) written = await writeStream(out, collectingGarbage(stream.tenants), selection.envs);
  }
  if (!written) {
    // Every problem, in the collecting render's order, without holding the platform's flows.
    const problems = [...repository.problems, ...renderProblems(repository, selection.options)];
    printProblems(problems, io.stderr);
    io.stderr(`flowops render: ${problems.length} problem(s); nothing was written\n`);
    return EXIT_USAGE;
  }
  io.stdout(`Rendered ${written.flows} flows for ${written.tenants} tenant(s) in ${selection.envs.length} environment(s) to ${out}\n`);
  return EXIT_OK;
}

/**
 * Writes each tenant's flows as it is rendered, into a staging folder; undefined (and the staging
 * folder dropped) at the first render problem.
 */
async function writeStream(out: string, tenants: Iterable<{ tenant: string | null; envs: { flows: RenderedFlow[]; problems: unknown[] }[] }>, envs: readonly string[]): Promise<{ flows: number; tenants: number } | undefined> {
  const staged = await StagedOutput.open(out);
  try {
    let flows = 0;
    const tenantsWritten = new Set<string | null>();
    for (const tenant of tenants) {
      if (tenant.envs.some((env) => env.problems.length > 0)) return undefined;
      for (const env of tenant.envs) {
        for (const flow of env.flows) staged.write(flow);
        flows += env.flows.length;
        if (env.flows.length > 0) tenantsWritten.add(tenant.tenant);
      }
    }
    await staged.swapIn(envs);
    return { flows, tenants: tenantsWritten.size };
  } finally {
    await staged.drop();
  }
}

/** Writes into a staging folder first, then swaps each environment's folder in: no half-written output. */
export async function writeRendered(out: string, flows: readonly RenderedFlow[], envs: readonly string[]): Promise<void> {
  const staged = await StagedOutput.open(out);
  try {
    for (const flow of flows) staged.write(flow);
    await staged.swapIn(envs);
  } finally {
    await staged.drop();
  }
}

/** A staging folder inside DIR: flows are written there, then each environment's folder is swapped in. */
class StagedOutput {
  private swapped = false;
  /** The folders of the staging tree made so far: each is made once, not once per flow. */
  private readonly folders = new Set<string>();

  private constructor(
    private readonly out: string,
    private readonly staging: string,
    /** The first folder of DIR's path this run created, if any: removed again when nothing is swapped in. */
    private readonly created: string | undefined,
  ) {}

  static async open(out: string): Promise<StagedOutput> {
    const created = await mkdir(out, { recursive: true });
    return new StagedOutput(out, await mkdtemp(join(out, ".flowops-staging-")), created);
  }

  /**
   * Writes one flow into the staging folder. Synchronous on purpose: tens of thousands of small
   * files cost a thread-pool round trip (and a promise) per open, write and close otherwise. The
   * staging folder is this run's own (mkdtemp, mode 0700), so a folder made once stays made.
   */
  write(flow: RenderedFlow): void {
    const path = resolve(this.staging, flow.env, flow.namespace, `${flow.id}.yaml`);
    // Names were checked against Kestra's patterns when rendered; this is the last line of defence.
    if (!path.startsWith(this.staging + sep)) throw new UsageError(`refusing to write ${path}: outside ${this.out}`);
    const folder = dirname(path);
    if (!this.folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.folders.add(folder);
    }
    writeFileSync(path, flow.source);
  }

  async swapIn(envs: readonly string[]): Promise<void> {
    this.swapped = true;
    for (const env of envs) {
      rmSync(join(this.out, env), { recursive: true, force: true });
      await mkdir(join(this.staging, env), { recursive: true });
      await rename(join(this.staging, env), join(this.out, env));
    }
  }

  async drop(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
    if (this.swapped || this.created === undefined) return;
    // Only the (now empty) folders this run made, innermost first.
    for (let folder = this.out; folder.length >= this.created.length; folder = dirname(folder)) {
      try {
        await rmdir(folder);
      } catch {
        return;
      }
    }
  }
}
