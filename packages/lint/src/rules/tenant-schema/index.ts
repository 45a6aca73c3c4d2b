import type { Rule } from "../../types.js";

/**
 * A tenant file that breaks the tenant schema or the platform's variables schema.
 * Fed by `readRepository`/`render`: their `RepositoryProblem`s with code `tenant-schema` become its diagnostics.
 */
export const tenantSchema: Rule = {
  meta: {
    id: "tenant-schema",
    description: "A tenant file that breaks the tenant schema or the platform's variables schema",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/tenant-schema/README.md",
    messages: {},
  },
};
