import { testRule } from "../../testing/rule-tester.js";
import { missingUpstream } from "./index.js";

const tasks = "tasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n";
const listener = `id: report
namespace: \${tenant.code}.gold
${tasks}triggers:
  - id: after_costs
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: costs
      flows:
        - namespace: \${tenant.code}.bronze
          flowId: aws_costs
          states: [SUCCESS]
`;

testRule(missingUpstream, {
  valid: [
    {
      name: "upstream rendered for every tenant",
      templates: [
        { path: "flows/bronze/aws_costs.yaml", text: `id: aws_costs\n${tasks}` },
        { path: "flows/gold/report.yaml", text: listener },
      ],
      tenants: [{ code: "acme" }, { code: "globex" }],
    },
    {
      name: "targets outside the repository's namespaces are not judged",
      yaml: `id: test
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: someone.else
    flowId: theirs
  - id: dynamic
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: "{{ inputs.target }}"
`,
    },
  ],
  invalid: [
    {
      name: "a Subflow whose namespace comes from pluginDefaults (applied before the cross-flow rules)",
      yaml: `id: test
namespace: company.team
pluginDefaults:
  - type: io.kestra.plugin.core.flow.Subflow
    values:
      namespace: company.other
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    flowId: test
`,
      others: [{ path: "flows/other.yaml", text: "id: other\nnamespace: company.other\ntasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n" }],
      errors: [{ messageId: "subflowMissing", line: 10, column: 13, message: "'company.other.test'" }],
    },
    {
      name: "upstream rendered only for some tenants",
      templates: [
        { path: "flows/bronze/aws_costs.yaml", text: `id: aws_costs\n${tasks}`, tenants: ["acme"] },
        { path: "flows/gold/report.yaml", text: listener },
      ],
      tenants: [{ code: "acme" }, { code: "globex" }],
      errors: [{ messageId: "upstreamMissing", file: "flows/gold/report.yaml", line: 12, column: 19, message: "'${tenant.code}.bronze.aws_costs'" }],
    },
    {
      name: "Subflow and legacy ExecutionFlow condition in a plain repository",
      file: "flows/a.yaml",
      yaml: `id: a
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: missing_child
triggers:
  - id: listen
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: company.team
        flowId: missing_parent
`,
      errors: [
        { messageId: "subflowMissing", line: 7, column: 13, message: "'company.team.missing_child' is not rendered by this repository" },
        { messageId: "upstreamMissing", line: 14, column: 17 },
      ],
    },
  ],
});
