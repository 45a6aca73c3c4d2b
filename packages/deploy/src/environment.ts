import { readRepository, render } from "@flowops/render";
import type { EnvironmentConfig, FlowRepository, RenderedFlow, RepositoryProblem } from "@flowops/render";
import { namespaceScopes } from "./scope.js";
import type { DeployPolicyOptions, NamespaceScope } from "./types.js";

/** Everything `plan` needs from a repository for one environment. */
export interface DeployInputs {
  environment: EnvironmentConfig;
  desired: RenderedFlow[];
  /** Repository and render problems: a plan with any of them cannot be applied. */
  problems: RepositoryProblem[];
  scopes: NamespaceScope[];
  policy: DeployPolicyOptions;
  /**
   * The tenant a namespace belongs to by the namespace pattern alone (`${tenant.code}.…` gives the
   * first segment), for managed flows deployed without the tenant label whose tenant file is gone.
   */
  tenantOfNamespace?: (namespace: string) => string | undefined;
}

/**
 * Renders one environment of a repository and gathers what `plan` takes: the desired flows,
 * every problem (reading or rendering), the owned namespace trees and the deploy policy. Throws
 * when the environment does not exist.
 */
export function deployInputs(repository: FlowRepository, env: string): DeployInputs {
  const environment = repository.config.environments.find((e) => e.name === env);
  if (!environment) {
    const known = repository.config.environments.map((e) => e.name).join(", ") || "none";
    throw new Error(`environment '${env}' is not defined in ${repository.configFile ?? "flowops.config.yaml"} (known: ${known})`);
  }
  const result = render(repository, { envs: [env] });
  const [ownershipKey, ownershipValue] = Object.entries(repository.config.ownershipLabels).find(([key]) => key !== "system.readOnly") ?? ["managed-by", "flowops"];
  return {
    environment,
    desired: result.flows,
    problems: [...repository.problems, ...result.problems],
    scopes: namespaceScopes(repository, env, result.flows),
    ...(repository.mode !== "plain" && /^\$\{\s*tenant\.code\s*\}\./.test(repository.config.namespacePattern) ? { tenantOfNamespace: firstSegmentTenant } : {}),
    policy: {
      prune: repository.config.deploy.prune,
      maxDeleteShare: repository.config.deploy.maxDeleteShare,
      ownershipLabel: { key: ownershipKey, value: ownershipValue },
    },
  };
}

/**
 * The flows of `env` as the commit `ref` renders them: the baseline that tells drift (a managed
 * flow changed outside Git) from a change in Git. Undefined when that commit cannot be read or
 * rendered.
 */
export async function baselineAt(workspace: string, ref: string, env: string): Promise<RenderedFlow[] | undefined> {
  try {
    const repository = await readRepository({ cwd: workspace, ref });
    if (!repository.config.environments.some((e) => e.name === env)) return undefined;
    const result = render(repository, { envs: [env] });
    return result.problems.length === 0 && repository.problems.length === 0 ? result.flows : undefined;
  } catch {
    return undefined;
  }
}

function firstSegmentTenant(namespace: string): string | undefined {
  const first = namespace.split(".")[0]!;
  return /^[a-z][a-z0-9_]*$/.test(first) ? first : undefined;
}
