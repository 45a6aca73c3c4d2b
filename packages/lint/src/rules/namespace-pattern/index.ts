import type { Rule } from "../../types.js";

/**
 * A namespace outside the tenant's own namespaces, or one Kestra would reject. Fed by `render`,
 * which refuses both (the flow is left out): a tenant's flows outside its tree is a trust-boundary
 * refusal that no comment or severity setting silences.
 */
export const namespacePattern: Rule = {
  meta: {
    id: "namespace-pattern",
    description: "A namespace outside the tenant's own namespaces, or one Kestra would reject",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/namespace-pattern/README.md",
    messages: {},
  },
};
