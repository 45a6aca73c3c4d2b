import { GitRepository } from "@flowops/render";
import { ImpactError } from "./errors.js";

/** The two sides of an impact as Git sees them. */
export interface ImpactRefs {
  /** The merge base of `base` and the head: what the head is compared with. */
  baseCommit: string;
  /** The head commit; undefined when the head is the working tree. */
  headCommit?: string;
  /** Labels for the report, e.g. `main (merge base 1a2b3c4)` and `working tree`. */
  baseLabel: string;
  headLabel: string;
  /** Files that differ between the merge base and the head, relative to `cwd`, sorted. */
  changedFiles: string[];
}

/**
 * Resolves `--base` / `--head` the way a pull request diff does: the base side is the merge base
 * of `base` and the head, so a branch behind `base` shows no phantom removals. Without `head`
 * the working tree is the head (uncommitted and untracked files included). Throws an ImpactError
 * (exit 2) for a folder outside Git, an unknown ref or no merge base.
 */
export async function resolveImpactRefs(options: { cwd: string; base: string; head?: string }): Promise<ImpactRefs> {
  const git = new GitRepository(options.cwd);
  try {
    await git.topLevel();
  } catch (error) {
    throw new ImpactError(`${options.cwd} is not inside a Git repository; --base needs one (run \`git init\` or pass --cwd).`, [], { cause: error });
  }
  const baseTip = await resolveCommit(git, options.base, "--base");
  const headCommit = options.head === undefined ? undefined : await resolveCommit(git, options.head, "--head");
  const headTip = headCommit ?? (await resolveCommit(git, "HEAD", "the working tree's HEAD"));

  let baseCommit: string | undefined;
  try {
    baseCommit = await git.mergeBase(baseTip, headTip);
  } catch (error) {
    throw new ImpactError(`git merge-base ${options.base} ${options.head ?? "HEAD"} failed: ${(error as Error).message}`, [], { cause: error });
  }
  if (baseCommit === undefined) {
    throw new ImpactError(
      `${options.base} and ${options.head ?? "HEAD"} have no common ancestor, so there is no merge base to compare with. Pass a --base that shares history with the head (e.g. fetch the full history with \`git fetch --unshallow\`).`,
    );
  }
  const short = (commit: string) => commit.slice(0, 7);
  return {
    baseCommit,
    ...(headCommit ? { headCommit } : {}),
    baseLabel: baseCommit === baseTip ? `${options.base} (${short(baseCommit)})` : `${options.base} (merge base ${short(baseCommit)})`,
    headLabel: headCommit ? `${options.head} (${short(headCommit)})` : "working tree",
    changedFiles: await git.changedFiles(baseCommit, headCommit),
  };
}

async function resolveCommit(git: GitRepository, ref: string, what: string): Promise<string> {
  if (ref.startsWith("-")) throw new ImpactError(`${what}: "${ref}" is not a Git ref.`);
  const commit = await git.resolveCommit(ref);
  if (commit === undefined) {
    throw new ImpactError(`${what}: Git cannot resolve "${ref}" to a commit. Check the name (\`git branch -a\`), or fetch it first (\`git fetch origin ${ref}\`).`);
  }
  return commit;
}
