import { spawn } from "node:child_process";
import type { SimpleGit } from "simple-git";

/** One entry of `git ls-tree --long`. */
export interface GitTreeEntry {
  mode: string;
  type: string;
  sha: string;
  size: number;
  /** Path from the repository's top level. */
  path: string;
}

/** A Git command that failed: which one, and Git's own words. */
export class GitError extends Error {
  constructor(
    readonly command: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "GitError";
  }
}

const COMMIT_SHA = /^[0-9a-f]{40,64}$/;

/**
 * The one way flowops runs Git (render reads refs with it, tenant-diff resolves impact sides):
 * simple-git for commands, one `git cat-file --batch` process for many blobs, which simple-git
 * cannot feed. Refs are never taken for options: a ref starting with `-` resolves to nothing.
 */
export class GitRepository {
  private git: Promise<SimpleGit> | undefined;

  constructor(readonly cwd: string) {}

  /** simple-git, loaded on first use: commands that read only a working tree never load it. */
  private client(): Promise<SimpleGit> {
    this.git ??= import("simple-git").then(({ simpleGit }) => simpleGit({ baseDir: this.cwd }));
    return this.git;
  }

  /** The repository's top-level folder; throws a GitError outside a repository. */
  async topLevel(): Promise<string> {
    try {
      return (await (await this.client()).revparse(["--show-toplevel"])).trim();
    } catch (error) {
      throw new GitError("rev-parse --show-toplevel", `${this.cwd} is not inside a Git repository`, { cause: error });
    }
  }

  /** The commit a ref names, or undefined when it names none. */
  async resolveCommit(ref: string): Promise<string | undefined> {
    if (ref.startsWith("-")) return undefined;
    let commit: string;
    try {
      // `--quiet` exits 1 without a word for an unknown ref, which simple-git reports as empty output.
      commit = (await (await this.client()).revparse(["--verify", "--quiet", `${ref}^{commit}`])).trim();
    } catch {
      return undefined;
    }
    return COMMIT_SHA.test(commit) ? commit : undefined;
  }

  /** The merge base of two commits, or undefined when they share no history. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    let base: string;
    try {
      base = (await (await this.client()).raw(["merge-base", a, b])).trim();
    } catch (error) {
      if (exitedWithOne(error)) return undefined;
      throw new GitError("merge-base", `git merge-base failed: ${errorText(error)}`, { cause: error });
    }
    return base === "" ? undefined : base;
  }

  /**
   * Files that differ between `base` and `head` (or the working tree, untracked files included,
   * when `head` is undefined), relative to the cwd, sorted.
   */
  async changedFiles(base: string, head?: string): Promise<string[]> {
    const git = await this.client();
    const changed = new Set((await git.raw(["diff", "--name-only", "--no-renames", "--relative", base, ...(head ? [head] : []), "--"])).split("\n").filter(Boolean));
    if (!head) for (const file of (await git.raw(["ls-files", "--others", "--exclude-standard"])).split("\n").filter(Boolean)) changed.add(file);
    return [...changed].sort();
  }

  /** Every entry under `prefix` (from the top level; "" for all) of a commit's tree, recursively. */
  async listTree(commit: string, prefix: string): Promise<GitTreeEntry[]> {
    const listing = await (await this.client()).raw(["ls-tree", "-r", "-z", "--long", "--full-tree", commit, "--", prefix === "" ? "." : prefix]);
    const entries: GitTreeEntry[] = [];
    for (const record of listing.split("\0")) {
      if (!record) continue;
      const tab = record.indexOf("\t");
      const [mode, type, sha, size] = record.slice(0, tab).trim().split(/\s+/);
      entries.push({ mode: mode!, type: type!, sha: sha!, size: Number(size), path: record.slice(tab + 1) });
    }
    return entries;
  }

  /** The texts of many blobs, read by one `git cat-file --batch` process. */
  readBlobs(shas: readonly string[]): Promise<string[]> {
    if (shas.length === 0) return Promise.resolve([]);
    return new Promise((resolvePromise, reject) => {
      const child = spawn("git", ["cat-file", "--batch"], { cwd: this.cwd, stdio: ["pipe", "pipe", "pipe"] });
      const chunks: Buffer[] = [];
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", (error) => reject(new GitError("cat-file --batch", `cannot run git cat-file: ${error.message}`, { cause: error })));
      child.on("close", (code) => {
        if (code !== 0) return reject(new GitError("cat-file --batch", `git cat-file failed (${code}): ${stderr.trim()}`));
        const output = Buffer.concat(chunks);
        const texts: string[] = [];
        let offset = 0;
        for (const sha of shas) {
          const headerEnd = output.indexOf(10, offset);
          const header = output.subarray(offset, headerEnd).toString();
          const [foundSha, type, size] = header.split(" ");
          if (foundSha !== sha || type !== "blob") return reject(new GitError("cat-file --batch", `git cat-file: unexpected answer "${header}" for ${sha}`));
          const start = headerEnd + 1;
          texts.push(output.subarray(start, start + Number(size)).toString("utf8"));
          offset = start + Number(size) + 1;
        }
        resolvePromise(texts);
      });
      child.stdin.end(shas.join("\n") + "\n");
    });
  }
}

function exitedWithOne(error: unknown): boolean {
  return /exit code 1|^\s*$/i.test(errorText(error)) || (typeof error === "object" && error !== null && (error as { exitCode?: number }).exitCode === 1);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}
