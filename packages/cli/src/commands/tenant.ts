import { parseArgs } from "node:util";
import { createInterface } from "node:readline/promises";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { readRepository } from "@flowops/render";
import { checkNewTenant, checkNewTenantCode, draftTenant, missingRequiredFields, setPath, tenantFileFor, type RequiredField } from "@flowops/import";
import { withUsage } from "../args.js";
import { EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "../io.js";
import { printProblems } from "../problems.js";
import { TENANT_USAGE as USAGE } from "../usage.js";

const HELP = `usage: ${USAGE}

Writes tenants/CODE.yaml in the style of the other tenant files, checks it against the tenant
schema, the platform's vars schema and every template, and prints the flows the tenant will get
per environment. --set takes a path in the tenant file and a YAML value (vars.warehouse=acme_dw,
timezone=Europe/Paris, vars.regions=[eu-west-1]). On a terminal, fields the platform requires and
the flags do not give are asked for; elsewhere they are reported and nothing is written.
--env defaults to every environment of the config; sources the other tenants name and --source
does not are written as false.

Exit codes: 0 written; 2 invalid or existing code, a missing or invalid field, nothing written.
`;

/** Asks one question and returns the answer; undefined when there is no terminal to ask on. */
export type Ask = (question: string) => Promise<string>;

/**
 * `flowops tenant add`: a new tenant file from flags or prompts, validated before it is written.
 * `ask` defaults to a terminal prompt when stdin and stdout are terminals.
 */
export async function tenantCommand(argv: string[], io: CommandIO, ask: Ask | undefined = io.isTTY && process.stdin.isTTY ? terminalAsk : undefined): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === "--help" || action === "-h" || rest.includes("--help") || rest.includes("-h")) {
    io.stdout(HELP);
    return action ? EXIT_OK : EXIT_USAGE;
  }
  if (action !== "add") throw new UsageError(`unknown tenant action "${action}"; expected add\n\nusage: ${USAGE}`);
  const { values, positionals } = withUsage(
    () =>
      parseArgs({
        args: rest,
        options: {
          cwd: { type: "string" },
          name: { type: "string" },
          source: { type: "string", multiple: true },
          env: { type: "string", multiple: true },
          set: { type: "string", multiple: true },
        },
        strict: true,
        allowPositionals: true,
      }),
    USAGE,
  );
  if (positionals.length !== 1) throw new UsageError(`name one tenant code\n\nusage: ${USAGE}`);
  const code = positionals[0]!;
  const repository = await readRepository({ cwd: resolve(io.cwd, values.cwd ?? ".") });
  if (repository.mode !== "multi-tenant") throw new UsageError(`${repository.root} has no ${repository.config.tenantsDir}/ folder: it is a plain Kestra repository, without tenants`);
  const refusal = checkNewTenantCode(repository, code);
  if (refusal) throw new UsageError(refusal);
  const known = repository.config.environments.map((e) => e.name);
  const unknownEnv = (values.env ?? []).find((e) => !known.includes(e));
  if (unknownEnv) throw new UsageError(`unknown environment "${unknownEnv}"; the repository defines: ${known.join(", ")}`);
  const { value, error } = draftTenant(repository, {
    code,
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.source ? { sources: values.source } : {}),
    ...(values.env ? { environments: values.env } : {}),
    ...(values.set ? { settings: values.set } : {}),
  });
  if (!value) throw new UsageError(error!);
  const missing = missingRequiredFields(repository, value);
  if (missing.length > 0 && ask) {
    await prompt(missing, value, io, ask);
  } else if (missing.length > 0) {
    for (const field of missing) io.stderr(`flowops tenant add: missing ${field.path}${field.description ? ` (${field.description})` : ""}${field.choices ? `; one of ${field.choices.map((c) => JSON.stringify(c)).join(", ")}` : ""}: pass --set ${field.path}=VALUE\n`);
    io.stderr(`flowops tenant add: ${missing.length} required field(s) missing; nothing was written\n`);
    return EXIT_USAGE;
  }
  const path = `${repository.config.tenantsDir}/${code}.yaml`;
  const text = tenantFileFor(value);
  const { problems, flows } = checkNewTenant(repository, path, text);
  if (problems.length > 0) {
    printProblems(problems, io.stderr);
    io.stderr(`flowops tenant add: ${path} would not be valid; nothing was written\n`);
    return EXIT_USAGE;
  }
  await writeFile(join(repository.root, path), text, { flag: "wx" });
  io.stdout(`Wrote ${path}\n`);
  for (const [env, list] of flows) {
    io.stdout(`${env}: ${list.length} flow(s)\n`);
    for (const flow of list) io.stdout(`  ${flow}\n`);
  }
  return EXIT_OK;
}

async function terminalAsk(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** Asks for each missing field, showing its description and choices; an answer is read as YAML. */
async function prompt(fields: readonly RequiredField[], value: Record<string, unknown>, io: CommandIO, ask: Ask): Promise<void> {
  for (const field of fields) {
    const hint = [field.description, field.choices ? `one of ${field.choices.map((c) => JSON.stringify(c)).join(", ")}` : field.type].filter(Boolean).join("; ");
    for (let attempt = 0; ; attempt++) {
      const answer = await ask(`${field.path}${hint ? ` (${hint})` : ""}: `);
      try {
        setPath(value, field.path.split("."), parseYaml(answer));
        break;
      } catch (error) {
        if (attempt >= 2) throw new UsageError(`${field.path}: not YAML: ${(error as Error).message.split("\n")[0]}`);
        io.stderr(`  not YAML: ${(error as Error).message.split("\n")[0]}\n`);
      }
    }
  }
}
