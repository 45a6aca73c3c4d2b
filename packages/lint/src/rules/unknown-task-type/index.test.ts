import { testRule } from "../../testing/rule-tester.js";
import { unknownTaskType } from "./index.js";

const pulledSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $ref: "#/definitions/io.kestra.core.models.flows.Flow",
  definitions: {
    "io.kestra.core.models.flows.Flow": { type: "object" },
    "io.kestra.plugin.scripts.python.Script": { type: "object" },
  },
};

testRule(unknownTaskType, {
  valid: [
    // Found fine here (no pulled schema): the invalid case below, with a schema, must still report it.
    `id: test
namespace: company.team
tasks:
  - id: dbt
    type: io.kestra.plugin.dbt.cli.DbtCLI
`,
    `id: test
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    script: print(1)
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
  - id: legacy
    type: io.kestra.core.tasks.log.Log
    message: legacy names are deprecated-task-type's business
  - id: nested
    type: io.kestra.core.plugins.AdditionalPluginTest$AdditionalPluginTestTask
triggers:
  - id: flow
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [SUCCESS]
`,
    {
      name: "non-core types on the pulled schema's server",
      kestraFlowSchema: pulledSchema,
      yaml: `id: test
namespace: company.team
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    script: print(1)
`,
    },
  ],
  invalid: [
    {
      name: "core types Kestra removed without an alias: an error naming the release and the replacement",
      yaml: `id: test
namespace: company.team
tasks:
  - id: bash
    type: io.kestra.core.tasks.scripts.Bash
    commands: [ls]
  - id: py
    type: io.kestra.core.tasks.scripts.Python
    script: print(1)
  - id: out
    type: io.kestra.core.tasks.outputs.OutputValues
    values: { a: b }
  - id: runner
    type: io.kestra.plugin.scripts.shell.Commands
    commands: [ls]
    taskRunner:
      type: io.kestra.core.models.tasks.runners.types.ProcessTaskRunner
`,
      errors: [
        { messageId: "removed", line: 5, column: 11, message: "removed from Kestra in 0.11.0 without an alias, so Kestra no longer loads this flow; write 'io.kestra.plugin.scripts.shell.Commands'" },
        { messageId: "removed", line: 8, column: 11, message: "write 'io.kestra.plugin.scripts.python.Script'" },
        { messageId: "removed", line: 11, column: 11, message: "in 0.17.0 without an alias, so Kestra no longer loads this flow; write 'io.kestra.plugin.core.output.OutputValues'" },
        { messageId: "removed", line: 17, column: 13, message: "write 'io.kestra.plugin.core.runner.Process'" },
      ],
    },
    {
      name: "core types that do not exist, case mistakes, malformed names",
      yaml: `id: test
namespace: company.team
tasks:
  - id: missing
    type: io.kestra.plugin.core.debug.MissingOne
  - id: lower
    type: io.kestra.plugin.core.flow.if
    condition: "{{ true }}"
  - id: short
    type: Log
triggers:
  - id: t
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.And
`,
      errors: [
        { messageId: "unknownCore", line: 5, column: 11, message: "not a Kestra core task type" },
        { messageId: "unknownCore", line: 7, column: 11, message: "did you mean 'io.kestra.plugin.core.flow.If'?" },
        { messageId: "malformed", line: 10, column: 11 },
        { messageId: "unknownCore", line: 15, column: 15, message: "core condition type" },
      ],
    },
    {
      name: "a plugin the pulled schema's server does not have",
      kestraFlowSchema: pulledSchema,
      yaml: `id: test
namespace: company.team
tasks:
  - id: dbt
    type: io.kestra.plugin.dbt.cli.DbtCLI
`,
      errors: [{ messageId: "notOnServer", line: 5, column: 11 }],
    },
  ],
});
