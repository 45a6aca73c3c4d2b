import { testRule } from "../../testing/rule-tester.js";
import { deprecatedTaskType } from "./index.js";

testRule(deprecatedTaskType, {
  valid: [
    `id: test
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: schedule
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
    conditions:
      - type: io.kestra.plugin.core.condition.Weekend
`,
  ],
  invalid: [
    {
      name: "legacy task, trigger, condition and plugin default names",
      yaml: `id: test
namespace: company.team
tasks:
  - id: log
    type: io.kestra.core.tasks.log.Log
    message: hi
  - id: wait
    type: io.kestra.plugin.core.flow.WaitFor
    condition: "{{ true }}"
    tasks:
      - id: flow
        type: io.kestra.core.tasks.flows.Flow
        namespace: a
        flowId: b
triggers:
  - id: schedule
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "0 * * * *"
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionStatusCondition
pluginDefaults:
  - type: io.kestra.plugin.fs.http.Request
    values: {}
`,
      errors: [
        { messageId: "removedIn2", line: 5, column: 11, message: "'io.kestra.plugin.core.log.Log'" },
        { messageId: "legacy", line: 8, column: 11, message: "'io.kestra.plugin.core.flow.LoopUntil'" },
        { messageId: "removedIn2", line: 12, column: 15, message: "'io.kestra.plugin.core.flow.Subflow'" },
        { messageId: "removedIn2", line: 17, column: 11, message: "'io.kestra.plugin.core.trigger.Schedule'" },
        { messageId: "removedIn2", line: 20, column: 15, message: "'io.kestra.plugin.core.condition.ExecutionStatus'" },
        { messageId: "legacy", line: 22, column: 11, message: "'io.kestra.plugin.core.http.Request'" },
      ],
    },
  ],
});
