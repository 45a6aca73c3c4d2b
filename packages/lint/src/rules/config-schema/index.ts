import type { Rule } from "../../types.js";

/**
 * An invalid flowops.config.yaml.
 * Fed by `readRepository`/`render`: their `RepositoryProblem`s with code `config-schema` become its diagnostics.
 */
export const configSchema: Rule = {
  meta: {
    id: "config-schema",
    description: "An invalid flowops.config.yaml",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/config-schema/README.md",
    messages: {},
  },
};
