import { spawn } from "node:child_process";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { simpleGit } from "simple-git";
import { CONFIG_FILE, defaultConfig, KESTRA_FLOW_SCHEMA_FILE, loadConfig, MAX_KESTRA_SCHEMA_BYTES } from "./config.js";
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
  if (!hasTenantsFolder && !files.has(CONFIG_FILE)) {
    // A plain repository: its flows may be anywhere.
    for (const path of await discoverableFiles(root)) {
      if (files.has(path) || path.startsWith(config.flowsDir + "/")) continue;
      const info = await lstat(join(root, path)).catch(() => undefined);
      if (!info?.isFile() || info.size > MAX_FILE_BYTES) continue;
      const text = await readFile(join(root, path), "utf8");
      if (looksLikeFlow(text)) files.set(path, text);
    }
  }
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

interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  size: number;
  path: string;
}

async function readGitRef(cwd: string, ref: string): Promise<FlowRepository> {
  const git = simpleGit({ baseDir: cwd });
  let top: string;
  try {
    top = (await git.revparse(["--show-toplevel"])).trim();
  } catch (error) {
    throw new RepositoryError(`${cwd} is not inside a Git repository, so --ref ${ref} cannot be read`, { cause: error });
  }
  const prefix = relative(await realpath(top), await realpath(cwd)).split("\\").join("/");
  let commit: string;
  try {
    commit = (await git.revparse(["--verify", "--quiet", `${ref}^{commit}`])).trim();
  } catch (error) {
    throw new RepositoryError(`ref "${ref}" is not a commit in ${top}; check the branch, tag or sha (and fetch it first in CI: fetch-depth: 0)`, { cause: error });
  }
  if (!commit) throw new RepositoryError(`ref "${ref}" is not a commit in ${top}`);
  const listing = await simpleGit({ baseDir: top }).raw(["ls-tree", "-r", "-z", "--long", "--full-tree", commit, "--", prefix === "" ? "." : prefix]);
  const entries: TreeEntry[] = [];
  for (const record of listing.split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    const [mode, type, sha, size] = record.slice(0, tab).trim().split(/\s+/);
    const fullPath = record.slice(tab + 1);
    const path = prefix === "" ? fullPath : fullPath.startsWith(prefix + "/") ? fullPath.slice(prefix.length + 1) : undefined;
    if (path === undefined) continue;
    entries.push({ mode: mode!, type: type!, sha: sha!, size: Number(size), path });
  }
  const readProblems: RepositoryProblem[] = [];
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const configEntry = byPath.get(CONFIG_FILE);
  const files = new Map<string, string>();
  if (configEntry && configEntry.type === "blob" && configEntry.size <= MAX_FILE_BYTES) {
    const [text] = await catBlobs(top, [configEntry.sha]);
    files.set(CONFIG_FILE, text!);
  }
  const config = configFor(files.get(CONFIG_FILE));
  const wanted: TreeEntry[] = [];
  for (const entry of entries) {
    if (entry.path === CONFIG_FILE || !isRepositoryInput(entry.path, config)) continue;
    if (entry.mode === "120000") readProblems.push(linkSkipped(entry.path));
    else if (entry.type !== "blob") continue;
    else if (entry.size > (entry.path === KESTRA_FLOW_SCHEMA_FILE ? MAX_KESTRA_SCHEMA_BYTES : MAX_FILE_BYTES)) readProblems.push(fileTooLarge(entry.path, entry.size));
    else wanted.push(entry);
  }
  const texts = await catBlobs(top, wanted.map((e) => e.sha));
  wanted.forEach((entry, i) => files.set(entry.path, texts[i]!));
  const hasTenantsFolder = entries.some((e) => e.path.startsWith(config.tenantsDir + "/"));
  if (!hasTenantsFolder && !files.has(CONFIG_FILE)) {
    // A plain repository: its flows may be anywhere.
    const candidates = entries.filter((e) => e.type === "blob" && e.mode !== "120000" && e.size <= MAX_FILE_BYTES && !files.has(e.path) && !e.path.startsWith(config.flowsDir + "/") && isDiscoverablePath(e.path));
    const candidateTexts = await catBlobs(top, candidates.map((e) => e.sha));
    candidates.forEach((entry, i) => {
      if (looksLikeFlow(candidateTexts[i]!)) files.set(entry.path, candidateTexts[i]!);
    });
  }
  return buildRepository({ root: cwd, files, hasTenantsFolder, commit, readProblems });
}

/** Reads many blobs with one `git cat-file --batch` process. */
function catBlobs(cwd: string, shas: string[]): Promise<string[]> {
  if (shas.length === 0) return Promise.resolve([]);
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => reject(new RepositoryError(`cannot run git cat-file: ${error.message}`, { cause: error })));
    child.on("close", (code) => {
      if (code !== 0) return reject(new RepositoryError(`git cat-file failed (${code}): ${stderr.trim()}`));
      const output = Buffer.concat(chunks);
      const texts: string[] = [];
      let offset = 0;
      for (const sha of shas) {
        const headerEnd = output.indexOf(10, offset);
        const header = output.subarray(offset, headerEnd).toString();
        const [foundSha, type, size] = header.split(" ");
        if (foundSha !== sha || type !== "blob") return reject(new RepositoryError(`git cat-file: unexpected answer "${header}" for ${sha}`));
        const start = headerEnd + 1;
        texts.push(output.subarray(start, start + Number(size)).toString("utf8"));
        offset = start + Number(size) + 1;
      }
      resolvePromise(texts);
    });
    child.stdin.end(shas.join("\n") + "\n");
  });
}
