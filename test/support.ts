import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { simpleGit, type SimpleGit } from "simple-git";
import type { CommandIO } from "@flowops/cli";
import { expect } from "vitest";

/** The monorepo root (the folder holding turbo.json). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** `../shared` beside the repository: product docs and the test corpus (read-only). */
export const sharedDir = resolve(repoRoot, "..", "shared");

/**
 * Whether real material under `../shared` is there. Where it is absent (a fork's CI) tests on it
 * are skipped; with FLOWOPS_REQUIRE_SHARED=1 (this repository's CI) a missing folder fails instead.
 */
export function sharedAvailable(path: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.FLOWOPS_REQUIRE_SHARED === "1") throw new Error(`${path} is missing: ../shared must be checked out beside the repository`);
  return false;
}

export function tempDir(prefix = "flowops-e2e-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** Every file under `dir`, as sorted paths relative to it; none when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Compares with `test/golden/<folder>/<name>`; `UPDATE_GOLDEN=1` writes or rewrites the file. */
export function expectGolden(folder: string, name: string, actual: string): void {
  const file = join(repoRoot, "test", "golden", folder, name);
  if (process.env["UPDATE_GOLDEN"] === "1") {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  // A missing golden fails rather than being written silently, so deleting one cannot turn the test green.
  expect(existsSync(file), `${file} exists (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

/** A real Git repository in a temp folder with one commit of the given files. */
export async function gitRepo(files: Record<string, string>): Promise<{ dir: string; git: SimpleGit }> {
  const dir = tempDir("flowops-repo-");
  const git = simpleGit({ baseDir: dir });
  await git.init(["-b", "main"]);
  await git.addConfig("user.email", "dev@example.com");
  await git.addConfig("user.name", "Dev");
  await git.addConfig("commit.gpgsign", "false");
  writeFiles(dir, files);
  await git.add(".");
  await git.commit("initial platform");
  return { dir, git };
}

/** Captures what a command prints. */
export function captureIO(cwd: string, env: NodeJS.ProcessEnv = {}): CommandIO & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    isTTY: false,
    env,
    cwd,
    out: () => out,
    err: () => err,
  };
}

/**
 * GitHub client settings for tests that are not about pacing: writes still go one at a time, but
 * not the second (three for comments) apart that real GitHub asks for. The fault tests keep the
 * defaults.
 */
export const UNPACED_GITHUB = { paceWrites: false } as const;
