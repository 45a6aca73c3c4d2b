import { parseArgs } from "node:util";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { render, type RenderedFlow } from "@flowops/render";
import { withUsage, repositoryFlags } from "../args.js";
import { EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "../io.js";
import { printProblems } from "../problems.js";
import { loadSelection } from "../selection.js";

export const USAGE = "flowops render [--cwd DIR] [--ref REF] [--env ENV] [--tenant CODE]... --out DIR";

/** `flowops render`: writes DIR/<env>/<namespace>/<id>.yaml, exactly what would be deployed; all or nothing. */
export async function renderCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(() => parseArgs({ args: argv, options: { ...repositoryFlags, out: { type: "string" } }, strict: true, allowPositionals: false }), USAGE);
  if (!values.out) throw new UsageError(`--out is required\n\nusage: ${USAGE}`);
  const selection = await loadSelection(values, io);
  const result = render(selection.repository, selection.options);
  const problems = [...selection.repository.problems, ...result.problems];
  if (problems.length > 0) {
    printProblems(problems, io.stderr);
    io.stderr(`flowops render: ${problems.length} problem(s); nothing was written\n`);
    return EXIT_USAGE;
  }
  const out = resolve(io.cwd, values.out);
  await writeRendered(out, result.flows, selection.envs);
  const tenants = new Set(result.flows.map((f) => f.tenant)).size;
  io.stdout(`Rendered ${result.flows.length} flows for ${tenants} tenant(s) in ${selection.envs.length} environment(s) to ${out}\n`);
  return EXIT_OK;
}

/** Writes into a staging folder first, then swaps each environment's folder in: no half-written output. */
export async function writeRendered(out: string, flows: readonly RenderedFlow[], envs: readonly string[]): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  await mkdir(out, { recursive: true });
  const staging = await mkdtemp(join(out, ".flowops-staging-"));
  try {
    for (const flow of flows) {
      const path = resolve(staging, flow.env, flow.namespace, `${flow.id}.yaml`);
      // Names were checked against Kestra's patterns when rendered; this is the last line of defence.
      if (!path.startsWith(staging + sep)) throw new UsageError(`refusing to write ${path}: outside ${out}`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, flow.source);
    }
    for (const env of envs) {
      await rm(join(out, env), { recursive: true, force: true });
      await mkdir(join(staging, env), { recursive: true });
      await rename(join(staging, env), join(out, env));
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
