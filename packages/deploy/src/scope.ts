import { tenantNamespaceRoots, type FlowRepository } from "@flowops/render";
import type { DesiredFlow, NamespaceScope } from "./types.js";

/**
 * The namespace trees a deploy owns in one environment: each tenant's trees as render enforces
 * them (`tenantNamespaceRoots`: the root the namespace pattern gives the tenant's code, e.g.
 * `<code>` for `${tenant.code}.${flow.folder}`, and the `namespaces` its file lists). Every tenant
 * of the repository owns its trees in every environment, including tenants not deployed to this
 * one, so the flows of a tenant that leaves an environment can be pruned. They come from the
 * repository alone, never from the desired flows: `plan` refuses a flow outside its tenant's
 * trees. In a plain repository the roots are the desired flows' namespaces.
 */
export function namespaceScopes(repository: FlowRepository, _env: string, desired: readonly DesiredFlow[]): NamespaceScope[] {
  if (repository.mode === "plain") return scopesFromDesired(desired);
  const scopes: NamespaceScope[] = [];
  for (const tenant of repository.tenants) for (const root of tenantNamespaceRoots(repository.config, tenant)) scopes.push({ tenant: tenant.code, root });
  return minimize(scopes);
}

/**
 * Roots from the desired flows alone (when no repository is at hand): per tenant, each namespace
 * cut after the tenant code's segment (`customer_1.bronze` → `customer_1`); a tenant's flow whose
 * namespace has no such segment gives no root, so `plan` refuses it. A flow without a tenant owns
 * its own namespace.
 */
export function scopesFromDesired(desired: readonly DesiredFlow[]): NamespaceScope[] {
  const scopes: NamespaceScope[] = [];
  for (const flow of desired) {
    if (flow.tenant === null) {
      scopes.push({ tenant: null, root: flow.namespace });
      continue;
    }
    const segments = flow.namespace.split(".");
    const at = segments.indexOf(flow.tenant);
    if (at >= 0) scopes.push({ tenant: flow.tenant, root: segments.slice(0, at + 1).join(".") });
  }
  return minimize(scopes);
}

/**
 * Why a flow cannot be written into its namespace: it lies outside every tree of its own tenant
 * (trees of different tenants never overlap). Undefined when it is inside.
 */
export function outsideOwnTree(flow: { tenant: string | null; namespace: string; id: string }, scopes: readonly NamespaceScope[], scopeOf = scopeLookup(scopes)): string | undefined {
  if (scopeOf(flow.namespace)?.tenant === flow.tenant) return undefined;
  const own = scopes.filter((s) => s.tenant === flow.tenant).map((s) => s.root);
  const who = flow.tenant === null ? "a flow without a tenant" : `a flow of tenant ${flow.tenant}`;
  return `${flow.namespace}/${flow.id} is ${who} outside that tenant's namespaces (${own.length > 0 ? own.join(", ") : "none"}); a tenant's flows are only written into its own namespaces, so nothing is deployed`;
}

/** Drops duplicates and roots inside another root of the same tenant; sorted. */
function minimize(scopes: NamespaceScope[]): NamespaceScope[] {
  const rootsByTenant = new Map<string | null, Set<string>>();
  for (const scope of scopes) {
    const roots = rootsByTenant.get(scope.tenant) ?? new Set<string>();
    roots.add(scope.root);
    rootsByTenant.set(scope.tenant, roots);
  }
  const kept: NamespaceScope[] = [];
  for (const [tenant, roots] of rootsByTenant) {
    for (const root of roots) {
      if (!ancestors(root).some((ancestor) => roots.has(ancestor))) kept.push({ tenant, root });
    }
  }
  return kept.sort((a, b) => String(a.tenant).localeCompare(String(b.tenant)) || a.root.localeCompare(b.root));
}

/** `a.b.c` → [`a`, `a.b`]: the proper ancestors of a namespace. */
function ancestors(namespace: string): string[] {
  const out: string[] = [];
  for (let at = namespace.indexOf("."); at !== -1; at = namespace.indexOf(".", at + 1)) out.push(namespace.slice(0, at));
  return out;
}

/**
 * A lookup of the scope a namespace belongs to: the one with the longest matching root, found by
 * walking the namespace's own prefixes (cost grows with its depth, not with the scope count).
 */
export function scopeLookup(scopes: readonly NamespaceScope[]): (namespace: string) => NamespaceScope | undefined {
  const byRoot = new Map<string, NamespaceScope>();
  for (const scope of scopes) if (!byRoot.has(scope.root)) byRoot.set(scope.root, scope);
  return (namespace) => {
    const exact = byRoot.get(namespace);
    if (exact) return exact;
    const prefixes = ancestors(namespace);
    for (let i = prefixes.length - 1; i >= 0; i--) {
      const found = byRoot.get(prefixes[i]!);
      if (found) return found;
    }
    return undefined;
  };
}

/**
 * The searches that cover every scope with the fewest requests: one search under the roots'
 * common dotted prefix when they share one, one per root when there are few, else one search of
 * the whole Kestra tenant (narrowed afterwards). Each search costs ⌈flows / page size⌉ requests.
 */
export function searchPrefixes(scopes: readonly NamespaceScope[], maxSeparateSearches = 4): (string | undefined)[] {
  const roots = [...new Set(scopes.map((s) => s.root))];
  if (roots.length === 0) return [];
  if (roots.length === 1) return roots;
  const common = commonDottedPrefix(roots);
  if (common !== "") return [common];
  return roots.length <= maxSeparateSearches ? roots : [undefined];
}

function commonDottedPrefix(roots: string[]): string {
  const split = roots.map((r) => r.split("."));
  const first = split[0]!;
  let length = 0;
  while (length < first.length && split.every((parts) => parts[length] === first[length])) length++;
  return first.slice(0, length).join(".");
}
