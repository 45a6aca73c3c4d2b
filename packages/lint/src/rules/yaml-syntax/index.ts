import type { Rule } from "../../types.js";

/**
 * A file that is not valid YAML: syntax, duplicate keys, alias bombs, several documents.
 * Fed by `readRepository`/`render`: their `RepositoryProblem`s with code `yaml-syntax` become its diagnostics.
 */
export const yamlSyntax: Rule = {
  meta: {
    id: "yaml-syntax",
    description: "A file that is not valid YAML: syntax, duplicate keys, alias bombs, several documents",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/yaml-syntax/README.md",
    messages: {},
  },
};
