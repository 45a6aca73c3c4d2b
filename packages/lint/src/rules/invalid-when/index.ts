import type { Rule } from "../../types.js";

/**
 * A $when expression that does not parse, or names an undefined path.
 * Fed by `readRepository`/`render`: their `RepositoryProblem`s with code `invalid-when` become its diagnostics.
 */
export const invalidWhen: Rule = {
  meta: {
    id: "invalid-when",
    description: "A $when expression that does not parse, or names an undefined path",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/invalid-when/README.md",
    messages: {},
  },
};
