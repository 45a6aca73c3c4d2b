import { REPOSITORY_PROBLEM, testRule } from "../../testing/rule-tester.js";
import { idMatchesFile } from "./index.js";

const tasks = "tasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n";

testRule(idMatchesFile, {
  valid: [
    { file: "flows/team/orders_daily.yaml", yaml: `id: orders_daily\nnamespace: company.team\n${tasks}` },
    { file: "flows/team/my-flow.v2.yml", yaml: `id: my-flow.v2\nnamespace: company.team\n${tasks}` },
    { name: "plain repositories do not tie ids to file names", file: "flows/team/01_hello.yaml", yaml: `id: hello\nnamespace: company.team\n${tasks}` },
  ],
  invalid: [
    {
      name: "a template whose id is not its file name",
      templates: [{ path: "flows/team/orders.yaml", text: `id: orders_daily\n${tasks}` }],
      tenants: [{ code: "acme" }, { code: "globex" }],
      errors: [{ messageId: "mismatch", line: 1, column: 5, message: "file name 'orders'" }],
    },
    {
      name: "invalid.yaml: an id Kestra rejects",
      file: "flows/team/my#flow.yaml",
      yaml: `id: "my#flow"\nnamespace: company.team\n${tasks}`,
      errors: [{ messageId: REPOSITORY_PROBLEM, line: 1, column: 5, message: "not one Kestra accepts" }],
    },
    {
      file: "flows/team/pause.yaml",
      yaml: `id: pause\nnamespace: company.team\n${tasks}`,
      errors: [{ messageId: "reserved", line: 1, column: 5 }],
    },
  ],
});
