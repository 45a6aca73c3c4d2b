import { simpleGit } from "simple-git";
import { redact as scrub } from "@flowops/redact";
import { childProcessEnv } from "./child-env.js";

/** Runs git in `cwd` (simple-git); errors say which command failed with git's own message, credentials removed. */
export async function runGit(cwd: string, args: readonly string[], options: { env?: Record<string, string>; secrets?: readonly string[] } = {}): Promise<string> {
  // The only configuration flowops passes through the environment is the clone's auth header.
  const git = simpleGit({
    baseDir: cwd,
    unsafe: { allowUnsafeConfigEnvCount: true },
    // simple-git lets a failing exit pass when git printed nothing (`cat-file -e` of a missing object): it fails here.
    errors: (error, result) => error ?? (result.exitCode !== 0 ? new Error(`exit code ${result.exitCode}`) : undefined),
  }).env(childProcessEnv({ GIT_TERMINAL_PROMPT: "0", ...options.env }));
  try {
    return (await git.raw([...args])).trim();
  } catch (error) {
    const detail = redact(`${error instanceof Error ? error.message : String(error)}`.trim(), options.secrets ?? []);
    throw new Error(`git ${args[0]} failed in ${cwd}: ${detail}`);
  }
}

/** Replaces each secret (and its base64 form in git's auth header) in `text` with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  return scrub(text, [...secrets, ...secrets.map((secret) => Buffer.from(`x-access-token:${secret}`).toString("base64"))]);
}

/** The commit HEAD of the repository in `cwd` points at. */
export async function headCommit(cwd: string): Promise<string> {
  return runGit(cwd, ["rev-parse", "HEAD"]);
}

/** Whether `sha` is a commit present in the repository in `cwd`. */
export async function hasCommit(cwd: string, sha: string): Promise<boolean> {
  try {
    await runGit(cwd, ["cat-file", "-e", `${sha}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** Whether `ancestor` is `descendant` or one of its ancestors (`git merge-base --is-ancestor`). */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await runGit(cwd, ["merge-base", "--is-ancestor", ancestor, descendant]);
    return true;
  } catch {
    return false;
  }
}

/** The merge base of two commits (GitHub's own diff base); fails with a fix when history is missing. */
export async function mergeBase(cwd: string, baseSha: string, headSha: string): Promise<string> {
  for (const sha of [baseSha, headSha]) {
    if (!(await hasCommit(cwd, sha))) {
      throw new Error(`commit ${sha} is not in the repository at ${cwd}; check out the full history (actions/checkout with fetch-depth: 0)`);
    }
  }
  try {
    return await runGit(cwd, ["merge-base", baseSha, headSha]);
  } catch (error) {
    throw new Error(`no merge base between ${baseSha} and ${headSha} in ${cwd}; check out the full history (actions/checkout with fetch-depth: 0)`, { cause: error });
  }
}

/**
 * Clones `url` into the empty folder `dir` with an installation token and checks out `sha`
 * (detached). The token travels in an HTTP header set through the environment, scoped to the
 * clone's origin: it is never written to `.git/config`, a command line or a message.
 */
export async function cloneAtCommit(options: { url: string; token: string; dir: string; sha: string; extraRefs?: readonly string[]; shallowBranch?: string }): Promise<void> {
  const { url, token, dir, sha } = options;
  const env = tokenHeaderEnv(url, token);
  const run = (args: string[]) => runGit(dir, args, { env, secrets: [token] });
  await runGit(dir, ["init", "--quiet"]);
  await run(["remote", "add", "origin", url]);
  // `shallowBranch`: only that branch's tip, without history (the drift check reads one commit).
  const refspecs = options.shallowBranch
    ? [`+refs/heads/${options.shallowBranch}:refs/remotes/origin/${options.shallowBranch}`]
    : ["+refs/heads/*:refs/remotes/origin/*", ...(options.extraRefs ?? []).map((ref) => `+${ref}:${ref}`)];
  await run(["fetch", "--quiet", "--no-tags", ...(options.shallowBranch ? ["--depth", "1"] : []), "origin", ...refspecs]);
  if (!(await hasCommit(dir, sha))) throw new Error(`commit ${sha} is not on any branch of ${url} (nor ${options.extraRefs?.join(", ") || "other refs"})`);
  await run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", sha]);
}

/**
 * Fetches one commit by its sha into a clone made by {@link cloneAtCommit} (a commit no branch
 * holds any more, such as the last deployed one after a force push); false when the server does
 * not have it.
 */
export async function fetchCommit(options: { url: string; token: string; dir: string; sha: string }): Promise<boolean> {
  try {
    await runGit(options.dir, ["fetch", "--quiet", "--no-tags", "origin", options.sha], { env: tokenHeaderEnv(options.url, options.token), secrets: [options.token] });
  } catch {
    return false;
  }
  return hasCommit(options.dir, options.sha);
}

function tokenHeaderEnv(url: string, token: string): Record<string, string> {
  const auth = Buffer.from(`x-access-token:${token}`).toString("base64");
  return { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: `http.${new URL(url).origin}/.extraheader`, GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${auth}` };
}

/** Adds a detached worktree of `sha` at `dir` (used when the checkout is not the PR head). */
export async function addWorktree(repo: string, dir: string, sha: string): Promise<void> {
  await runGit(repo, ["worktree", "add", "--quiet", "--detach", dir, sha]);
}

export async function removeWorktree(repo: string, dir: string): Promise<void> {
  await runGit(repo, ["worktree", "remove", "--force", dir]);
}
