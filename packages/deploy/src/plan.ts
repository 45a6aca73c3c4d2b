import { sameSource } from "@flowops/kestra";
import type { KestraClient, KestraFlow } from "@flowops/kestra";
import type { RepositoryProblem } from "@flowops/render";
import { parse as parseYaml } from "yaml";
import { TENANT_LABEL } from "@flowops/render";
import { dependencyKeys } from "./dependencies.js";
import { outsideOwnTree, scopeLookup, scopesFromDesired, searchPrefixes } from "./scope.js";
import type { DeployPlan, DeployPolicyOptions, DesiredFlow, NamespaceScope, PlannedFlow, PlanProblem, UnmanagedFlow } from "./types.js";

export const DEFAULT_OWNERSHIP_LABEL = { key: "managed-by", value: "flowops" } as const;
export const DEFAULT_MAX_DELETE_SHARE = 0.25;

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
  problems?: readonly RepositoryProblem[];
  /**
   * What Git rendered at the last deploy, if known: a managed live flow whose source differs
   * from it was changed outside Git (drift).
   */
  baseline?: readonly DesiredFlow[];
  /** The tenant of a managed flow that has no tenant label and lies in no scope (see `deployInputs`). */
  tenantOfNamespace?: (namespace: string) => string | undefined;
}

/**
 * Compares the desired flows with what Kestra holds and decides, per flow, create / update /
 * delete / unchanged. Every managed flow of the Kestra tenant is a delete candidate when Git no
 * longer renders it. Reads only: one paged label search, one paged search per namespace group
 * and one export request per 2,500 managed flows (see `@flowops/kestra`). Flows without the
 * ownership label are listed as unmanaged and never touched.
 */
export async function plan(options: PlanOptions): Promise<DeployPlan> {
  const { env, desired, client } = options;
  const ownershipLabel = options.policy?.ownershipLabel ?? DEFAULT_OWNERSHIP_LABEL;
  const policy = { prune: options.policy?.prune ?? false, maxDeleteShare: options.policy?.maxDeleteShare ?? DEFAULT_MAX_DELETE_SHARE, ownershipLabel };
  const problems: PlanProblem[] = (options.problems ?? []).map((problem) => ({ kind: "repository", message: describeProblem(problem), problem }));
  if (desired.length === 0) {
    problems.push({ kind: "empty-desired", env, message: `nothing to deploy: no flow is rendered for environment '${env}'. Refusing to deploy an empty set, which could only delete flows` });
  }
  const desiredByKey = new Map<string, DesiredFlow>();
  for (const flow of desired) {
    const key = `${flow.namespace}/${flow.id}`;
    const other = desiredByKey.get(key);
    if (other) {
      const message = `two rendered flows have namespace '${flow.namespace}' and id '${flow.id}' (${describeOrigin(other)} and ${describeOrigin(flow)})`;
      problems.push({ kind: "duplicate-flow", namespace: flow.namespace, id: flow.id, message });
    }
    if (flow.env !== env) {
      problems.push({ kind: "wrong-environment", namespace: flow.namespace, id: flow.id, renderedFor: flow.env, message: `flow ${key} was rendered for environment '${flow.env}', not '${env}'` });
    }
    desiredByKey.set(key, flow);
  }

  const scopes = options.scopes ? [...options.scopes] : scopesFromDesired(desired);
  const scopeOf = scopeLookup(scopes);
  // The trust boundary, checked again here whatever produced the flows: each stays in its tenant's trees.
  for (const flow of desired) {
    const outside = outsideOwnTree(flow, scopes, scopeOf);
    if (outside) problems.push({ kind: "outside-tenant-namespaces", namespace: flow.namespace, id: flow.id, message: outside });
  }
  const requestsBefore = client.requestCount;
  const info = await client.serverInfo();

  const live = await readLiveFlows(client, scopes, ownershipLabel, options.tenantOfNamespace);
  const managedKeys = [...live.managed.values()].map(({ flow }) => ({ namespace: flow.namespace, id: flow.id }));
  const sources = await client.getFlowSources(managedKeys);
  const baseline = new Map((options.baseline ?? []).map((flow) => [`${flow.namespace}/${flow.id}`, flow.source]));

  const flows: PlannedFlow[] = [];
  const unmanaged: UnmanagedFlow[] = [...live.unmanaged.values()].map(({ flow, scope }) => unmanagedOf(flow, scope));
  const desiredFlows = [...desiredByKey.values()];
  for (const [key, wanted] of desiredByKey) {
    const references = dependencyKeys(wanted.document, wanted, desiredFlows);
    const planned: PlannedFlow = { tenant: wanted.tenant, namespace: wanted.namespace, id: wanted.id, action: "create", desired: wanted, dependsOn: references };
    const held = live.unmanaged.get(key);
    if (held) {
      planned.conflict = {
        kind: "unmanaged",
        message: `Kestra already has flow ${key} without the label ${ownershipLabel.key}: ${ownershipLabel.value}; flowops never takes over a flow silently. Run \`flowops adopt --env ${env}\` to review the difference and hand it over, or rename the template's flow`,
      };
      if (held.flow.revision !== undefined) planned.liveRevision = held.flow.revision;
    } else {
      const found = live.managed.get(key);
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
  for (const [key, { flow, tenant }] of live.managed) {
    if (desiredByKey.has(key)) continue;
    const planned: PlannedFlow = { tenant, namespace: flow.namespace, id: flow.id, action: "delete", dependsOn: [] };
    const source = sources.get(key);
    if (source !== undefined) {
      planned.liveSource = source;
      planned.dependsOn = liveReferences(source, flow, [...live.managed.values()].map((entry) => entry.flow));
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

/** What Kestra holds that a plan looks at, keyed `namespace/id`. */
export interface LiveFlows {
  /** Every flow with the ownership label, wherever it is, with the tenant it was deployed for. */
  managed: Map<string, { flow: KestraFlow; tenant: string | null }>;
  /** Flows without the label inside the owned namespace trees: never changed, never deleted. */
  unmanaged: Map<string, { flow: KestraFlow; scope: NamespaceScope }>;
}

/**
 * Reads the live side of a plan: every managed flow of the Kestra tenant by a paged search on the
 * ownership label (so the flows of a deleted tenant, of a tenant that left this environment or of
 * a deleted template are found, whatever their namespace), and the owned namespace trees by a
 * paged namespace search (for flows without the label). A managed flow's tenant is its
 * `flowops.tenant` label, else the scope its namespace lies in (flows deployed before that label),
 * else what `tenantOfNamespace` says.
 */
export async function readLiveFlows(
  client: KestraClient,
  scopes: readonly NamespaceScope[],
  ownershipLabel: { key: string; value: string },
  tenantOfNamespace: (namespace: string) => string | undefined = () => undefined,
): Promise<LiveFlows> {
  const scopeOf = scopeLookup(scopes);
  const managed: LiveFlows["managed"] = new Map();
  const unmanaged: LiveFlows["unmanaged"] = new Map();
  const addManaged = (flow: KestraFlow) => managed.set(`${flow.namespace}/${flow.id}`, { flow, tenant: labelValue(flow, TENANT_LABEL) ?? scopeOf(flow.namespace)?.tenant ?? tenantOfNamespace(flow.namespace) ?? null });
  for (const flow of await client.listFlows({ labels: { [ownershipLabel.key]: ownershipLabel.value } })) {
    // The server filtered on the label; checking again costs nothing and guards against a server that ignored the filter.
    if (isManaged(flow, ownershipLabel)) addManaged(flow);
  }
  for (const prefix of searchPrefixes(scopes)) {
    for (const flow of await client.listFlows(prefix === undefined ? {} : { namespacePrefix: prefix })) {
      const key = `${flow.namespace}/${flow.id}`;
      if (managed.has(key)) continue;
      if (isManaged(flow, ownershipLabel)) addManaged(flow);
      else {
        const scope = scopeOf(flow.namespace);
        if (scope) unmanaged.set(key, { flow, scope });
      }
    }
  }
  return { managed, unmanaged };
}

/** The value of one label of a live flow (Kestra answers a list of `{key, value}`; a map is read too). */
export function labelValue(flow: KestraFlow, key: string): string | undefined {
  const labels = flow.labels;
  if (Array.isArray(labels)) {
    const found = labels.find((l) => l.key === key);
    return found === undefined ? undefined : String(found.value);
  }
  if (labels && typeof labels === "object") {
    const value = (labels as Record<string, unknown>)[key];
    return value === undefined || value === null ? undefined : String(value as string);
  }
  return undefined;
}

/** True when a live flow carries the ownership label. */
export function isManaged(flow: KestraFlow, label: { key: string; value: string }): boolean {
  return labelValue(flow, label.key) === label.value;
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

function describeProblem(problem: RepositoryProblem): string {
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
