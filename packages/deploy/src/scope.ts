import type { FlowRepository } from "@flowops/render";
import type { DesiredFlow, NamespaceScope } from "./types.js";

/**
 * The namespace trees a deploy owns in one environment, from the config's namespace pattern: the
 * literal part before the first `${flow.…}` placeholder, with `${tenant.…}` and `${env.…}` filled
 * in, cut at a dot. With the default pattern `${tenant.code}.${flow.folder}` each tenant owns
 * `<code>` and `<code>.*`. Tenants with no flow rendered in the environment still own their tree,
 * so their flows can be pruned. When the pattern gives no usable root (a plain repository, or a
 * pattern starting with `${flow.…}`), the roots come from the desired flows' namespaces.
 */
export function namespaceScopes(repository: FlowRepository, env: string, desired: readonly DesiredFlow[]): NamespaceScope[] {
  if (repository.mode === "plain") return scopesFromDesired(desired);
  const environment = repository.config.environments.find((e) => e.name === env);
  const scopes: NamespaceScope[] = [];
  for (const tenant of repository.tenants) {
    if (tenant.environments && !tenant.environments.includes(env)) continue;
    const root = patternRoot(repository.config.namespacePattern, { tenant: tenant.values, env: { name: env, vars: environment?.vars ?? {} } });
    if (root === undefined) return scopesFromDesired(desired);
    scopes.push({ tenant: tenant.code, root });
  }
  const covered = scopes.length > 0 ? desired.every((flow) => scopes.some((s) => s.tenant === flow.tenant && inTree(flow.namespace, s.root))) : false;
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
  const sorted = [...scopes].sort((a, b) => a.root.length - b.root.length || a.root.localeCompare(b.root));
  const kept: NamespaceScope[] = [];
  for (const scope of sorted) {
    if (kept.some((k) => k.tenant === scope.tenant && inTree(scope.root, k.root))) continue;
    kept.push(scope);
  }
  return kept.sort((a, b) => String(a.tenant).localeCompare(String(b.tenant)) || a.root.localeCompare(b.root));
}

export function inTree(namespace: string, root: string): boolean {
  return namespace === root || namespace.startsWith(`${root}.`);
}

/** The scope a namespace belongs to: the one with the longest matching root. */
export function scopeOf(namespace: string, scopes: readonly NamespaceScope[]): NamespaceScope | undefined {
  let best: NamespaceScope | undefined;
  for (const scope of scopes) if (inTree(namespace, scope.root) && (!best || scope.root.length > best.root.length)) best = scope;
  return best;
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
