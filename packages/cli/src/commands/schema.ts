import { parseArgs } from "node:util";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { exportSchemas } from "@flowops/schemas";
import { withUsage } from "../args.js";
import { EXIT_OK, UsageError, type CommandIO } from "../io.js";

const USAGE = "flowops schema export --out DIR";

/** `flowops schema export`: JSON Schemas for editors (yaml-language-server). */
export async function schemaCommand(argv: string[], io: CommandIO): Promise<number> {
  const [action, ...rest] = argv;
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
