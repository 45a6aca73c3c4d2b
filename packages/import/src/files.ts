import { lstat, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { MAX_FILE_BYTES } from "@flowops/render";
import type { ImportProblem, SourceFile } from "./types.js";

/** More files than any Kestra instance's export: a guard against reading a whole disk by mistake. */
export const MAX_IMPORT_FILES = 200_000;
/** Most bytes one import reads (about ten times the rendered output of 200 tenants x 150 flows). */
export const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

/**
 * Reads every `*.yaml` / `*.yml` under `dir` (a Kestra export, or `flowops render --out` output:
 * pass `<out>/<env>`), in path order. Symbolic links are not followed; files over the size limit
 * are reported, not read.
 */
export async function readFlowFolder(
  dir: string,
  extensions: readonly string[] = [".yaml", ".yml"],
  relativeTo: string = process.cwd(),
  maxBytes: number = MAX_IMPORT_BYTES,
): Promise<{ files: SourceFile[]; problems: ImportProblem[] }> {
  const files: SourceFile[] = [];
  const problems: ImportProblem[] = [];
  const root = resolve(dir);
  const pending: { path: string; shown: string }[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const shown = (relative(relativeTo, path) || path).split(sep).join("/");
      if (entry.isSymbolicLink()) {
        problems.push({ file: shown, line: 1, column: 1, message: "symbolic link not followed; copy the file in" });
      } else if (entry.isDirectory()) {
        if (!entry.name.startsWith(".")) await walk(path);
      } else if (entry.isFile() && extensions.some((ext) => entry.name.endsWith(ext))) {
        if (pending.length >= MAX_IMPORT_FILES) throw new Error(`more than ${MAX_IMPORT_FILES} files under ${dir}; point at one environment's folder`);
        pending.push({ path, shown });
      }
    }
  };
  await walk(root);
  // Many small files: read a few at a time, keep the path order.
  const read: (SourceFile | undefined)[] = new Array(pending.length);
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < pending.length) {
      const i = next++;
      const { path, shown } = pending[i]!;
      const { size } = await lstat(path);
      if (size > MAX_FILE_BYTES) {
        problems.push({ file: shown, line: 1, column: 1, message: `file is ${size} bytes, over the ${MAX_FILE_BYTES}-byte limit for one file` });
        continue;
      }
      bytes += size;
      if (bytes > maxBytes) throw new Error(`the files under ${dir} pass ${maxBytes} bytes in all; point at one environment's folder`);
      read[i] = { file: shown, text: await readFile(path, "utf8") };
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  files.push(...read.filter((f): f is SourceFile => f !== undefined));
  return { files, problems };
}

/** True when `dir` does not exist or holds nothing: import writes only into a fresh folder. */
export async function isFreshFolder(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}

/** Writes repository-relative files under `out`; a path that would leave `out` is refused. */
export async function writeFiles(out: string, files: ReadonlyMap<string, string>): Promise<void> {
  const root = resolve(out);
  for (const [path, text] of files) {
    const target = resolve(root, path);
    if (!target.startsWith(root + sep)) throw new Error(`refusing to write ${path}: outside ${out}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}

/** A Terraform module folder: its `*.tf` files and the templates beside them, by module-relative path. */
export async function readTerraformFolder(dir: string): Promise<{ files: SourceFile[]; problems: ImportProblem[] }> {
  return readFlowFolder(dir, [".tf", ".tftpl", ".tpl", ".yaml", ".yml"], resolve(dir));
}
