import type { FlowopsConfig, FlowRepository, Tenant } from "./types.js";

const TENANT_CODE = /\$\{\s*tenant\.code\s*\}/;
const VALID_ROOT = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;

/**
 * The root the namespace pattern gives a tenant: the pattern up to the end of the dot-separated
 * segment holding `${tenant.code}`, filled with the code (`customers.${tenant.code}.${flow.folder}`
 * gives `customers.acme`). Undefined when another placeholder comes before that point (then the
 * pattern does not place tenants by their code, and tenants list their `namespaces`).
 */
export function patternRoot(pattern: string, code: string): string | undefined {
  const marker = TENANT_CODE.exec(pattern);
  if (!marker) return undefined;
  const before = pattern.slice(0, marker.index);
  const after = pattern.slice(marker.index + marker[0].length);
  const segmentEnd = after.indexOf(".");
  const rest = segmentEnd === -1 ? after : after.slice(0, segmentEnd);
  if (before.includes("${") || rest.includes("${")) return undefined;
  const root = `${before}${code}${rest}`;
  return VALID_ROOT.test(root) ? root : undefined;
}

/** True when `namespace` is `root` or below it (`root.x`), never a sibling such as `root2`. */
export function isInNamespaceTree(namespace: string, root: string): boolean {
  return namespace === root || namespace.startsWith(`${root}.`);
}

/**
 * The namespace trees a tenant's flows may be written into: the root the config's namespace
 * pattern gives its code, and every namespace its file lists under `namespaces`. Each is a root:
 * the namespace and everything below it. Empty when neither gives one: the tenant may write nowhere.
 */
export function tenantNamespaceRoots(config: Pick<FlowopsConfig, "namespacePattern">, tenant: Pick<Tenant, "code" | "namespaces">): string[] {
  const roots: string[] = [];
  const fromPattern = patternRoot(config.namespacePattern, tenant.code);
  if (fromPattern !== undefined) roots.push(fromPattern);
  for (const namespace of tenant.namespaces ?? []) if (!roots.includes(namespace)) roots.push(namespace);
  return roots;
}

/** True when `namespace` lies in one of the tenant's trees (see {@link tenantNamespaceRoots}). */
export function isTenantNamespace(namespace: string, roots: readonly string[]): boolean {
  return roots.some((root) => isInNamespaceTree(namespace, root));
}

/**
 * Which tenant owns a namespace: the tenant whose tree holds it (trees of different tenants never
 * overlap: `buildRepository` refuses a tenant whose `namespaces` would). Undefined for a namespace
 * no tenant owns, and always in a plain repository. Use it to judge what a change writes or
 * deletes, e.g. whether it touches a protected tenant.
 */
export function namespaceOwner(repository: Pick<FlowRepository, "mode" | "config" | "tenants">): (namespace: string) => string | undefined {
  const byRoot = new Map<string, string>();
  if (repository.mode === "multi-tenant") {
    for (const tenant of repository.tenants) for (const root of tenantNamespaceRoots(repository.config, tenant)) byRoot.set(root, tenant.code);
  }
  return (namespace) => {
    for (const root of selfAndAncestors(namespace)) {
      const owner = byRoot.get(root);
      if (owner !== undefined) return owner;
    }
    return undefined;
  };
}

/** `a.b.c` → [`a.b.c`, `a.b`, `a`]. */
export function selfAndAncestors(namespace: string): string[] {
  const out = [namespace];
  for (let at = namespace.lastIndexOf("."); at > 0; at = namespace.lastIndexOf(".", at - 1)) out.push(namespace.slice(0, at));
  return out;
}
