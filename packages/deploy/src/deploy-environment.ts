import { readRepository } from "@flowops/render";
import type { EnvironmentConfig, FlowRepository, RenderedFlow } from "@flowops/render";
import type { KestraClient } from "@flowops/kestra";
import { apply, checkGuards, planReport } from "./apply.js";
import type { DeployRefusedError } from "./apply.js";
import { baselineAt, deployInputs } from "./environment.js";
import { plan } from "./plan.js";
import type { DeployPlan, DeployProgress, DeployReport } from "./types.js";

export interface DeployEnvironmentOptions {
  /** The repository as read, or the folder to read its working tree from. */
  repository: FlowRepository | string;
  env: string;
  /**
   * The Kestra client for this environment, or how to make one from the environment's config.
   * The caller decides where the URL and credentials come from (a flag, the operator's side).
   */
  kestra: KestraClient | ((environment: EnvironmentConfig) => KestraClient);
  /**
   * The commit last deployed: a managed flow whose live source differs from its render there was
   * changed outside Git (drift). `ifUnreadable: "fail"` throws {@link BaselineUnreadableError}
   * when that commit cannot be read or rendered; `"ignore"` plans without drift.
   */
  baseline?: { ref: string; ifUnreadable: "fail" | "ignore" };
  /** Delete managed flows Git no longer renders; default: the repository's `deploy.prune`. */
  prune?: boolean;
  /**
   * The largest share of managed flows one deploy may delete; default: the repository's
   * `deploy.maxDeleteShare`. The bot passes the value of its trusted policy commit.
   */
  maxDeleteShare?: number;
  /** Go past the mass-delete guard (never past render problems or an empty desired set). */
  force?: boolean;
  /** Plan only: read Kestra, write nothing, and say whether a deploy would be refused. */
  dryRun?: boolean;
  /** Dry run: give each update the unified diff from the live to the rendered source. */
  diff?: boolean;
  /** Writes in flight at once. */
  concurrency?: number;
  onProgress?: (progress: DeployProgress) => void;
}

export interface EnvironmentDeployment {
  plan: DeployPlan;
  /** The plan as a report (dry run), or what was carried out. */
  report: DeployReport;
  /** Dry run only: why the same deploy would be refused, if it would. */
  refusal?: DeployRefusedError;
  /** Whether deletes were part of it (the option, else the repository's policy). */
  prune: boolean;
}

/** The commit named as baseline cannot be read or rendered for the environment. */
export class BaselineUnreadableError extends Error {
  override readonly name = "BaselineUnreadableError";
  constructor(
    readonly ref: string,
    readonly env: string,
  ) {
    super(`--baseline ${ref}: that commit cannot be read or rendered for ${env}; pass the commit last deployed`);
  }
}

/**
 * One environment, end to end: read the repository, render it, read Kestra, plan, check the
 * guards, then apply (or, with `dryRun`, stop at the plan). The one wiring behind `flowops plan`,
 * `flowops deploy`, `flowops ci deploy` and the bot. Throws `DeployRefusedError` (before any write)
 * when the deploy must not run, and Kestra's errors as they come.
 */
export async function deployEnvironment(options: DeployEnvironmentOptions): Promise<EnvironmentDeployment> {
  const { plan: deployPlan, client, prune } = await planEnvironment(options);
  if (options.dryRun) {
    const refusal = checkGuards(deployPlan, { prune, force: options.force ?? false });
    return { plan: deployPlan, report: planReport(deployPlan, { prune, diff: options.diff ?? false }), prune, ...(refusal ? { refusal } : {}) };
  }
  const report = await apply(deployPlan, {
    client,
    prune,
    force: options.force ?? false,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { plan: deployPlan, report, prune };
}

/** Reads the repository, renders the environment, reads Kestra and plans: the shared first half. */
export async function planEnvironment(
  options: Pick<DeployEnvironmentOptions, "repository" | "env" | "kestra" | "baseline" | "prune" | "maxDeleteShare">,
): Promise<{ plan: DeployPlan; client: KestraClient; prune: boolean }> {
  const { env } = options;
  const repository = typeof options.repository === "string" ? await readRepository({ cwd: options.repository }) : options.repository;
  const inputs = deployInputs(repository, env);
  let baseline: RenderedFlow[] | undefined;
  if (options.baseline) {
    baseline = await baselineAt(repository.root, options.baseline.ref, env);
    if (!baseline && options.baseline.ifUnreadable === "fail") throw new BaselineUnreadableError(options.baseline.ref, env);
  }
  const client = typeof options.kestra === "function" ? options.kestra(inputs.environment) : options.kestra;
  const prune = options.prune ?? inputs.policy.prune ?? false;
  const deployPlan = await plan({ env, desired: inputs.desired, client, policy: { ...inputs.policy, prune, ...(options.maxDeleteShare !== undefined ? { maxDeleteShare: options.maxDeleteShare } : {}) }, scopes: inputs.scopes,
    problems: inputs.problems,
    ...(baseline ? { baseline } : {}),
    ...(inputs.tenantOfNamespace ? { tenantOfNamespace: inputs.tenantOfNamespace } : {}),
  });
  return { plan: deployPlan, client, prune };
}
