import { testRule } from "../../testing/rule-tester.js";
import { flowCycle } from "./index.js";

const tasks = "tasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n";
const trigger = (upstream: string): string => `triggers:
  - id: after
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: up
      flows:
        - namespace: company.team
          flowId: ${upstream}
`;

testRule(flowCycle, {
  valid: [
    {
      name: "a chain, and a Flow trigger on its own flow (Kestra ignores it)",
      file: "flows/a.yaml",
      yaml: `id: a\nnamespace: company.team\n${tasks}${trigger("a")}`,
      others: [{ path: "flows/b.yaml", text: `id: b\nnamespace: company.team\n${tasks}${trigger("a")}` }],
    },
  ],
  invalid: [
    {
      name: "two flows triggering each other",
      file: "flows/a.yaml",
      yaml: `id: a\nnamespace: company.team\n${tasks}${trigger("b")}`,
      others: [{ path: "flows/b.yaml", text: `id: b\nnamespace: company.team\n${tasks}${trigger("a")}` }],
      errors: [{ messageId: "cycle", file: "flows/b.yaml", line: 12, column: 19, message: "'company.team.a -> company.team.b -> company.team.a'" }],
    },
    {
      name: "a Subflow call closing a trigger loop, per tenant",
      templates: [
        { path: "flows/bronze/a.yaml", text: `id: a\n${tasks}  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${tenant.code}.bronze\n    flowId: b\n` },
        { path: "flows/bronze/b.yaml", text: `id: b\n${tasks}  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${tenant.code}.bronze\n    flowId: a\n` },
      ],
      tenants: [{ code: "acme" }, { code: "globex" }],
      errors: [{ messageId: "cycle", line: 7, column: 13, message: "'${tenant.code}.bronze.a -> ${tenant.code}.bronze.b -> ${tenant.code}.bronze.a'" }],
    },
    {
      name: "recursive-flow.yaml",
      file: "flows/recursive-flow.yaml",
      yaml: `id: recursive-flow
namespace: io.kestra.tests

tasks:
  - id: taskInvalid
    type: io.kestra.plugin.core.flow.Subflow
    flowId: recursive-flow
    namespace: io.kestra.tests`,
      errors: [{ messageId: "recursiveSubflow", line: 7, column: 13 }],
    },
  ],
});
