import { testRule } from "../../testing/rule-tester.js";
import { describe, expect, it } from "vitest";
import { duplicateTaskId, FirstById } from "./index.js";

testRule(duplicateTaskId, {
  valid: [
    `id: test
namespace: company.team
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: hi
  - id: b
    type: io.kestra.plugin.core.flow.If
    condition: "{{ true }}"
    then:
      - id: c
        type: io.kestra.plugin.core.log.Log
        message: hi
triggers:
  - id: a
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
`,
  ],
  invalid: [
    {
      name: "top level",
      yaml: `id: test
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: again
`,
      errors: [{ messageId: "duplicateTask", line: 7, column: 9, message: "line 4" }],
    },
    {
      name: "errors, finally, then/else, cases/defaults, afterExecution and Dag children",
      yaml: `id: test
namespace: company.team
tasks:
  - id: a
    type: io.kestra.plugin.core.flow.If
    condition: "{{ true }}"
    then:
      - { id: b, type: io.kestra.plugin.core.log.Log, message: x }
    else:
      - { id: a, type: io.kestra.plugin.core.log.Log, message: x }
  - id: s
    type: io.kestra.plugin.core.flow.Switch
    value: x
    cases:
      x:
        - { id: b, type: io.kestra.plugin.core.log.Log, message: x }
    defaults:
      - { id: c, type: io.kestra.plugin.core.log.Log, message: x }
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: { id: c, type: io.kestra.plugin.core.log.Log, message: x }
errors:
  - { id: s, type: io.kestra.plugin.core.log.Log, message: x }
finally:
  - { id: dag, type: io.kestra.plugin.core.log.Log, message: x }
afterExecution:
  - { id: a, type: io.kestra.plugin.core.log.Log, message: x }
`,
      errors: [
        { messageId: "duplicateTask", line: 10, column: 15 },
        { messageId: "duplicateTask", line: 16, column: 17 },
        { messageId: "duplicateTask", line: 22, column: 21 },
        { messageId: "duplicateTask", line: 24, column: 11 },
        { messageId: "duplicateTask", line: 26, column: 11 },
        { messageId: "duplicateTask", line: 28, column: 11 },
      ],
    },
    {
      name: "triggers",
      yaml: `id: test
namespace: company.team
tasks:
  - { id: a, type: io.kestra.plugin.core.log.Log, message: x }
triggers:
  - id: t
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * *"
  - id: t
    type: io.kestra.plugin.core.trigger.Webhook
    key: k
`,
      errors: [{ messageId: "duplicateTrigger", line: 9, column: 9, message: "Trigger id 't'" }],
    },
  ],
});

describe("FirstById", () => {
  it("gives each id's first path, before and after it outgrows its list", () => {
    const firsts = new FirstById();
    const paths = Array.from({ length: 80 }, (_, index) => ["tasks", index]);
    const ids = paths.map((_, index) => `task_${index % 50}`);
    const answers = paths.map((path, index) => firsts.firstOrAdd(ids[index]!, path));
    expect(answers.slice(0, 50)).toEqual(paths.slice(0, 50).map(() => undefined));
    expect(answers.slice(50)).toEqual(paths.slice(0, 30));
    expect(new FirstById().firstOrAdd("task_0", ["tasks", 99])).toBeUndefined();
  });
});
