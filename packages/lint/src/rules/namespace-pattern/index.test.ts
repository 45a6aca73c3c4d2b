import { REPOSITORY_PROBLEM, testRule } from "../../testing/rule-tester.js";
import { namespacePattern } from "./index.js";

const tasks = "tasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n";

testRule(namespacePattern, {
  valid: [
    `id: test\nnamespace: company.team-a_1\n${tasks}`,
    { templates: [{ path: "flows/bronze/a.yaml", text: `id: a\nnamespace: \${tenant.code}.bronze\n${tasks}` }], tenants: [{ code: "acme" }, { code: "globex" }] },
  ],
  invalid: [
    {
      name: "invalid.yaml: upper case and $",
      yaml: `id: test\nnamespace: MY$NAMESPACE\n${tasks}`,
      errors: [{ messageId: REPOSITORY_PROBLEM, line: 2, column: 12, message: "not one Kestra accepts" }],
    },
    {
      name: "outside the tenant's namespaces: the message names each tenant",
      templates: [{ path: "flows/bronze/a.yaml", text: `id: a\nnamespace: shared.bronze\n${tasks}` }],
      tenants: [{ code: "acme" }, { code: "globex" }],
      errors: [
        { messageId: REPOSITORY_PROBLEM, line: 2, column: 12, message: `outside tenant acme's namespaces (acme and below)` },
        { messageId: REPOSITORY_PROBLEM, line: 2, column: 12, message: `outside tenant globex's namespaces (globex and below)` },
      ],
    },
  ],
});
