import { sameSource } from "@flowops/kestra";
import type { KestraClient, KestraFlow } from "@flowops/kestra";
import type { RepositoryProblem } from "@flowops/render";
import { parse as parseYaml } from "yaml";
import { dependencyKeys } from "./dependencies.js";
import { scopeLookup, scopesFromDesired, searchPrefixes } from "./scope.js";
import type { DeployPlan, DeployPolicyOptions, DesiredFlow, NamespaceScope, PlannedFlow, UnmanagedFlow } from "./types.js";

export const DEFAULT_OWNERSHIP_LABEL = { key: "managed-by", value: "flowops" } as const;
export const DEFAULT_MAX_DELETE_SHARE = 0.25;
export const EMPTY_DESIRED_PREFIX = "nothing to deploy";

export interface PlanOptions {
  env: string;
  /** The rendered flows of this environment. */
  desired: readonly DesiredFlow[];
  client: KestraClient;
  policy?: DeployPolicyOptions;
  /**
   * The namespace trees this deploy owns (see `namespaceScopes`); default: derived from the
   * desired flows. Live flows outside them are never looked at.
   */
  scopes?: readonly NamespaceScope[];
  /** Render or repository problems: any of them makes the plan unappliable. */
  problems?: readonly (RepositoryProblem | string)[];
  /**
   * What Git rendered at the last deploy, if known: a managed live flow whose source differs
   * from it was changed outside Git (drift).
   */
  baseline?: readonly DesiredFlow[];
}

/**
 * Compares the desired flows with what Kestra holds in the owned namespaces and decides, per
 * flow, create / update / delete / unchanged. Reads only: one paged search per namespace group
 * and one export request per 2,500 managed flows (see `@flowops/kestra`). Flows without the
 * ownership label are listed as unmanaged and never touched.
 */
export async function plan(options: PlanOptions): Promise<DeployPlan> {
  const { env, desired, client } = options;
  const ownershipLabel = options.policy?.ownershipLabel ?? DEFAULT_OWNERSHIP_LABEL;
  const policy = { prune: options.policy?.prune ?? false, maxDeleteShare: options.policy?.maxDeleteShare ?? DEFAULT_MAX_DELETE_SHARE, ownershipLabel };
  const problems = (options.problems ?? []).map(describeProblem);
  if (desired.length === 0) {
    problems.push(`${EMPTY_DESIRED_PREFIX}: no flow is rendered for environment '${env}'. Refusing to deploy an empty set, which could only delete flows`);
  }
  const desiredByKey = new Map<string, DesiredFlow>();
  for (const flow of desired) {
    const key = `${flow.namespace}/${flow.id}`;
    const other = desiredByKey.get(key);
    if (other) problems.push(`two rendered flows have namespace '${flow.namespace}' and id '${flow.id}' (${describeOrigin(other)} and ${describeOrigin(flow)})`);
    if (flow.env !== env) problems.push(`flow ${key} was rendered for environment '${flow.env}', not '${env}'`);
    desiredByKey.set(key, flow);
  }

  const scopes = options.scopes ? [...options.scopes] : scopesFromDesired(desired);
  const requestsBefore = client.requestCount;
  const info = await client.serverInfo();

  const live = new Map<string, { flow: KestraFlow; scope: NamespaceScope }>();
  const scopeOf = scopeLookup(scopes);
  {
    for (const prefix of searchPrefixes(scopes)) {
      const flows = await client.listFlows(prefix === undefined ? {} : { namespacePrefix: prefix });
      for (const flow of flows) {
        const scope = scopeOf(flow.namespace);
        if (scope) live.set(`${flow.namespace}/${flow.id}`, { flow, scope });
      }
    }
    const managedKeys = [...live.values()].filter(({ flow }) => isManaged(flow, ownershipLabel)).map(({ flow }) => ({ namespace: flow.namespace, id: flow.id }));
    const sources = await client.getFlowSources(managedKeys);
    const baseline = new Map((options.baseline ?? []).map((flow) => [`${flow.namespace}/${flow.id}`, flow.source]));

    const flows: PlannedFlow[] = [];
    const unmanaged: UnmanagedFlow[] = [];
    for (const [key, wanted] of desiredByKey) {
      const found = live.get(key);
      const references = dependencyKeys(wanted.document, wanted, desiredByKey.values());
      const planned: PlannedFlow = { tenant: wanted.tenant, namespace: wanted.namespace, id: wanted.id, action: "create", desired: wanted, dependsOn: references };
      if (found && !isManaged(found.flow, ownershipLabel)) {
        planned.conflict = `Kestra already has flow ${key} without the label ${ownershipLabel.key}: ${ownershipLabel.value}; flowops never changes flows it does not own. Add the label in Kestra to hand it over, or rename the template's flow`;
        if (found.flow.revision !== undefined) planned.liveRevision = found.flow.revision;
        unmanaged.push(unmanagedOf(found.flow, found.scope));
      } else {
        const source = found ? sources.get(key) : undefined;
        if (found && source !== undefined) {
          planned.action = sameSource(source, wanted.source) ? "unchanged" : "update";
          planned.liveSource = source;
          if (found.flow.revision !== undefined) planned.liveRevision = found.flow.revision;
        }
        const before = baseline.get(key);
        if (options.baseline) planned.drift = found && source !== undefined ? before !== undefined && !sameSource(source, before) : before !== undefined;
      }
      flows.push(planned);
    }
    for (const [key, { flow, scope }] of live) {
      if (desiredByKey.has(key)) continue;
      if (!isManaged(flow, ownershipLabel)) {
        unmanaged.push(unmanagedOf(flow, scope));
        continue;
      }
      const planned: PlannedFlow = { tenant: scope.tenant, namespace: flow.namespace, id: flow.id, action: "delete", dependsOn: [] };
      const source = sources.get(key);
      if (source !== undefined) {
        planned.liveSource = source;
        planned.dependsOn = liveReferences(source, flow, [...live.values()].map((entry) => entry.flow));
      }
      if (flow.revision !== undefined) planned.liveRevision = flow.revision;
      if (options.baseline) {
        const before = baseline.get(key);
        planned.drift = before !== undefined && source !== undefined && !sameSource(source, before);
      }
      flows.push(planned);
    }
    flows.sort(byLocation);
    unmanaged.sort(byLocation);
    return {
      env,
      kestra: { url: client.url, version: info.version, apiBase: info.apiBase },
      flows,
      unmanaged,
      drift: flows.filter((f) => f.drift === true),
      problems,
      scopes,
      policy,
      managedLiveCount: managedKeys.length,
      requests: client.requestCount - requestsBefore,
    };
  }
}

/** True when a live flow carries the ownership label. */
export function isManaged(flow: KestraFlow, label: { key: string; value: string }): boolean {
  const labels = flow.labels;
  if (Array.isArray(labels)) return labels.some((l) => l.key === label.key && String(l.value) === label.value);
  if (labels && typeof labels === "object") return String((labels as Record<string, unknown>)[label.key]) === label.value;
  return false;
}

function unmanagedOf(flow: KestraFlow, scope: NamespaceScope): UnmanagedFlow {
  const entry: UnmanagedFlow = { tenant: scope.tenant, namespace: flow.namespace, id: flow.id };
  if (flow.revision !== undefined) entry.revision = flow.revision;
  return entry;
}

/** References of a live source, read without trusting it to parse (a hand-edited flow may not). */
function liveReferences(source: string, flow: KestraFlow, liveFlows: readonly KestraFlow[]): string[] {
  // Deletes only need an order; a flow that does not parse has no known references.
  try {
    return dependencyKeys(parseYamlLoosely(source), flow, liveFlows);
  } catch {
    return [];
  }
}

function parseYamlLoosely(source: string): unknown {
  return parseYaml(source, { uniqueKeys: false, maxAliasCount: 100 });
}

function describeProblem(problem: RepositoryProblem | string): string {
  if (typeof problem === "string") return problem;
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  const tenant = problem.tenant ? ` (tenant ${problem.tenant})` : "";
  return `${where}: ${problem.message} [${problem.code}]${tenant}`;
}

function describeOrigin(flow: DesiredFlow): string {
  return flow.template ? `${flow.template}${flow.tenant ? ` for tenant ${flow.tenant}` : ""}` : `tenant ${String(flow.tenant)}`;
}

function byLocation(a: { tenant: string | null; namespace: string; id: string }, b: { tenant: string | null; namespace: string; id: string }): number {
  return String(a.tenant ?? "").localeCompare(String(b.tenant ?? "")) || a.namespace.localeCompare(b.namespace) || a.id.localeCompare(b.id);
}
