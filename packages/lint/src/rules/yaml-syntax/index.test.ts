import { REPOSITORY_PROBLEM, testRule } from "../../testing/rule-tester.js";
import { yamlSyntax } from "./index.js";

testRule(yamlSyntax, {
  valid: ["id: test\nnamespace: company.team\ntasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n"],
  invalid: [
    {
      name: "duplicate-key.yaml",
      yaml: `id: duplicate-key
namespace: io.kestra.tests

tasks:
  - id: bad-task
    type: "io.kestra.plugin.core.state.Set"
    data:
      variables.tf: |
        test
      variables.tf: |
        test
    name: "unit"`,
      errors: [{ messageId: REPOSITORY_PROBLEM, line: 10, column: 7 }],
    },
    {
      name: "a syntax error",
      yaml: "id: test\nnamespace: company.team\ntasks:\n  - id: a\n   type: x\n",
      errors: [{ messageId: REPOSITORY_PROBLEM, line: 5, column: 1 }],
    },
    {
      name: "an alias bomb",
      yaml: `a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
id: bomb
namespace: company.team
tasks: [*f]
`,
      errors: [{ messageId: REPOSITORY_PROBLEM, line: 1, column: 1 }],
    },
  ],
});
