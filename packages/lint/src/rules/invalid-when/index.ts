import type { Rule } from "../../types.js";

/**
 * A $when expression that does not parse, names a path defined nowhere, compares different types,
 * or leaves its template rendered for nobody. Fed by `readRepository`: its `RepositoryProblem`s
 * with code `invalid-when` become this rule's diagnostics, whatever the tenant selection.
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
