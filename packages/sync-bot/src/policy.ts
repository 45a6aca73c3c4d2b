import { readRepository, type FlowopsConfig } from "@flowops/render";
import type { RepositoryPolicy } from "./types.js";

/** The bot's policy from a normalised `flowops.config.yaml`. */
export function policyFromConfig(config: FlowopsConfig): RepositoryPolicy {
  return {
    deployBranch: config.deploy.branch,
    approvals: config.deploy.approvals,
    allowedPushers: [...config.deploy.allowedPushers],
    protectedTenants: [...config.deploy.protectedTenants],
    prune: config.deploy.prune,
    maxDeleteShare: config.deploy.maxDeleteShare,
    selfHeal: config.deploy.selfHeal,
    environments: config.environments.map((env) => env.name),
  };
}

/**
 * Reads the policy from `flowops.config.yaml` at a Git ref of the repository in `workspace`
 * (without checking it out): the implementation of `FlowopsChecks.readPolicy`. A missing or
 * invalid config yields the defaults (one approval, no allow list), never a laxer policy.
 */
export async function readPolicyFromGit(workspace: string, ref: string): Promise<RepositoryPolicy> {
  const repository = await readRepository({ cwd: workspace, ref });
  return policyFromConfig(repository.config);
}
