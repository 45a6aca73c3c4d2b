import type { SuccessfulDeployment } from "./github.js";
import { hasCommit, isAncestor } from "./git.js";
import type { FlowopsChecks, RepositoryPolicy } from "./types.js";

const ZERO_SHA = /^0+$/;

/** Where a deploy's policy is read from, and why that commit is trusted. */
export interface TrustedPolicyCommit {
  sha: string;
  source: "deployment" | "before";
  /** One line for logs and reports: which commit and why. */
  reason: string;
}

/** No commit the deploy's policy could be trusted from: the deploy is refused (exit 1), with why. */
export class UntrustedPolicyError extends Error {
  override readonly name = "UntrustedPolicyError";
}

/** The environment asked for is not in the trusted config: a set-up problem (exit 2). */
export class UnknownEnvironmentError extends Error {
  override readonly name = "UnknownEnvironmentError";
}

export interface TrustedPolicyInput {
  /** The GitHub deployments of the repository (`GitHubRepository`). */
  deployments: { lastSuccessfulDeployment(environment: string | null): Promise<SuccessfulDeployment | null> };
  /** A clone holding the pushed commit. */
  workspace: string;
  /** The environment being deployed; null: any (to learn from trusted history which one a merge deploys). */
  environment: string | null;
  /** The push's `before` (the branch tip before it). */
  before: string | null | undefined;
  /** The pushed commit. */
  after: string;
  /** Brings a commit that no branch holds into the clone (the bot's clone has branches only). */
  fetchCommit?: (sha: string) => Promise<boolean>;
}

/**
 * THE decision, for both front doors (`flowops ci deploy` and `flowops bot serve`), of the commit
 * whose `flowops.config.yaml` gives a deploy its policy (`deploy.*`) and environment settings:
 *
 * 1. the commit of the latest successful flowops deployment of the environment (it passed the
 *    gate itself); when that commit is no longer in the repository, the deploy is refused: a
 *    rewritten history is not trusted, and falling back to `before` would let a second push
 *    deploy under the first one's policy;
 * 2. when the environment was never deployed: the push's `before`, if it is an ancestor of the
 *    pushed commit;
 * 3. otherwise (a force push, an old tip missing from the clone, a new branch): refused.
 *
 * Never the pushed commit nor its parent: those are the pusher's own.
 */
export async function trustedPolicyCommit(input: TrustedPolicyInput): Promise<TrustedPolicyCommit> {
  const { workspace, environment, after } = input;
  const where = environment ? `environment ${environment}` : "any environment";
  const deployment = await input.deployments.lastSuccessfulDeployment(environment);
  if (deployment) {
    const present = (await hasCommit(workspace, deployment.sha)) || ((await input.fetchCommit?.(deployment.sha)) ?? false);
    if (!present) {
      throw new UntrustedPolicyError(
        `the policy cannot be trusted: the last successful deployment of ${deployment.environment} (${short(deployment.sha)}) is no longer in the repository, ` +
          "so its history was rewritten (a force push?). Nothing was deployed. Restore that commit on a branch, or have an administrator record a deployment of a reviewed commit, then push again.",
      );
    }
    return { sha: deployment.sha, source: "deployment", reason: `policy from ${short(deployment.sha)}, the last successful deployment of ${deployment.environment}` };
  }
  const before = input.before ?? "";
  if (!before || ZERO_SHA.test(before)) {
    throw new UntrustedPolicyError(`the policy cannot be trusted: ${where} has no successful flowops deployment and the push has no previous tip (a new branch). Nothing was deployed.`);
  }
  if (!(await hasCommit(workspace, before))) {
    throw new UntrustedPolicyError(
      `the policy cannot be trusted: ${where} has no successful flowops deployment and the branch tip before this push (${short(before)}) is not in the repository (a force push rewrote it). ` +
        "Nothing was deployed. Push the change on top of the previous tip, through a reviewed pull request.",
    );
  }
  if (!(await isAncestor(workspace, before, after))) {
    throw new UntrustedPolicyError(
      `the policy cannot be trusted: ${where} has no successful flowops deployment and the branch tip before this push (${short(before)}) is not an ancestor of ${short(after)} (a force push). ` +
        "Nothing was deployed. Push the change on top of the previous tip, through a reviewed pull request.",
    );
  }
  return { sha: before, source: "before", reason: `policy from ${short(before)}, the branch before this push (${where} has no successful deployment yet)` };
}

/**
 * The environment a push deploys and its policy, both from trusted history (see
 * {@link trustedPolicyCommit}). Without `environment`, the first environment of the trusted
 * policy is deployed (what a merge deploys in the App).
 */
export async function resolveDeployPolicy(
  input: Omit<TrustedPolicyInput, "environment"> & { environment?: string | undefined; flowops: Pick<FlowopsChecks, "readPolicy"> },
): Promise<{ env: string; policy: RepositoryPolicy; policyCommit: TrustedPolicyCommit }> {
  let env = input.environment;
  let known: { commit: TrustedPolicyCommit; policy: RepositoryPolicy } | undefined;
  if (!env) {
    const commit = await trustedPolicyCommit({ ...input, environment: null });
    const policy = await input.flowops.readPolicy(input.workspace, commit.sha);
    env = policy.environments[0];
    if (!env) throw new UntrustedPolicyError(`flowops.config.yaml at ${short(commit.sha)} (${commit.reason}) defines no environment to deploy to`);
    known = { commit, policy };
  }
  const commit = await trustedPolicyCommit({ ...input, environment: env });
  const policy = known && known.commit.sha === commit.sha ? known.policy : await input.flowops.readPolicy(input.workspace, commit.sha);
  if (!policy.environments.includes(env)) {
    throw new UnknownEnvironmentError(`environment ${env} is not in flowops.config.yaml (${policy.environments.join(", ") || "none defined"}) at ${short(commit.sha)}, ${commit.reason}; fix --env`);
  }
  return { env, policy, policyCommit: commit };
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
