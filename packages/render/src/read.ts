import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { CONFIG_FILE, defaultConfig, KESTRA_FLOW_SCHEMA_FILE, loadConfig, MAX_KESTRA_SCHEMA_BYTES, unsafePathMessage, type ConfigPath, type ConfigPathKey, type LoadedConfig } from "./config.js";
import { GitRepository, type GitTreeEntry } from "./git.js";
import { discoverableFiles, isDiscoverablePath, looksLikeFlow } from "./discover.js";
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
  /** Caps on what one read may take in; default {@link DEFAULT_READ_LIMITS}. */
  limits?: Partial<ReadLimits>;
}

/** How much one repository read may take in: past either cap the repository is refused. */
export interface ReadLimits {
  /** Files (and, in the working tree, folders) looked at under the flows and tenants folders. */
  maxFiles: number;
  /** Bytes of input files read in total. */
  maxBytes: number;
}

export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({ maxFiles: 20_000, maxBytes: 256 * 1024 * 1024 });

/**
 * Reads config, templates and tenants from the working tree or from a Git ref. The repository is
 * the only file system: a config path that leaves it, a symbolic link on the way to the config,
 * a configured file or a top-level folder, or a read past the limits refuses the repository
 * (RepositoryError) before anything outside it is opened. Links inside the folders are skipped
 * and reported.
 */
export async function readRepository(options: ReadRepositoryOptions): Promise<FlowRepository> {
  const root = resolve(options.cwd);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new RepositoryError(`${root} is not a folder; pass --cwd with the repository folder`);
  const limits: ReadLimits = { ...DEFAULT_READ_LIMITS, ...options.limits };
  return options.ref === undefined ? readWorkingTree(root, limits) : readGitRef(root, options.ref, limits);
}


function linkSkipped(path: string): RepositoryProblem {
  return { code: "yaml-syntax", file: path, line: 1, column: 1, message: "symbolic links are not followed (they could point outside the repository); commit the file itself" };
}

/** The paths a repository read opens by name (not by walking), with how to name them in a refusal. */
interface NamedInput {
  path: string;
  /** What the refusal calls it: `flowops.config.yaml:3:8: tenantVarsSchema`, or the fixed path. */
  origin: string;
}

/** The config file, then every path the config names or defaults to: none may be or pass through a link. */
function namedInputs(config: FlowopsConfig, paths: readonly ConfigPath[]): NamedInput[] {
  const origin = (key: ConfigPathKey, fallback: string): string => {
    const entry = paths.find((p) => p.key === key);
    return entry ? `${entry.file}:${entry.line}:${entry.column}: ${key}` : fallback;
  };
  return [
    { path: config.flowsDir, origin: origin("flows", `the flows folder`) },
    { path: config.tenantsDir, origin: origin("tenants", `the tenants folder`) },
    ...(config.tenantVarsSchema ? [{ path: config.tenantVarsSchema, origin: origin("tenantVarsSchema", "tenantVarsSchema") }] : []),
    { path: KESTRA_FLOW_SCHEMA_FILE, origin: "the pulled Kestra flow schema" },
  ];
}

function refuseUnsafePaths(unsafe: readonly ConfigPath[]): void {
  const [first] = unsafe;
  if (first) throw new RepositoryError(`${first.file}:${first.line}:${first.column}: ${unsafePathMessage(first)}; the repository is refused`);
}

function linkRefusal(input: NamedInput, link: string): RepositoryError {
  const through = link === input.path ? "is a symbolic link" : `passes through the symbolic link "${link}"`;
  return new RepositoryError(`${input.origin} "${input.path}" ${through}; flowops never follows links (they could point outside the repository): commit the files themselves. The repository is refused`);
}

/** Counts what one read takes in and refuses the repository past the limits. */
class ReadBudget {
  private files = 0;
  private bytes = 0;
  constructor(private readonly limits: ReadLimits) {}

  file(path: string): void {
    if (++this.files > this.limits.maxFiles) {
      throw new RepositoryError(`the repository has more than ${this.limits.maxFiles} files and folders under its flows and tenants folders (reached at ${path}); flowops refuses to read more. Keep only flow and tenant files there`);
    }
  }

  read(path: string, size: number): void {
    this.bytes += size;
    if (this.bytes > this.limits.maxBytes) {
      throw new RepositoryError(`the repository's flow and tenant files exceed ${this.limits.maxBytes} bytes in total (reached at ${path}); flowops refuses to read more. Keep only flow and tenant files in the flows and tenants folders`);
    }
  }
}

/**
 * The first component of `path` (below `realRoot`) that is a symbolic link, or undefined. Walking
 * component by component is the real-path comparison: with no link on the way, the real path is
 * the repository root joined with `path`.
 */
async function linkOnPath(realRoot: string, path: string): Promise<string | undefined> {
  const segments = path.split("/");
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join("/");
    const info = await lstat(join(realRoot, prefix)).catch(() => undefined);
    if (!info) return undefined;
    if (info.isSymbolicLink()) return prefix;
  }
  const real = await realpath(join(realRoot, path)).catch(() => undefined);
  return real === undefined || real === join(realRoot, path) ? undefined : path;
}

async function readWorkingTree(root: string, limits: ReadLimits): Promise<FlowRepository> {
  const realRoot = await realpath(root);
  const budget = new ReadBudget(limits);
  const files = new Map<string, string>();
  const readProblems: RepositoryProblem[] = [];
  const readInput = async (path: string): Promise<void> => {
    const absolute = join(realRoot, path);
    const info = await lstat(absolute).catch(() => undefined);
    if (!info) return;
    if (info.isSymbolicLink()) return void readProblems.push(linkSkipped(path));
    if (!info.isFile()) return;
    if (info.size > (path === KESTRA_FLOW_SCHEMA_FILE ? MAX_KESTRA_SCHEMA_BYTES : MAX_FILE_BYTES)) return void readProblems.push(fileTooLarge(path, info.size));
    budget.read(path, info.size);
    files.set(path, await readFile(absolute, "utf8"));
  };
  const configInfo = await lstat(join(realRoot, CONFIG_FILE)).catch(() => undefined);
  if (configInfo?.isSymbolicLink()) throw linkRefusal({ path: CONFIG_FILE, origin: "the config file" }, CONFIG_FILE);
  await readInput(CONFIG_FILE);
  const { config, paths, unsafePaths } = configFor(files.get(CONFIG_FILE));
  refuseUnsafePaths(unsafePaths);
  for (const input of namedInputs(config, paths)) {
    const link = await linkOnPath(realRoot, input.path);
    if (link !== undefined) throw linkRefusal(input, link);
  }
  if (config.tenantVarsSchema) await readInput(config.tenantVarsSchema);
  await readInput(KESTRA_FLOW_SCHEMA_FILE);
  for (const path of await listFiles(realRoot, config.flowsDir, true, readProblems, budget)) if (isRepositoryInput(path, config)) await readInput(path);
  const tenantsInfo = await lstat(join(realRoot, config.tenantsDir)).catch(() => undefined);
  const hasTenantsFolder = Boolean(tenantsInfo?.isDirectory());
  if (hasTenantsFolder) for (const path of await listFiles(realRoot, config.tenantsDir, false, readProblems, budget)) if (isRepositoryInput(path, config)) await readInput(path);
  if (!hasTenantsFolder && !files.has(CONFIG_FILE)) {
    // A plain repository: its flows may be anywhere.
    for (const path of await discoverableFiles(realRoot)) {
      if (files.has(path) || path.startsWith(config.flowsDir + "/")) continue;
      const info = await lstat(join(realRoot, path)).catch(() => undefined);
      if (!info?.isFile() || info.size > MAX_FILE_BYTES) continue;
      budget.file(path);
      budget.read(path, info.size);
      const text = await readFile(join(realRoot, path), "utf8");
      if (looksLikeFlow(text)) files.set(path, text);
    }
  }
  return buildRepository({ root, files, hasTenantsFolder, readProblems });
}

function configFor(text: string | undefined): Pick<LoadedConfig, "config" | "paths" | "unsafePaths"> {
  return text === undefined ? { config: defaultConfig(), paths: [], unsafePaths: [] } : loadConfig(CONFIG_FILE, text);
}

async function listFiles(root: string, dir: string, recursive: boolean, problems: RepositoryProblem[], budget: ReadBudget): Promise<string[]> {
  const out: string[] = [];
  const walk = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(join(root, relativeDir), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${relativeDir}/${entry.name}`;
      budget.file(path);
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

/** Git's mode for a symbolic link: its blob is the link's target, never read. */
const SYMLINK_MODE = "120000";

async function readGitRef(cwd: string, ref: string, limits: ReadLimits): Promise<FlowRepository> {
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
  const links = new Set(entries.filter((e) => e.mode === SYMLINK_MODE).map((e) => e.path));
  const configEntry = byPath.get(CONFIG_FILE);
  if (configEntry?.mode === SYMLINK_MODE) throw linkRefusal({ path: CONFIG_FILE, origin: "the config file" }, CONFIG_FILE);
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
  const { config, paths, unsafePaths } = configFor(files.get(CONFIG_FILE));
  refuseUnsafePaths(unsafePaths);
  for (const input of namedInputs(config, paths)) {
    const segments = input.path.split("/");
    for (let i = 1; i <= segments.length; i++) {
      const onTheWay = segments.slice(0, i).join("/");
      if (links.has(onTheWay)) throw linkRefusal(input, onTheWay);
    }
  }
  const budget = new ReadBudget(limits);
  const wanted: GitTreeEntry[] = [];
  for (const entry of entries) {
    if (entry.path === CONFIG_FILE || !isRepositoryInput(entry.path, config)) continue;
    budget.file(entry.path);
    if (entry.mode === SYMLINK_MODE) readProblems.push(linkSkipped(entry.path));
    else if (entry.type !== "blob") continue;
    else if (entry.size > (entry.path === KESTRA_FLOW_SCHEMA_FILE ? MAX_KESTRA_SCHEMA_BYTES : MAX_FILE_BYTES)) readProblems.push(fileTooLarge(entry.path, entry.size));
    else {
      budget.read(entry.path, entry.size);
      wanted.push(entry);
    }
  }
  const texts = await readBlobs(wanted.map((e) => e.sha));
  wanted.forEach((entry, i) => files.set(entry.path, texts[i]!));
  const hasTenantsFolder = entries.some((e) => e.path.startsWith(config.tenantsDir + "/"));
  if (!hasTenantsFolder && !files.has(CONFIG_FILE)) {
    // A plain repository: its flows may be anywhere.
    const candidates = entries.filter((e) => e.type === "blob" && e.mode !== SYMLINK_MODE && e.size <= MAX_FILE_BYTES && !files.has(e.path) && !e.path.startsWith(config.flowsDir + "/") && isDiscoverablePath(e.path));
    for (const entry of candidates) {
      budget.file(entry.path);
      budget.read(entry.path, entry.size);
    }
    const candidateTexts = await readBlobs(candidates.map((e) => e.sha));
    candidates.forEach((entry, i) => {
      if (looksLikeFlow(candidateTexts[i]!)) files.set(entry.path, candidateTexts[i]!);
    });
  }
  return buildRepository({ root: cwd, files, hasTenantsFolder, commit, readProblems });
}
