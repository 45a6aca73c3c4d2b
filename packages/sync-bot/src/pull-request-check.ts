import { diagnosticsToAnnotations, httpStatusOf, type GitHubRepository, type StickyCommentResult } from "./github.js";
import { headCommit, mergeBase } from "./git.js";
import { pullRequestCheckSummary, pullRequestComment, pullRequestTitle, type PullRequestReportInput } from "./report.js";
import type { BotLogger, FlowopsChecks, ImpactOutcome, LintOutcome, RepositoryPolicy } from "./types.js";

/** The impact report's sticky comment key: its marker is `<!-- flowops:impact -->`. */
export const IMPACT_COMMENT_KEY = "impact";

export interface PullRequestCheckInput {
  github: GitHubRepository;
  flowops: FlowopsChecks;
  /** A Git working tree checked out at `headSha`, with the base commit in its history. */
  workspace: string;
  /** The pull request to comment on; null for a merge queue group (check run only). */
  pullNumber: number | null;
  headSha: string;
  /** The base branch's commit (the event's `pull_request.base.sha`); impact uses the merge base with the head. */
  baseSha: string;
  baseRef: string;
  /** Policy read by the caller from the base branch, never from the PR. */
  policy: RepositoryPolicy;
  /** Link for the check run's "Details" (the workflow run). */
  detailsUrl?: string;
  log: BotLogger;
}

export interface PullRequestCheckResult {
  /** 0: no lint error and impact computed; 1: lint errors or no impact (the required check fails). */
  exitCode: 0 | 1;
  conclusion: "success" | "failure";
  /** The Markdown report (the PR comment's content, also fit for the job summary). */
  report: string;
  lint: LintOutcome;
  impact: ImpactOutcome | null;
  checkRunId: number | null;
  comment: StickyCommentResult | null;
}

/**
 * The pull request check: lint the head, compute impact against the merge base, publish the
 * `flowops` check run on the head sha with annotations, and keep the one impact comment current.
 * A token that may not write (a fork's read-only GITHUB_TOKEN) downgrades the GitHub writes to
 * warnings; the result and exit code stay the same.
 */
export async function runPullRequestCheck(input: PullRequestCheckInput): Promise<PullRequestCheckResult> {
  const { github, flowops, workspace, log } = input;
  const started = await tolerateForbidden(log, "create the flowops check run", () => github.startCheckRun(input.headSha, input.detailsUrl));
  const checkRunId = started?.id ?? null;
  // After creating ours, so GitHub tells which App this token is: only that App's older runs are closed.
  if (started) {
    await tolerateForbidden(log, "close unfinished flowops check runs", () => github.cancelUnfinishedCheckRuns(input.headSha, started)).catch((error: unknown) => {
      log.warn(`could not close unfinished flowops check runs on ${input.headSha}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  try {
    const head = await headCommit(workspace);
    if (head !== input.headSha) throw new Error(`the workspace ${workspace} is at ${head}, not at the pull request head ${input.headSha}`);
    const base = await mergeBase(workspace, input.baseSha, input.headSha);

    const lint = await flowops.lint(workspace);
    let impact: ImpactOutcome | null = null;
    let impactError: string | null = null;
    try {
      impact = await flowops.impact(workspace, base, input.headSha);
    } catch (error) {
      impactError = error instanceof Error ? error.message : String(error);
      log.warn(`impact of ${input.headSha} against ${base} failed: ${impactError}`);
    }

    const reportInput: PullRequestReportInput = { lint, impact, impactError, policy: input.policy, baseRef: input.baseRef, headSha: input.headSha, mergeBaseSha: base };
    const report = pullRequestComment(reportInput);
    const failed = lint.errorCount > 0 || impactError !== null;
    const conclusion = failed ? "failure" : "success";

    const pullNumber = input.pullNumber;
    const comment = pullNumber === null ? null : await tolerateForbidden(log, "write the impact comment", () => github.upsertStickyComment(pullNumber, IMPACT_COMMENT_KEY, report));
    if (checkRunId !== null) {
      await tolerateForbidden(log, "complete the flowops check run", () =>
        github.completeCheckRun(checkRunId, {
          conclusion,
          title: pullRequestTitle(reportInput),
          summary: pullRequestCheckSummary(reportInput),
          text: impact?.markdown ?? impactError ?? "",
          annotations: diagnosticsToAnnotations(lint.diagnostics),
        }),
      );
    }
    log.info(`${pullNumber === null ? "merge group" : `pull request #${pullNumber}`} at ${input.headSha.slice(0, 12)}: ${pullRequestTitle(reportInput)}`);
    return { exitCode: failed ? 1 : 0, conclusion, report, lint, impact, checkRunId, comment };
  } catch (error) {
    // Never leave an in-progress check behind: it would block the merge until it goes stale (14 days).
    if (checkRunId !== null) {
      const message = error instanceof Error ? error.message : String(error);
      await tolerateForbidden(log, "complete the flowops check run", () =>
        github.completeCheckRun(checkRunId, { conclusion: "failure", title: "flowops could not check this pull request", summary: message, annotations: [] }),
      ).catch(() => undefined);
    }
    throw error;
  }
}

/** Runs a GitHub write; a 403 (a read-only token, e.g. on a fork's PR) becomes a warning and null. */
export async function tolerateForbidden<T>(log: BotLogger, what: string, write: () => Promise<T>): Promise<T | null> {
  try {
    return await write();
  } catch (error) {
    if (httpStatusOf(error) === 403) {
      log.warn(`could not ${what}: the token may not write to this repository (a pull request from a fork gets a read-only GITHUB_TOKEN). The job's exit code still reports the result.`);
      return null;
    }
    throw error;
  }
}
