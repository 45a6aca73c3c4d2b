import type { Rule } from "../../types.js";

/**
 * A ${...} path that the tenant, env or flow context does not define.
 * Fed by `readRepository`/`render`: their `RepositoryProblem`s with code `unknown-placeholder` become its diagnostics.
 */
export const unknownPlaceholder: Rule = {
  meta: {
    id: "unknown-placeholder",
    description: "A ${...} path that the tenant, env or flow context does not define",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/unknown-placeholder/README.md",
    messages: {},
  },
};
