import type { FlowRepository } from "@flowops/render";

/**
 * The namespace root of each tenant: the namespace pattern up to and including `${tenant.code}`,
 * filled in for the tenant (`${tenant.code}.${flow.folder}` gives `customer_1`). Tenants get no
 * root when the pattern does not start from the tenant code (e.g. `${flow.folder}.${tenant.code}`).
 */
export function tenantNamespaceRoots(repository: FlowRepository): Map<string, string> {
  const roots = new Map<string, string>();
  if (repository.mode !== "multi-tenant") return roots;
  const pattern = repository.config.namespacePattern;
  const marker = pattern.search(/\$\{\s*tenant\.code\s*\}/);
  if (marker < 0) return roots;
  const end = pattern.indexOf("}", marker) + 1;
  const prefix = pattern.slice(0, end);
  if (/\$\{(?!\s*tenant\.code\s*\})/.test(prefix)) return roots;
  for (const tenant of repository.tenants) {
    roots.set(tenant.code, prefix.replace(/\$\{\s*tenant\.code\s*\}/, tenant.code));
  }
  return roots;
}

/** True when `namespace` is `root` or below it. */
export function isWithinRoot(namespace: string, root: string): boolean {
  return namespace === root || namespace.startsWith(`${root}.`);
}
