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
    {
      name: "references guarded against a missing input: ??, default, is defined",
      yaml: `id: test
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: |
      {{ inputs.region ?? 'eu' }} {{ inputs.size | default(3) }} {{ inputs.name | trim | default('x') }}
      {% if inputs.flag is defined %}{{ inputs.other ?? inputs.flag2 ?? 'none' }}{% endif %}
`,
    },
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
        { messageId: "dashedKey", line: 9, column: 17, message: "inputs['server-fqn']" },
        // Inside a block scalar: at the reference itself, not at the `|`.
        { messageId: "unknownInput", line: 13, column: 16, message: "declared: server-fqn" },
      ],
    },
  ],
});
