import { Ajv } from "ajv";
import { testRule } from "../../testing/rule-tester.js";
import { ajvErrorsToValidationErrors } from "../../kestra-schema.js";
import type { FlowValidator } from "../../types.js";
import { flowSchema } from "./index.js";

/** A pulled Kestra schema in the server's shape: draft 7, `definitions` keyed by class name. */
const pulledSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $ref: "#/definitions/io.kestra.core.models.flows.Flow",
  definitions: {
    "io.kestra.core.models.flows.Flow": { type: "object" },
    "io.kestra.core.models.tasks.Task": { type: "object", properties: { id: { type: "string" }, type: { type: "string" }, description: { type: "string" } } },
    "io.kestra.plugin.core.debug.Return": {
      type: "object",
      properties: {
        id: { type: "string" },
        type: { const: "io.kestra.plugin.core.debug.Return" },
        format: { type: "string" },
        description: { type: "string" },
      },
      required: ["id", "type"],
      additionalProperties: false,
    },
  },
};

const ajv = new Ajv({ allErrors: true });
const validateConcurrency = ajv.compile({
  type: "object",
  properties: { concurrency: { type: "object" } },
});
const concurrencyValidator: FlowValidator = (document) => (validateConcurrency(document) ? [] : ajvErrorsToValidationErrors(validateConcurrency.errors));

testRule(flowSchema, {
  valid: [
    `id: test
namespace: company.team
labels:
  team: data
  system.readOnly: "true"
inputs:
  - id: user
    type: STRING
    validator: ^[a-z]+$
  - id: file
    type: FILE
    defaults: nsfile:///data.csv
tasks:
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: { id: a, type: io.kestra.plugin.core.log.Log, message: x }
      - task: { id: b, type: io.kestra.plugin.core.log.Log, message: x }
        dependsOn: [a]
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - { id: sleep, type: io.kestra.plugin.core.flow.Sleep, duration: PT1S }
outputs:
  - id: out
    type: STRING
    value: x
`,
    {
      name: "a plugin's own `tasks` property is not a list of Kestra tasks",
      yaml: `id: t
namespace: n
tasks:
  - id: batch
    type: io.kestra.plugin.azure.batch.job.Create
    job: { id: process_log }
    tasks:
      - id: process
        commands: [python process_logs.py]
`,
    },
    { name: "a pulled schema's definitions accept the task", kestraFlowSchema: pulledSchema, yaml: "id: t\nnamespace: n\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n" },
  ],
  invalid: [
    {
      name: "an If without a condition",
      yaml: `id: test
namespace: company.team
tasks:
  - id: check
    type: io.kestra.plugin.core.flow.If
    then:
      - { id: l, type: io.kestra.plugin.core.log.Log, message: x }
`,
      errors: [{ messageId: "ifCondition", line: 4, column: 5, message: "If task 'check' has no 'condition'" }],
    },
    {
      name: "empty.yaml: no tasks",
      yaml: "id: empty\nnamespace: io.kestra.tests\n",
      errors: [{ messageId: "schema", line: 1, column: 1, message: 'missing required property "tasks"' }],
    },
    {
      name: "invalid.yaml: a task without id; an unknown property",
      yaml: "id: flow\nnamespace: n\nschedule: daily\ntasks:\n- type: io.kestra.plugin.core.log.Log\n  message: bla\n",
      errors: [
        { messageId: "schema", line: 3, column: 11, message: 'unknown property "schedule"' },
        { messageId: "schema", line: 5, column: 3, message: 'tasks[0]: missing required property "id"' },
      ],
    },
    {
      name: "inputs: duplicate, bad type, bad validator, ARRAY of ARRAY, FILE default",
      yaml: `id: t
namespace: n
inputs:
  - id: a
    type: STRING
  - id: a
    type: FOO
  - id: b
    type: STRING
    validator: \\
  - id: c
    type: ARRAY
    itemType: ARRAY
  - id: d
    type: FILE
    defaults: something
tasks:
  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }
`,
      errors: [
        { messageId: "duplicateInput", line: 6, column: 9 },
        { messageId: "schema", line: 7, column: 11, message: "inputs[1].type: invalid input type \"FOO\"; expected one of STRING" },
        { messageId: "badValidator", line: 10, column: 16 },
        { messageId: "arrayOfArray", line: 13, column: 15 },
        { messageId: "fileDefault", line: 16, column: 15 },
      ],
    },
    {
      name: "system labels, Switch without tasks, WorkingDirectory with a flowable child, Dag cycle and unknown dependency, empty Parallel",
      yaml: `id: t
namespace: n
labels:
  system.label: x
tasks:
  - id: s
    type: io.kestra.plugin.core.flow.Switch
    value: x
    cases: {}
    defaults: null
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - { id: pause, type: io.kestra.plugin.core.flow.Pause, delay: PT5S }
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: { id: a, type: io.kestra.plugin.core.log.Log, message: x }
        dependsOn: [b]
      - task: { id: b, type: io.kestra.plugin.core.log.Log, message: x }
        dependsOn: [a, x]
  - id: p
    type: io.kestra.plugin.core.flow.Parallel
    tasks: []
`,
      errors: [
        { messageId: "systemLabel", line: 4, column: 17 },
        { messageId: "switchNoTasks", line: 6, column: 5 },
        { messageId: "workingDirectoryChild", line: 14, column: 28 },
        { messageId: "dagCycle", line: 18, column: 7, message: "a, b" },
        { messageId: "dagUnknownDependency", line: 21, column: 24, message: "'x'" },
        { messageId: "emptyTasks", line: 24, column: 12 },
      ],
    },
    {
      name: "flowable tasks at any depth, in errors, with a task runner; a trigger of a flowable type is not a task",
      yaml: `id: t
namespace: n
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    taskRunner: { type: io.kestra.plugin.core.runner.Process }
    tasks: []
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: inner
        type: io.kestra.plugin.core.flow.If
        condition: ""
        then: []
errors:
  - id: e
    type: io.kestra.plugin.core.flow.Parallel
    tasks: []
triggers:
  - id: tr
    type: io.kestra.plugin.core.flow.Parallel
listeners:
  - tasks: []
`,
      errors: [
        { messageId: "workingDirectoryEmpty", line: 4, column: 5 },
        { messageId: "ifCondition", line: 11, column: 9 },
        { messageId: "emptyTasks", line: 14, column: 15, message: "the 'then' of task 'inner'" },
        { messageId: "emptyTasks", line: 18, column: 12, message: "task 'e'" },
        { messageId: "emptyTasks", line: 23, column: 5, message: "a listener" },
      ],
    },
    {
      name: "invalid-property.yaml against the pulled schema",
      kestraFlowSchema: pulledSchema,
      yaml: "id: t\nnamespace: n\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    invalid: x\n",
      errors: [{ messageId: "pluginSchema", line: 6, column: 14, message: "Return: unknown property 'invalid'" }],
    },
    {
      name: "the injected flow schema validator",
      flowValidator: concurrencyValidator,
      yaml: "id: t\nnamespace: n\nconcurrency: 3\ntasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n",
      errors: [{ messageId: "schema", line: 3, column: 14, message: "concurrency: must be object" }],
    },
  ],
});
