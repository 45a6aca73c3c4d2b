// Reading the real-flows corpus and Kestra's fixtures (from ../shared) as plain Kestra repositories.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { buildRepository, render } from "@flowops/render";
import { lintRepository, type Diagnostic } from "@flowops/lint";

/** Every `.yml`/`.yaml` file under `dir`, recursively, in sorted order. */
export function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(entry)) out.push(path);
  }
  return out;
}

/** Lints files as one plain Kestra repository, each under `flows/` with its relative path. */
export function lintPlain(base: string, paths: readonly string[]): Diagnostic[] {
  const files = new Map(paths.map((path) => [`flows/${relative(base, path).replace(/[^A-Za-z0-9/._-]/g, "_")}`, readFileSync(path, "utf8")]));
  const repository = buildRepository({ root: base, files, hasTenantsFolder: false });
  return lintRepository(repository, render(repository)).diagnostics;
}
