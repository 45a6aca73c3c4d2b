import { testRule } from "../../testing/rule-tester.js";
import { unknownOutputReference } from "./index.js";

testRule(unknownOutputReference, {
  valid: [
    `id: test
namespace: company.team
tasks:
  - id: fetch
    type: io.kestra.plugin.core.http.Request
    uri: https://example.com
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ outputs.fetch.uri }}"
    namespace: company.team
    flowId: child
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.fetch.body }} {{ outputs['fetch'].code }} {{ outputs.each_merge.subflowOutputs }} {{ trigger.outputs.x }} {{ parents[0].outputs.y }} {{ 'outputs.z' }}"
    description: "{{ outputs.not_rendered }}"
outputs:
  - id: body
    type: STRING
    value: "{{ outputs.fetch.body }}"
`,
    {
      name: "outputs of a task that may not have run, guarded",
      yaml: `id: test
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.optional.value ?? 'skipped' }} {{ outputs.other.uri | default('none') }}"
`,
    },
  ],
  invalid: [
    {
      name: "a task that does not exist; a dashed key (outputs-key-with-subtraction-symbol-validation.yaml)",
      yaml: `id: test
namespace: company.team
tasks:
  - id: produce-output
    type: io.kestra.plugin.core.debug.Return
    format: x
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.produce-output.value }} {{ outputs.typo.value }}"
`,
      errors: [
        { messageId: "dashedKey", line: 9, column: 18, message: "outputs['produce-output']" },
        { messageId: "unknownTask", line: 9, column: 53, message: "'typo'" },
      ],
    },
    {
      name: "inside a folded block scalar, at the reference; the second of two identical texts",
      yaml: `id: test
namespace: company.team
tasks:
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: >-
      {{ outputs.use.value }}
      then {{ outputs.gone.value }}
`,
      errors: [{ messageId: "unknownTask", line: 8, column: 15, message: "'gone'" }],
    },
    {
      name: "one finding per missing task and string: at its first reference there, and again in another string",
      yaml: `id: test
namespace: company.team
tasks:
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.gone.a }} {{ outputs.gone.b }} {{ outputs.lost.c }}"
  - id: again
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.gone.a }}"
`,
      errors: [
        { messageId: "unknownTask", line: 6, column: 18, message: "'gone'" },
        { messageId: "unknownTask", line: 6, column: 60, message: "'lost'" },
        { messageId: "unknownTask", line: 9, column: 18, message: "'gone'" },
      ],
    },
  ],
});
