import { decideApproval, type ApprovalDecision } from "./approvals.js";
import { leaseDescription, type GitHubRepository, type MergedPullRequest } from "./github.js";
import { headCommit } from "./git.js";
import { deployReport } from "./report.js";
import type { BotLogger, DeployOutcome, FlowopsChecks, RepositoryPolicy } from "./types.js";

export interface MergeDeployInput {
  github: GitHubRepository;
  flowops: FlowopsChecks;
  /** A Git working tree checked out at `sha`. */
  workspace: string;
  /** The pushed commit (the merge). */
  sha: string;
  /** The branch that was pushed. */
  branch: string;
  env: string;
  /** Policy read by the caller from the deploy branch as it was before this push. */
  policy: RepositoryPolicy;
  /** The deploy branch before this push (the policy's ref): what the change is measured against for protected tenants. */
  baseSha?: string;
  /** Login of whoever pushed (merged). */
  pusher: string | null;
  /**
   * Take the environment through its GitHub deployment as a lease first (the App, where several
   * replicas may run): `holder` names this server, `ttlMs` is how long the lease lasts unless
   * renewed (it is renewed every third of it while the deploy runs).
   */
  lease?: { holder: string; ttlMs: number };
  /** Link to the run doing the deploy, for the deployment status and comment. */
  logUrl?: string;
  /** Deploy only while the environment is not at `sha` (a catch-up; see `LeasedDeployInput.unlessDeployed`). */
  unlessDeployed?: boolean;
  log: BotLogger;
}

export type MergeDeployStatus = "deployed" | "failed" | "refused" | "superseded" | "skipped" | "leased" | "up-to-date";

export interface MergeDeployResult {
  /**
   * 0 deployed, superseded, skipped, leased (another server is deploying; the next pass retries) or
   * up-to-date (another server deployed this commit just before); 1 refused or a tenant failed.
   */
  exitCode: 0 | 1;
  status: MergeDeployStatus;
  /** Markdown report (the merged PR's result comment; the job summary). */
  report: string;
  pullRequest: MergedPullRequest | null;
  decision: ApprovalDecision | null;
  deploymentId: number | null;
  outcome: DeployOutcome | null;
}

/**
 * Deploys a merge: find the merged PR, apply the approval gate of the base policy, record a GitHub
 * deployment (in_progress, then success or failure), deploy, and comment the per-tenant result on
 * the PR. A commit that is no longer the branch tip is not deployed: the newer push deploys its
 * successor, so the environment always ends at the newest merge.
 */
export async function runMergeDeploy(input: MergeDeployInput): Promise<MergeDeployResult> {
  const { github, policy, env, sha, log } = input;
  const done = (status: MergeDeployStatus, report: string, rest: Partial<MergeDeployResult> = {}): MergeDeployResult => ({
    exitCode: status === "refused" || status === "failed" ? 1 : 0,
    status,
    report,
    pullRequest: null,
    decision: null,
    deploymentId: null,
    outcome: null,
    ...rest,
  });

  if (input.branch !== policy.deployBranch) {
    return done("skipped", `flowops: \`${input.branch}\` is not the deploy branch \`${policy.deployBranch}\` (deploy.branch); nothing to deploy.`);
  }
  const head = await headCommit(input.workspace);
  if (head !== sha) throw new Error(`the workspace ${input.workspace} is at ${head}, not at the pushed commit ${sha}`);

  const tip = await github.branchTip(input.branch);
  if (tip !== sha) {
    const report = `flowops: \`${sha.slice(0, 12)}\` is no longer the tip of \`${input.branch}\` (now \`${tip.slice(0, 12)}\`); the newer push deploys \`${env}\`, so this one is skipped.`;
    log.info(report);
    return done("superseded", report);
  }

  const pullRequest = await github.findMergedPullRequest(sha, input.branch);
  const reviews = pullRequest ? await github.listReviews(pullRequest.number) : [];
  const protectedTenantsTouched = await protectedTenantsChanged(input);
  const decision = decideApproval({
    policy,
    pusher: input.pusher,
    pullRequest: pullRequest ? { number: pullRequest.number, author: pullRequest.author } : null,
    reviews,
    protectedTenantsTouched,
  });
  const commentKey = `deploy:${env}`;

  if (!decision.allowed) {
    const report = deployReport({ env, sha, pullRequest, decision, outcome: null, ...(input.logUrl ? { logUrl: input.logUrl } : {}) });
    if (pullRequest) await github.upsertStickyComment(pullRequest.number, commentKey, report);
    log.error(`deploy of ${sha} to ${env} refused: ${decision.reason}`);
    return done("refused", report, { pullRequest, decision });
  }

  const run = await deployUnderLease({
    ...input,
    description: pullRequest ? `flowops: #${pullRequest.number} to ${env}` : `flowops: ${sha.slice(0, 12)} to ${env}`,
  });
  const { deploymentId } = run;
  if (run.status === "up-to-date") {
    const report = `flowops: \`${env}\` is already at \`${sha.slice(0, 12)}\` (deployed by another run just before); nothing to deploy.`;
    log.info(report);
    return done("up-to-date", report, { pullRequest, decision, deploymentId });
  }
  if (run.status === "leased") {
    const report = `flowops: \`${env}\` is being deployed by ${run.heldBy} (deployment ${run.heldByDeployment}); \`${sha.slice(0, 12)}\` is left to the next catch-up pass.`;
    log.info(report);
    return done("leased", report, { pullRequest, decision, deploymentId });
  }
  const { outcome, description, failedTenants: failed } = run;
  const report = deployReport({ env, sha, pullRequest, decision, outcome, ...(input.logUrl ? { logUrl: input.logUrl } : {}) });
  if (pullRequest) await github.upsertStickyComment(pullRequest.number, commentKey, report);
  // The log says why, not only that it failed (the text is scrubbed like every log line).
  if (!outcome.ok) log.error(`deploy of ${sha} to ${env} failed: ${description}${failed.length ? "" : `\n${outcome.text}`}`);
  else log.info(`deployed ${sha} to ${env}`);
  return done(outcome.ok ? "deployed" : "failed", report, { pullRequest, decision, deploymentId, outcome });
}

export interface LeasedDeployInput {
  github: GitHubRepository;
  flowops: FlowopsChecks;
  /** A Git working tree checked out at `sha`. */
  workspace: string;
  sha: string;
  env: string;
  /** The trusted policy (prune, maxDeleteShare) the deploy runs under. */
  policy: RepositoryPolicy;
  /** The commit Kestra was last deployed from (drift baseline). */
  baseSha?: string;
  lease?: { holder: string; ttlMs: number };
  logUrl?: string;
  /** The GitHub deployment's description. */
  description: string;
  /**
   * Deploy only while `env` is not at `sha`, checked once the claim is won: a catch-up that read
   * the environment as behind may win the claim just after another replica finished deploying that
   * very commit. A self-heal leaves it unset: it redeploys the deployed commit on purpose.
   */
  unlessDeployed?: boolean;
  log: BotLogger;
}

export type LeasedDeployResult =
  | { status: "leased"; deploymentId: number; heldBy: string; heldByDeployment: number }
  | { status: "up-to-date"; deploymentId: number }
  | { status: "deployed" | "failed"; deploymentId: number; outcome: DeployOutcome; description: string; failedTenants: string[] };

/**
 * The gated write path every deploy of the App takes once it is allowed (a merge, a catch-up, a
 * self-heal): record a GitHub deployment `in_progress`, take the environment through it as a
 * lease when `lease` is given (the oldest live claim wins; a loser marks its own deployment
 * `inactive` and writes nothing), deploy with the trusted policy's prune and delete guard, then
 * mark the deployment `success` or `failure`.
 */
export async function deployUnderLease(input: LeasedDeployInput): Promise<LeasedDeployResult> {
  const { github, flowops, env, sha } = input;
  const deploymentId = await github.createDeployment(sha, env, input.description);
  const statusOptions = { environment: env, ...(input.logUrl ? { logUrl: input.logUrl } : {}) };
  const lease = input.lease;
  const inProgress = () => ({ ...statusOptions, description: lease ? leaseDescription(env, lease.holder, new Date(Date.now() + lease.ttlMs)) : `Deploying to ${env}` });
  await github.setDeploymentStatus(deploymentId, "in_progress", inProgress());
  if (lease) {
    // The deployment is the claim; the oldest live claim wins, and every server reads the same ids.
    const first = (await github.liveClaims(env, lease.ttlMs))[0];
    if (first && first.deploymentId !== deploymentId) {
      const holder = first.holder ?? `deployment ${first.deploymentId}`;
      await github.setDeploymentStatus(deploymentId, "inactive", { ...statusOptions, description: `Not deployed: ${holder} holds ${env}; the next pass retries` });
      return { status: "leased", deploymentId, heldBy: holder, heldByDeployment: first.deploymentId };
    }
  }
  if (input.unlessDeployed && (await github.lastSuccessfulDeployment(env))?.sha === sha) {
    await github.setDeploymentStatus(deploymentId, "inactive", { ...statusOptions, description: `Not deployed: ${env} is already at ${sha.slice(0, 12)}` });
    return { status: "up-to-date", deploymentId };
  }

  // A long deploy renews its lease, so another replica never takes over a deploy still running.
  const renewal = lease
    ? setInterval(() => {
        github.setDeploymentStatus(deploymentId, "in_progress", inProgress()).catch((error: unknown) => input.log.warn(`could not renew the lease on ${env}: ${error instanceof Error ? error.message : String(error)}`));
      }, Math.max(1000, lease.ttlMs / 3))
    : undefined;
  let outcome: DeployOutcome;
  try {
    outcome = await flowops.deploy(input.workspace, env, { sha, policy: input.policy, ...(input.baseSha ? { previousSha: input.baseSha } : {}) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outcome = { ok: false, perTenant: [], text: `The deploy stopped before finishing: ${message}` };
  } finally {
    clearInterval(renewal);
  }
  const failedTenants = outcome.perTenant.filter((t) => !t.ok).map((t) => t.tenant ?? "(all)");
  const description = outcome.ok
    ? `Deployed ${outcome.perTenant.length} tenant(s) to ${env}`
    : failedTenants.length ? `Failed for ${failedTenants.join(", ")}` : "The deploy stopped before finishing";
  await github.setDeploymentStatus(deploymentId, outcome.ok ? "success" : "failure", { ...statusOptions, description });
  return { status: outcome.ok ? "deployed" : "failed", deploymentId, outcome, description, failedTenants };
}

/**
 * The protected tenants the push changes, computed only when it matters (an allow-listed pusher,
 * protected tenants configured). Fails closed: when the impact cannot be computed, every protected
 * tenant counts as touched.
 */
async function protectedTenantsChanged(input: MergeDeployInput): Promise<string[]> {
  const { policy, pusher, flowops, log } = input;
  const allowListed = pusher !== null && policy.allowedPushers.some((login) => login.toLowerCase() === pusher.toLowerCase());
  if (!allowListed || policy.protectedTenants.length === 0) return [];
  if (!input.baseSha) return [...policy.protectedTenants];
  try {
    const impact = await flowops.impact(input.workspace, input.baseSha, input.sha);
    if (!impact.changedTenants) return [...policy.protectedTenants];
    return policy.protectedTenants.filter((tenant) => impact.changedTenants!.includes(tenant));
  } catch (error) {
    log.warn(`could not tell which tenants ${input.sha} changes (${error instanceof Error ? error.message : String(error)}); treating every protected tenant as changed`);
    return [...policy.protectedTenants];
  }
}
