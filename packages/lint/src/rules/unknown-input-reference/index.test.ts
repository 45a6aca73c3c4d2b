import { testRule } from "../../testing/rule-tester.js";
import { unknownInputReference } from "./index.js";

testRule(unknownInputReference, {
  valid: [
    `id: test
namespace: company.team
inputs:
  - id: user
    type: STRING
  - id: my.dotted
    type: STRING
  - id: with-dash
    type: STRING
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.user }} {{ inputs.my.dotted }} {{ inputs.my }} {{ inputs['with-dash'] }} {{ trigger.inputs.x }}"
  - id: sub
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: child
    inputs:
      anything: "{{ inputs.user | upper }}"
`,
  ],
  invalid: [
    {
      yaml: `id: test
namespace: company.team
inputs:
  - id: server-fqn
    type: STRING
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{inputs.server-fqn}}"
  - id: typo
    type: io.kestra.plugin.core.log.Log
    message: |
      Hello {{ inputs.usr }}
`,
      errors: [
        { messageId: "dashedKey", line: 9, column: 14, message: "inputs['server-fqn']" },
        { messageId: "unknownInput", line: 12, column: 14, message: "declared: server-fqn" },
      ],
    },
  ],
});
