import { hasPebble } from "@flowops/flow-model";
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
    const tenant = flow.tenant;
    if (!tenant) return {};
    const ownerOf = (namespace: string): string | undefined => {
      const owner = facts.namespaceOwner(namespace);
      return owner === tenant ? undefined : owner;
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
