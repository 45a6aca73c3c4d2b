import { readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * Finding the flows of a plain Kestra repository (no `flowops.config.yaml`, no tenants folder),
 * which keeps them wherever it likes: `_flows/`, `kestra/`, next to the code. A flow file is a
 * YAML file with `id`, `namespace` and `tasks` at its root; dependencies (`node_modules`), Git's
 * own folder and dot-folders (`.github`, `.flowops`) are never searched.
 */

const YAML_FILE = /\.ya?ml$/;
/** Most files a discovery walk lists: a repository is not a file system to crawl without end. */
export const MAX_DISCOVERED_ENTRIES = 100_000;

/** Whether a repository path may hold a flow: a YAML file outside node_modules and dot-folders. */
export function isDiscoverablePath(path: string): boolean {
  if (!YAML_FILE.test(path)) return false;
  return path.split("/").every((segment) => segment !== "node_modules" && !segment.startsWith("."));
}

/**
 * A quick look at a file's text: `id:`, `namespace:` and `tasks:` as top-level keys, as a Kestra
 * flow has them. The parse that follows confirms it (and reports the file's problems if it does not
 * parse: a flow with a syntax error is still a flow to lint).
 */
export function looksLikeFlow(text: string): boolean {
  return topLevelKey(text, "id") && topLevelKey(text, "namespace") && topLevelKey(text, "tasks");
}

function topLevelKey(text: string, key: string): boolean {
  return new RegExp(`^["']?${key}["']?[ \\t]*:`, "m").test(text);
}

/**
 * The discoverable YAML files of a working tree (repository-relative, sorted), never following a
 * symbolic link and never entering node_modules or a dot-folder.
 */
export async function discoverableFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  let listed = 0;
  const walk = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(relativeDir === "" ? root : join(root, relativeDir), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (++listed > MAX_DISCOVERED_ENTRIES) return;
      if (entry.name.startsWith(".") || entry.name === "node_modules" || entry.isSymbolicLink()) continue;
      const path = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && isDiscoverablePath(path)) found.push(path);
    }
  };
  await walk("");
  return found;
}
