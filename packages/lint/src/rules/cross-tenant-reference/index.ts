import { hasPebble } from "@flowops/flow-model";
import { isWithinRoot } from "../../tenant-roots.js";
import type { Rule } from "../../types.js";

/** `kv('key', 'namespace')` and `namespaceFiles`-style reads name a namespace inside Pebble. */
const KV_NAMESPACE = /\bkv\(\s*['"][^'"]*['"]\s*,\s*(?:namespace\s*=\s*)?['"]([^'"]+)['"]/g;

/**
 * A flow of one tenant that reads from or triggers another tenant's namespace: Subflow targets,
 * Flow trigger upstreams and conditions, KV/namespace-file tasks' `namespace`, `kv('k', 'ns')`.
 */
export const crossTenantReference: Rule = {
  meta: {
    id: "cross-tenant-reference",
    description: "A flow that reads from or triggers another tenant's namespace",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/cross-tenant-reference/README.md",
    messages: {
      otherTenant: "'{{namespace}}' is tenant '{{other}}'s namespace; a tenant's flows must not read from or trigger another tenant's namespaces (write '${tenant.code}' instead)",
    },
  },
  visitFlow({ flow, facts, report }) {
    if (!flow.tenant || facts.tenantRoots.size < 2) return {};
    const ownRoot = facts.tenantRoots.get(flow.tenant);
    const ownerOf = (namespace: string): string | undefined => {
      if (ownRoot !== undefined && isWithinRoot(namespace, ownRoot)) return undefined;
      let owner: string | undefined;
      let longest = -1;
      for (const [tenant, root] of facts.tenantRoots) {
        if (tenant !== flow.tenant && isWithinRoot(namespace, root) && root.length > longest) {
          owner = tenant;
          longest = root.length;
        }
      }
      return owner;
    };
    const check = (namespace: string, path: readonly (string | number)[]): void => {
      if (hasPebble(namespace)) return;
      const other = ownerOf(namespace);
      if (other !== undefined) report({ messageId: "otherTenant", path, data: { namespace, other } });
    };
    return {
      scalar({ value, path, key }) {
        if (typeof value !== "string" || path.length === 1) return; // the flow's own namespace is namespace-pattern's business
        if (key === "namespace" || (typeof key === "number" && path[path.length - 2] === "namespaces")) check(value, path);
        else if (value.includes("kv(")) {
          for (const match of value.matchAll(KV_NAMESPACE)) if (match[1]) check(match[1], path);
        }
      },
    };
  },
};
