import { parseArgs } from "node:util";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { KestraApiError } from "@flowops/kestra";
import {
  importFlows,
  importTerraform,
  isFreshFolder,
  readFlowFolder,
  readTerraformFolder,
  reportMarkdown,
  writeFiles,
  type ImportProblem,
  type ImportResult,
  type SourceFile,
} from "@flowops/import";
import { withUsage } from "../args.js";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "../io.js";
import { kestraClientFor } from "../kestra-connection.js";
import { IMPORT_FLOWS_USAGE as FLOWS_USAGE, IMPORT_TERRAFORM_USAGE as TERRAFORM_USAGE } from "../usage.js";

const USAGE = `${FLOWS_USAGE}
       ${TERRAFORM_USAGE}`;
const HELP = `usage: ${USAGE}

Turns an existing set-up into a flowops repository (flows/, tenants/, flowops.config.yaml and
import-report.md) in a new folder, then renders it back and compares every flow with its original.

  flows       per-tenant Kestra flows: a folder (Kestra's export, or \`flowops render --out DIR\`:
              pass DIR and --env, or DIR/<env>), or every flow of a live Kestra (--kestra-url, with
              KESTRA_USERNAME + KESTRA_PASSWORD or KESTRA_TOKEN). The tenant is read from each
              namespace (--namespace-pattern, default \${tenant.code}.\${flow.folder}).
  terraform   kestra_flow resources whose content is templatefile("....yaml.tftpl", {...}).

Exit codes: 0 every flow rendered back equal; 1 some flows kept as tenant-only templates that still
differ (see the report); 2 usage or input errors (file:line:column), nothing written.
`;

/** `flowops import flows|terraform`: reads, calls @flowops/import, writes a fresh folder. */
export async function importCommand(argv: string[], io: CommandIO): Promise<number> {
  const [kind, ...rest] = argv;
  if (!kind || kind === "--help" || kind === "-h") {
    io.stdout(HELP);
    return kind ? EXIT_OK : EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(`usage: ${kind === "terraform" ? TERRAFORM_USAGE : FLOWS_USAGE}\n`);
    return EXIT_OK;
  }
  if (kind === "flows") return importFlowsCommand(rest, io);
  if (kind === "terraform") return importTerraformCommand(rest, io);
  throw new UsageError(`unknown import source "${kind}"; expected flows or terraform\n\nusage: ${USAGE}`);
}

async function importFlowsCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(
    () =>
      parseArgs({
        args: argv,
        options: {
          from: { type: "string" },
          "kestra-url": { type: "string" },
          env: { type: "string" },
          out: { type: "string" },
          "namespace-pattern": { type: "string" },
          format: { type: "string", default: "text" },
        },
        strict: true,
        allowPositionals: false,
      }),
    FLOWS_USAGE,
  );
  if (!values.out) throw new UsageError(`--out is required\n\nusage: ${FLOWS_USAGE}`);
  if (Boolean(values.from) === Boolean(values["kestra-url"])) throw new UsageError(`pass one of --from DIR or --kestra-url URL\n\nusage: ${FLOWS_USAGE}`);
  checkFormat(values.format, FLOWS_USAGE);
  const out = await freshOut(io, values.out);
  let sources: SourceFile[];
  let env = values.env;
  let source: string;
  if (values.from) {
    const from = resolve(io.cwd, values.from);
    const folder = await flowFolder(from, env);
    env = folder.env ?? env ?? "default";
    source = values.from;
    const read = await readFlowFolder(folder.dir, undefined, io.cwd);
    if (read.problems.length > 0) return printInputProblems(read.problems, io);
    sources = read.files;
  } else {
    env ??= "default";
    source = values["kestra-url"]!;
    sources = await readKestra(values["kestra-url"]!, env, io);
  }
  const { result, problems } = importFlows(sources, {
    env,
    source,
    ...(values["kestra-url"] ? { kestraUrl: values["kestra-url"] } : {}),
    ...(values["namespace-pattern"] ? { namespacePattern: values["namespace-pattern"] } : {}),
  });
  if (!result) return printInputProblems(problems, io);
  return finish(result, out, values.format!, io);
}

async function importTerraformCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = withUsage(
    () => parseArgs({ args: argv, options: { out: { type: "string" }, env: { type: "string" }, format: { type: "string", default: "text" } }, strict: true, allowPositionals: true }),
    TERRAFORM_USAGE,
  );
  if (positionals.length !== 1) throw new UsageError(`name one Terraform folder\n\nusage: ${TERRAFORM_USAGE}`);
  if (!values.out) throw new UsageError(`--out is required\n\nusage: ${TERRAFORM_USAGE}`);
  checkFormat(values.format, TERRAFORM_USAGE);
  const out = await freshOut(io, values.out);
  const dir = resolve(io.cwd, positionals[0]!);
  if (!(await isFolder(dir))) throw new UsageError(`${positionals[0]}: not a readable folder`);
  const read = await readTerraformFolder(dir);
  // Problems name module-relative files; show them under the folder the user named.
  const shown = (problems: readonly ImportProblem[]) => problems.map((p) => ({ ...p, file: join(positionals[0]!, p.file) }));
  read.problems = shown(read.problems);
  if (read.problems.length > 0) return printInputProblems(read.problems, io);
  const { result, problems } = await importTerraform(read.files, { env: values.env ?? "default", source: positionals[0]! });
  if (!result) return printInputProblems(shown(problems), io);
  return finish(result, out, values.format!, io);
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

function checkFormat(format: string | undefined, usage: string): void {
  if (format !== "text" && format !== "json") throw new UsageError(`unknown format "${format}"; expected text or json\n\nusage: ${usage}`);
}

async function freshOut(io: CommandIO, out: string): Promise<string> {
  const path = resolve(io.cwd, out);
  if (!(await isFreshFolder(path))) throw new UsageError(`--out ${out} is not empty; import writes a new repository into an empty or new folder`);
  return path;
}

/**
 * The folder of one environment's flows: `flowops render --out DIR` writes `DIR/<env>/<namespace>/`;
 * a folder of namespaces or of exported files is read as it is.
 */
async function flowFolder(from: string, env: string | undefined): Promise<{ dir: string; env?: string }> {
  let entries;
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch {
    throw new UsageError(`--from ${from}: not a readable folder`);
  }
  if (env && entries.some((e) => e.isDirectory() && e.name === env)) return { dir: join(from, env), env };
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith("."));
  const looksRendered = folders.length > 0 && !entries.some((e) => e.isFile() && /\.ya?ml$/.test(e.name)) && folders.every((e) => !e.name.includes("."));
  if (!looksRendered) return { dir: from };
  const names = folders.map((e) => e.name).sort();
  for (const name of names) {
    const inner = await readdir(join(from, name), { withFileTypes: true });
    if (inner.some((e) => e.isFile())) return { dir: from };
  }
  if (names.length === 1) return { dir: join(from, names[0]!), env: names[0]! };
  throw new UsageError(`--from ${from} holds the environments ${names.join(", ")} (as \`flowops render --out\` writes them); choose one with --env`);
}

async function readKestra(url: string, env: string, io: CommandIO): Promise<SourceFile[]> {
  const client = kestraClientFor({ name: env, kestra: { usernameEnv: "KESTRA_USERNAME", passwordEnv: "KESTRA_PASSWORD", tokenEnv: "KESTRA_TOKEN" } }, url, io);
  try {
    const flows = await client.listFlows({});
    const sources = await client.getFlowSources(flows);
    return [...sources].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, text]) => ({ file: `${url.replace(/\/$/, "")}/${key}`, text }));
  } catch (error) {
    if (error instanceof KestraApiError) throw new UsageError(`reading flows from Kestra failed: ${error.message}`);
    throw error;
  }
}

function printInputProblems(problems: readonly ImportProblem[], io: CommandIO): number {
  for (const p of problems) io.stderr(`${p.file}:${p.line}:${p.column}: error ${p.message}\n`);
  io.stderr(`flowops import: ${problems.length} problem(s) in the input; nothing was written\n`);
  return EXIT_USAGE;
}

async function finish(result: ImportResult, out: string, format: string, io: CommandIO): Promise<number> {
  const files = new Map(result.files);
  files.set("import-report.md", reportMarkdown(result.report));
  await writeFiles(out, files);
  const { report } = result;
  const allBack = report.verification.equal === report.verification.flows;
  if (format === "json") {
    io.stdout(`${JSON.stringify({ out, ...report }, null, 2)}\n`);
  } else {
    io.stdout(
      `Imported ${report.verification.flows} flows of ${report.tenants.length} tenant(s) into ${report.templates.length} template(s)` +
        `${report.tenantOnly.length ? ` and ${report.tenantOnly.length} tenant-only template(s)` : ""} in ${out}\n` +
        `Round trip: ${report.verification.equal} of ${report.verification.flows} flows render back equal${allBack ? "" : " (see import-report.md)"}\n`,
    );
    for (const note of report.notes) io.stdout(`  note: ${note}\n`);
  }
  return allBack ? EXIT_OK : EXIT_FINDINGS;
}
