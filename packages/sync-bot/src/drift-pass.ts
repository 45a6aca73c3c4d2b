import { redact } from "@flowops/redact";
import {
  DRIFT_LABEL,
  driftCheckName,
  driftCheckSummary,
  driftCounts,
  driftFingerprint,
  driftGoneComment,
  driftIssueBody,
  driftIssueTitle,
  parseDriftMarker,
  type DriftReportInput,
} from "./drift.js";
import type { GitHubRepository, OpenIssue } from "./github.js";
import { deployUnderLease, type LeasedDeployInput } from "./merge-deploy.js";
import type { FlowDrift } from "./types.js";

/**
 * The deploy's inputs, where `sha` is the deployed commit (the tip of `branch`) and `policy` is that
 * commit's own: the deployed, so trusted, one.
 */
export interface DriftPassInput extends Pick<LeasedDeployInput, "github" | "flowops" | "workspace" | "sha" | "env" | "policy" | "lease" | "log"> {
  branch: string;
  /** The App's login (`<slug>[bot]`): only its issues are drift issues, never another author's. */
  botLogin: string;
  now?: () => Date;
}

/**
 * What one drift pass did for one environment: `in-sync` (nothing to report, no issue open),
 * `unchanged` (the drift already reported, nothing written), `reported` (an issue opened or edited
 * and a check run created), `healed` (self-heal overwrote the drift and nothing remains),
 * `closed` (the drift is gone and its issue was closed), `leased` (another server holds the
 * environment: the next pass looks again), `skipped` (the App's own login is unknown, so no issue
 * can be trusted: nothing read or written, the next pass looks again), `failed` (Kestra could not
 * be planned).
 */
export interface DriftRecord {
  env: string;
  status: "in-sync" | "unchanged" | "reported" | "healed" | "closed" | "leased" | "skipped" | "failed";
  /** Drifted flows left after this pass. */
  flows: number;
  /** Flows a self-heal of this pass overwrote. */
  healed: number;
  issue?: number;
  fingerprint?: string;
  error?: string;
}

/**
 * One environment at its deploy branch tip: plan it against Kestra; heal the drift when the
 * deployed commit's config says `deploy.selfHeal: true` (through the gated, leased deploy, with its
 * prune and delete-share guard); then report what remains once per distinct drift: one open issue
 * `flowops drift: <env>` (label `flowops-drift`) edited in place and carrying the drift's
 * fingerprint in a hidden marker, and a check run on the deployed commit each time the drift
 * changes. When the drift is gone the issue is closed with a comment.
 */
export async function runDriftPass(input: DriftPassInput): Promise<DriftRecord> {
  const { github, flowops, env, sha, policy, log } = input;
  const now = input.now ?? (() => new Date());
  const request = { sha, policy, previousSha: sha };
  const planned = await flowops.drift(input.workspace, env, request);
  if (!planned.ok) {
    const error = redact(planned.text ?? "the plan failed");
    log.warn(`drift check of ${github.owner}/${github.repo} ${env}: ${error}`);
    return { env, status: "failed", flows: 0, healed: 0, error };
  }
  let drift = planned.drift;
  const issue = await driftIssue(github, env, input.botLogin);
  const marker = parseDriftMarker(issue?.body, env);

  let healed: FlowDrift[] = [];
  let healError: string | undefined;
  const healable = drift.filter((d) => d.kind !== "not-in-git" || policy.prune);
  const failedBefore = marker?.healFailed === true && marker.fingerprint === driftFingerprint(env, drift);
  if (policy.selfHeal && healable.length > 0 && failedBefore) healError = "an earlier self-heal of this same drift failed";
  else if (policy.selfHeal && healable.length > 0) {
    log.info(`self-heal of ${github.owner}/${github.repo} ${env}: ${driftCounts(healable)}`);
    const run = await deployUnderLease({ github, flowops, workspace: input.workspace, sha, env, policy, baseSha: sha, ...(input.lease ? { lease: input.lease } : {}), description: `flowops: self-heal of ${env} at ${sha.slice(0, 12)}`, log });
    if (run.status === "leased") return { env, status: "leased", flows: drift.length, healed: 0 };
    if (run.status === "failed") healError = `${run.description}${run.failedTenants.length ? "" : ` (${firstLine(run.outcome.text)})`}`;
    const after = await flowops.drift(input.workspace, env, request);
    if (after.ok) {
      const left = new Set(after.drift.map(key));
      healed = drift.filter((d) => !left.has(key(d)));
      drift = after.drift;
    } else healError ??= after.text ?? "the plan after the self-heal failed";
  }

  const at = now();
  const fingerprint = driftFingerprint(env, drift);
  const report: DriftReportInput = { env, sha, branch: input.branch, drift, selfHeal: policy.selfHeal, prune: policy.prune, healed, ...(healError ? { healError } : {}), at };
  if (drift.length === 0) {
    if (issue) {
      await github.commentOnIssue(issue.number, driftGoneComment({ env, sha, at, healed }));
      await github.updateIssue(issue.number, { close: "completed" });
    }
    if (issue || healed.length > 0) {
      await github.createCompletedCheckRun({
        name: driftCheckName(env),
        headSha: sha,
        conclusion: "success",
        title: healed.length ? `Self-healed ${healed.length} flow(s) in ${env}` : `No drift in ${env}`,
        summary: healed.length ? driftGoneComment({ env, sha, at, healed }) : `Kestra matches Git in \`${env}\` at \`${sha.slice(0, 12)}\`.`,
        ...(issue ? { detailsUrl: issue.htmlUrl } : {}),
      });
    }
    log.info(`drift check of ${github.owner}/${github.repo} ${env}: in sync${healed.length ? ` after healing ${healed.length} flow(s)` : ""}${issue ? `; closed #${issue.number}` : ""}`);
    return { env, status: healed.length ? "healed" : issue ? "closed" : "in-sync", flows: 0, healed: healed.length, ...(issue ? { issue: issue.number } : {}) };
  }

  const next = { env, fingerprint, sha, healFailed: healError !== undefined };
  if (issue && marker && marker.fingerprint === fingerprint && marker.sha === sha && marker.healFailed === next.healFailed && healed.length === 0) {
    return { env, status: "unchanged", flows: drift.length, healed: 0, issue: issue.number, fingerprint };
  }
  const body = driftIssueBody(report, next);
  let reported: OpenIssue;
  if (issue) {
    await github.updateIssue(issue.number, { body });
    reported = issue;
  } else {
    reported = await github.createIssue(driftIssueTitle(env), body, [DRIFT_LABEL]);
    // Two replicas may both have found no issue, or a 5xx hid a create that GitHub did and the
    // retry made a second one: the oldest stays, this one is closed as its duplicate.
    const [oldest] = await driftIssues(github, env, input.botLogin);
    if (oldest && oldest.number !== reported.number) {
      await closeDuplicate(github, reported.number, oldest.number);
      reported = oldest;
    }
  }
  await github.createCompletedCheckRun({
    name: driftCheckName(env),
    headSha: sha,
    conclusion: "action_required",
    title: `Drift in ${env}: ${driftCounts(drift)}`,
    summary: driftCheckSummary(report, reported.htmlUrl),
    detailsUrl: reported.htmlUrl,
    externalId: `drift:${env}:${fingerprint}`,
  });
  log.info(`drift check of ${github.owner}/${github.repo} ${env}: ${driftCounts(drift)}; reported in #${reported.number}`);
  return { env, status: "reported", flows: drift.length, healed: healed.length, issue: reported.number, fingerprint };
}

/** The open drift issue of `env` (the oldest, when a race left several: the others are closed as duplicates). */
async function driftIssue(github: GitHubRepository, env: string, botLogin: string): Promise<OpenIssue | null> {
  const [first, ...duplicates] = await driftIssues(github, env, botLogin);
  for (const duplicate of duplicates) await closeDuplicate(github, duplicate.number, first!.number);
  return first ?? null;
}

/** The open issues of the App (`botLogin`) titled `flowops drift: <env>` with the drift label, oldest first. */
export async function driftIssues(github: GitHubRepository, env: string, botLogin: string): Promise<OpenIssue[]> {
  const title = driftIssueTitle(env);
  return (await github.openIssues(DRIFT_LABEL, botLogin)).filter((issue) => issue.title === title);
}

async function closeDuplicate(github: GitHubRepository, number: number, original: number): Promise<void> {
  await github.commentOnIssue(number, `Duplicate of #${original}, which carries this drift.`);
  await github.updateIssue(number, { close: "not_planned" });
}

function key(d: FlowDrift): string {
  return `${d.namespace}/${d.id}`;
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim()) ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
