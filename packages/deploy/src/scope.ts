import type { FlowRepository } from "@flowops/render";
import type { DesiredFlow, NamespaceScope } from "./types.js";

/**
 * The namespace trees a deploy owns in one environment, from the config's namespace pattern: the
 * literal part before the first `${flow.…}` placeholder, with `${tenant.…}` and `${env.…}` filled
 * in, cut at a dot. With the default pattern `${tenant.code}.${flow.folder}` each tenant owns
 * `<code>` and `<code>.*`. Every tenant of the repository owns its tree in every environment,
 * including tenants not deployed to this one, so the flows of a tenant that leaves an environment
 * can be pruned. When the pattern gives no usable root (a plain repository, or a
 * pattern starting with `${flow.…}`), the roots come from the desired flows' namespaces.
 */
export function namespaceScopes(repository: FlowRepository, env: string, desired: readonly DesiredFlow[]): NamespaceScope[] {
  if (repository.mode === "plain") return scopesFromDesired(desired);
  const environment = repository.config.environments.find((e) => e.name === env);
  const scopes: NamespaceScope[] = [];
  for (const tenant of repository.tenants) {
    const root = patternRoot(repository.config.namespacePattern, { tenant: tenant.values, env: { name: env, vars: environment?.vars ?? {} } });
    if (root === undefined) return scopesFromDesired(desired);
    scopes.push({ tenant: tenant.code, root });
  }
  const lookup = scopeLookup(scopes);
  const covered = scopes.length > 0 && desired.every((flow) => lookup(flow.namespace)?.tenant === flow.tenant);
  // A desired flow outside its tenant's root (an unusual pattern): fall back rather than miss it.
  return covered ? minimize(scopes) : minimize([...scopes, ...scopesFromDesired(desired)]);
}

/**
 * Roots from the desired flows alone: per tenant, each namespace cut after the tenant code's
 * segment when the namespace contains it (`customer_1.bronze` → `customer_1`), else the namespace.
 */
export function scopesFromDesired(desired: readonly DesiredFlow[]): NamespaceScope[] {
  const scopes: NamespaceScope[] = [];
  for (const flow of desired) {
    const segments = flow.namespace.split(".");
    const at = flow.tenant === null ? -1 : segments.indexOf(flow.tenant);
    const root = at >= 0 ? segments.slice(0, at + 1).join(".") : flow.namespace;
    scopes.push({ tenant: flow.tenant, root });
  }
  return minimize(scopes);
}

function patternRoot(pattern: string, context: Record<string, unknown>): string | undefined {
  const flowAt = pattern.search(/\$\{\s*flow\./);
  const literal = flowAt === -1 ? pattern : pattern.slice(0, flowAt);
  let unresolved = false;
  const filled = literal.replace(/\$\{\s*([^}]+?)\s*\}/g, (_match, path: string) => {
    let value: unknown = context;
    for (const part of path.split(".")) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    if (typeof value !== "string" && typeof value !== "number") {
      unresolved = true;
      return "";
    }
    return String(value);
  });
  if (unresolved) return undefined;
  const root = flowAt === -1 ? filled : filled.slice(0, filled.lastIndexOf(".") === -1 ? 0 : filled.lastIndexOf("."));
  return /^[a-z0-9][a-z0-9._-]*$/.test(root) && !root.endsWith(".") ? root : undefined;
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

export function inTree(namespace: string, root: string): boolean {
  return namespace === root || namespace.startsWith(`${root}.`);
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
