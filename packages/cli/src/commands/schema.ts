import { parseArgs } from "node:util";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { exportSchemas } from "@flowops/schemas";
import { KESTRA_FLOW_SCHEMA_FILE } from "@flowops/render";
import { withUsage } from "../args.js";
import { kestraClientFor, reportKestraApiError } from "../kestra-connection.js";
import { EXIT_OK, UsageError, type CommandIO } from "../io.js";
import { SCHEMA_USAGE as USAGE } from "../usage.js";

/** `flowops schema export`: JSON Schemas for editors (yaml-language-server). */
export async function schemaCommand(argv: string[], io: CommandIO): Promise<number> {
  const [action, ...rest] = argv;
  if (action === "pull") return pullSchema(rest, io);
  if (action !== "export") throw new UsageError(`unknown schema action "${action ?? ""}"\n\nusage: ${USAGE}`);
  const { values } = withUsage(() => parseArgs({ args: rest, options: { out: { type: "string" } }, strict: true, allowPositionals: false }), USAGE);
  if (!values.out) throw new UsageError(`--out is required\n\nusage: ${USAGE}`);
  const out = resolve(io.cwd, values.out);
  await mkdir(out, { recursive: true });
  const files = exportSchemas();
  for (const [name, text] of Object.entries(files)) await writeFile(join(out, name), text);
  io.stdout(`Wrote ${Object.keys(files).length} schemas to ${out}: ${Object.keys(files).join(", ")}\n`);
  return EXIT_OK;
}

/**
 * `flowops schema pull`: saves the flow schema a Kestra server publishes (its plugins included) to
 * `.flowops/kestra-flow-schema.json`; commit it, and lint checks plugin properties offline.
 */
async function pullSchema(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(() => parseArgs({ args: argv, options: { "kestra-url": { type: "string" }, cwd: { type: "string" } }, strict: true, allowPositionals: false }), USAGE);
  if (!values["kestra-url"]) throw new UsageError(`--kestra-url is required\n\nusage: ${USAGE}`);
  const client = kestraClientFor({ name: "schema-pull", kestra: { usernameEnv: "KESTRA_USERNAME", passwordEnv: "KESTRA_PASSWORD", tokenEnv: "KESTRA_TOKEN" } }, values["kestra-url"], io, { retryProgress: true });
  try {
    const schema = await client.getFlowSchema();
    const file = resolve(io.cwd, values.cwd ?? ".", KESTRA_FLOW_SCHEMA_FILE);
    await mkdir(join(file, ".."), { recursive: true });
    await writeFile(file, JSON.stringify(schema, null, 2) + "\n");
    const definitions = Object.keys((schema.definitions as object | undefined) ?? {}).length;
    io.stdout(`Saved the flow schema of ${client.url} (${definitions} definitions) to ${file}\n`);
    return EXIT_OK;
  } catch (error) {
    const exitCode = reportKestraApiError(error, "schema pull", io);
    if (exitCode !== undefined) return exitCode;
    throw error;
  }
}
