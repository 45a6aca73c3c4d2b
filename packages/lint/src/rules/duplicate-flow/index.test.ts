import { REPOSITORY_PROBLEM, testRule } from "../../testing/rule-tester.js";
import { duplicateFlow } from "./index.js";

const tasks = "tasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n";

testRule(duplicateFlow, {
  valid: [
    {
      file: "flows/a.yaml",
      yaml: `id: a\nnamespace: company.team\n${tasks}`,
      others: [{ path: "flows/b.yaml", text: `id: a\nnamespace: company.other\n${tasks}` }],
    },
  ],
  invalid: [
    {
      name: "plain repository",
      file: "flows/a.yaml",
      yaml: `id: a\nnamespace: company.team\n${tasks}`,
      others: [{ path: "flows/copy.yaml", text: `# a copy\nid: a\nnamespace: company.team\n${tasks}` }],
      // render reports it (and leaves the second flow out); this rule catches what reaches it otherwise
      errors: [{ messageId: REPOSITORY_PROBLEM, file: "flows/copy.yaml", line: 2, column: 5, message: "rendered by both flows/a.yaml and flows/copy.yaml" }],
    },
    {
      name: "two folders rendering one namespace for every tenant",
      templates: [
        { path: "flows/bronze/a.yaml", text: `id: a\nnamespace: \${tenant.code}.bronze\n${tasks}` },
        { path: "flows/silver/a.yaml", text: `id: a\nnamespace: \${tenant.code}.bronze\n${tasks}` },
      ],
      tenants: [{ code: "acme" }, { code: "globex" }],
      errors: [{ messageId: REPOSITORY_PROBLEM, file: "flows/silver/a.yaml", line: 1, column: 5, message: "for tenant ${tenant.code}" }],
    },
  ],
});
