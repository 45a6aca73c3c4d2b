import { createHash } from "node:crypto";
import { deployEnvironment, DeployRefusedError, formatReportText, KestraApiError, KestraClient, KestraConfigError, namespaceScopes, planEnvironment, type DeployReport, type PlannedFlow } from "@flowops/deploy";
import { lintRepository } from "@flowops/lint";
import { readRepository, renderSteps, type FlowRepository } from "@flowops/render";
import { formatImpactMarkdown, ImpactError, impactOfRefs } from "@flowops/tenant-diff";
import { KestraTargetRefusedError, type KestraTargets } from "./kestra-targets.js";
import { readPolicyFromGit } from "./policy.js";
import type { DeployOutcome, DriftKind, DriftOutcome, FlowDrift, FlowopsChecks, ImpactOutcome, LintOutcome, TenantDeployResult } from "./types.js";

export interface FlowopsChecksOptions {
  /** Where each environment deploys and with which credentials: the operator's side, never the repository's. */
  kestra: KestraTargets;
  /** Writes in flight at once during a deploy. */
  concurrency?: number;
}

/** The bot's flowops work done by the real packages: lint, impact, deploy and reading policy. */
export function flowopsChecks(options: FlowopsChecksOptions): FlowopsChecks {
  return {
    readPolicy: readPolicyFromGit,

    async lint(workspace): Promise<LintOutcome> {
      const repository = await readRepository({ cwd: workspace });
      // Render by render, as `flowops lint` does: the check of a large platform holds one flow and the compact index at a time.
      const result = lintRepository(repository, renderSteps(repository));
      return {
        diagnostics: result.diagnostics.map((d) => ({ rule: d.rule, severity: d.severity, message: d.message, file: d.file, line: d.line, column: d.column, tenants: [...d.tenants] })),
        errorCount: result.errorCount,
      };
    },

    async impact(workspace, baseSha, headSha): Promise<ImpactOutcome> {
      const { report, refs, baseRepo, headRepo } = await impactOfRefs({ cwd: workspace, base: baseSha, head: headSha });
      const changed = [...report.changes, ...report.impacted];
      // impact's base side is the merge base; when the base branch has moved on since, the tenants
      // of its tip count too, so only then is the repository read a third time.
      const baseTipRepo = refs.baseCommit === baseSha ? baseRepo : await readRepository({ cwd: workspace, ref: baseSha });
      const owners = namespaceOwners([baseTipRepo, headRepo]);
      const changedTenants = [...new Set(changed.flatMap((c) => [...(c.tenant === null ? [] : [c.tenant]), ...owners(c.namespace)]))].sort();
      return {
        markdown: formatImpactMarkdown(report, { fullReportCommand: `npx flowops impact --base ${baseSha} --head ${headSha}` }),
        summary: { ...report.summary },
        changedTenants,
      };
    },

    async deploy(workspace, env, request): Promise<DeployOutcome> {
      try {
        // prune and maxDeleteShare come from the trusted policy commit, not from the pushed config.
        const { report } = await deployEnvironment({
          repository: workspace,
          env,
          kestra: (environment) => new KestraClient(options.kestra.clientOptions(environment)),
          ...(request.previousSha ? { baseline: { ref: request.previousSha, ifUnreadable: "ignore" as const } } : {}),
          prune: request.policy.prune,
          maxDeleteShare: request.policy.maxDeleteShare,
          ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        });
        return { ok: report.summary.failed === 0, perTenant: perTenant(report), text: formatReportText(report, "deploy") };
      } catch (error) {
        if (error instanceof KestraTargetRefusedError || error instanceof DeployRefusedError || error instanceof KestraApiError || error instanceof KestraConfigError || error instanceof ImpactError) {
          return { ok: false, perTenant: [], text: `Nothing was deployed: ${error.message}` };
        }
        throw error;
      }
    },

    async drift(workspace, env, request): Promise<DriftOutcome> {
      try {
        // The plan a deploy of the same commit would make (same policy, reads only).
        const { plan } = await planEnvironment({
          repository: workspace,
          env,
          kestra: (environment) => new KestraClient(options.kestra.clientOptions(environment)),
          prune: request.policy.prune,
          maxDeleteShare: request.policy.maxDeleteShare,
        });
        if (plan.problems.length > 0) {
          return { ok: false, drift: [], text: `${env} cannot be planned at ${request.sha.slice(0, 12)}: ${plan.problems.map((p) => p.message).join("; ")}` };
        }
        return { ok: true, drift: plan.flows.map(driftOf).filter((d): d is FlowDrift => d !== null) };
      } catch (error) {
        if (error instanceof KestraTargetRefusedError || error instanceof KestraApiError || error instanceof KestraConfigError) {
          return { ok: false, drift: [], text: `${env} could not be compared with Kestra: ${error.message}` };
        }
        throw error;
      }
    },
  };
}

const DRIFT_KIND: Partial<Record<PlannedFlow["action"], DriftKind>> = { update: "changed", create: "missing", delete: "not-in-git" };

/** A planned action at the deployed commit is drift; a flow held by an unlabelled one (adoption) is not flowops's. */
function driftOf(flow: PlannedFlow): FlowDrift | null {
  const kind = DRIFT_KIND[flow.action];
  if (!kind || flow.conflict) return null;
  return {
    tenant: flow.tenant,
    namespace: flow.namespace,
    id: flow.id,
    kind,
    ...(kind !== "missing" && flow.liveRevision !== undefined ? { liveRevision: flow.liveRevision } : {}),
    ...(kind !== "missing" && flow.liveSource !== undefined ? { liveHash: createHash("sha256").update(flow.liveSource).digest("hex") } : {}),
  };
}

/**
 * Which tenants' namespace trees a namespace lies in, by the namespace pattern of each of
 * `repositories` (every environment): protected tenants are judged by where a change writes,
 * not by the tenant a template was rendered for.
 */
function namespaceOwners(repositories: readonly FlowRepository[]): (namespace: string) => string[] {
  const scopes: { tenant: string; root: string }[] = [];
  for (const repository of repositories) {
    for (const env of repository.config.environments) {
      for (const scope of namespaceScopes(repository, env.name, [])) if (scope.tenant !== null) scopes.push({ tenant: scope.tenant, root: scope.root });
    }
  }
  return (namespace) => [...new Set(scopes.filter((s) => namespace === s.root || namespace.startsWith(`${s.root}.`)).map((s) => s.tenant))];
}

function perTenant(report: DeployReport): TenantDeployResult[] {
  const byTenant = new Map<string | null, TenantDeployResult>();
  for (const action of report.actions) {
    let result = byTenant.get(action.tenant);
    if (!result) byTenant.set(action.tenant, (result = { tenant: action.tenant, ok: true, created: 0, updated: 0, deleted: 0, unchanged: 0 }));
    if (action.status === "failed") {
      result.ok = false;
      result.error ??= `${action.namespace}/${action.id}: ${action.error ?? "failed"}`;
    } else if (action.status === "done" || action.action === "unchanged") {
      const counter = ({ create: "created", update: "updated", delete: "deleted", unchanged: "unchanged" } as const)[action.action];
      result[counter] = (result[counter] ?? 0) + 1;
    }
  }
  return [...byTenant.values()];
}
