import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { CONFIG_FILE, defaultConfig, KESTRA_FLOW_SCHEMA_FILE, loadConfig, MAX_KESTRA_SCHEMA_BYTES } from "./config.js";
import { GitRepository, type GitTreeEntry } from "./git.js";
import { buildRepository, isRepositoryInput } from "./repository.js";
import type { FlowopsConfig, FlowRepository, RepositoryProblem } from "./types.js";
import { fileTooLarge, MAX_FILE_BYTES } from "./yaml-file.js";

/** The repository cannot be read at all (missing folder, unknown ref, not a Git repository). */
export class RepositoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RepositoryError";
  }
}

export interface ReadRepositoryOptions {
  /** The repository folder (or a folder inside a Git work tree, for `ref`). */
  cwd: string;
  /** A Git ref to read without checking it out; default: the working tree (uncommitted changes included). */
  ref?: string;
}

/** Reads config, templates and tenants from the working tree or from a Git ref. */
export async function readRepository(options: ReadRepositoryOptions): Promise<FlowRepository> {
  const root = resolve(options.cwd);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new RepositoryError(`${root} is not a folder; pass --cwd with the repository folder`);
  return options.ref === undefined ? readWorkingTree(root) : readGitRef(root, options.ref);
}


function linkSkipped(path: string): RepositoryProblem {
  return { code: "yaml-syntax", file: path, line: 1, column: 1, message: "symbolic links are not followed (they could point outside the repository); commit the file itself" };
}

async function readWorkingTree(root: string): Promise<FlowRepository> {
  const files = new Map<string, string>();
  const readProblems: RepositoryProblem[] = [];
  const readInput = async (path: string): Promise<void> => {
    const absolute = join(root, path);
    const info = await lstat(absolute).catch(() => undefined);
    if (!info) return;
    if (info.isSymbolicLink()) return void readProblems.push(linkSkipped(path));
    if (!info.isFile()) return;
    if (info.size > (path === KESTRA_FLOW_SCHEMA_FILE ? MAX_KESTRA_SCHEMA_BYTES : MAX_FILE_BYTES)) return void readProblems.push(fileTooLarge(path, info.size));
    files.set(path, await readFile(absolute, "utf8"));
  };
  await readInput(CONFIG_FILE);
  const config = configFor(files.get(CONFIG_FILE));
  if (config.tenantVarsSchema) await readInput(config.tenantVarsSchema);
  await readInput(KESTRA_FLOW_SCHEMA_FILE);
  for (const path of await listFiles(root, config.flowsDir, true, readProblems)) if (isRepositoryInput(path, config)) await readInput(path);
  const tenantsInfo = await lstat(join(root, config.tenantsDir)).catch(() => undefined);
  const hasTenantsFolder = Boolean(tenantsInfo?.isDirectory());
  if (hasTenantsFolder) for (const path of await listFiles(root, config.tenantsDir, false, readProblems)) if (isRepositoryInput(path, config)) await readInput(path);
  return buildRepository({ root, files, hasTenantsFolder, readProblems });
}

function configFor(text: string | undefined): FlowopsConfig {
  return text === undefined ? defaultConfig() : loadConfig(CONFIG_FILE, text).config;
}

async function listFiles(root: string, dir: string, recursive: boolean, problems: RepositoryProblem[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(join(root, relativeDir), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${relativeDir}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        if (/\.ya?ml$/.test(entry.name)) problems.push(linkSkipped(path));
      } else if (entry.isDirectory()) {
        if (recursive && !entry.name.startsWith(".")) await walk(path);
      } else if (entry.isFile()) out.push(path);
    }
  };
  await walk(dir);
  return out;
}

async function readGitRef(cwd: string, ref: string): Promise<FlowRepository> {
  const git = new GitRepository(cwd);
  let top: string;
  try {
    top = await git.topLevel();
  } catch (error) {
    throw new RepositoryError(`${cwd} is not inside a Git repository, so --ref ${ref} cannot be read`, { cause: error });
  }
  const prefix = relative(await realpath(top), await realpath(cwd)).split("\\").join("/");
  const commit = await git.resolveCommit(ref);
  if (!commit) throw new RepositoryError(`ref "${ref}" is not a commit in ${top}; check the branch, tag or sha (and fetch it first in CI: fetch-depth: 0)`);
  const atTop = new GitRepository(top);
  const entries: GitTreeEntry[] = [];
  for (const entry of await atTop.listTree(commit, prefix)) {
    const path = prefix === "" ? entry.path : entry.path.startsWith(prefix + "/") ? entry.path.slice(prefix.length + 1) : undefined;
    if (path !== undefined) entries.push({ ...entry, path });
  }
  const readProblems: RepositoryProblem[] = [];
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const configEntry = byPath.get(CONFIG_FILE);
  const files = new Map<string, string>();
  const readBlobs = async (shas: string[]): Promise<string[]> => {
    try {
      return await atTop.readBlobs(shas);
    } catch (error) {
      throw new RepositoryError((error as Error).message, { cause: error });
    }
  };
  if (configEntry && configEntry.type === "blob" && configEntry.size <= MAX_FILE_BYTES) {
    const [text] = await readBlobs([configEntry.sha]);
    files.set(CONFIG_FILE, text!);
  }
  const config = configFor(files.get(CONFIG_FILE));
  const wanted: GitTreeEntry[] = [];
  for (const entry of entries) {
    if (entry.path === CONFIG_FILE || !isRepositoryInput(entry.path, config)) continue;
    if (entry.mode === "120000") readProblems.push(linkSkipped(entry.path));
    else if (entry.type !== "blob") continue;
    else if (entry.size > (entry.path === KESTRA_FLOW_SCHEMA_FILE ? MAX_KESTRA_SCHEMA_BYTES : MAX_FILE_BYTES)) readProblems.push(fileTooLarge(entry.path, entry.size));
    else wanted.push(entry);
  }
  const texts = await readBlobs(wanted.map((e) => e.sha));
  wanted.forEach((entry, i) => files.set(entry.path, texts[i]!));
  const hasTenantsFolder = entries.some((e) => e.path.startsWith(config.tenantsDir + "/"));
  return buildRepository({ root: cwd, files, hasTenantsFolder, commit, readProblems });
}
