import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  applyPluginDefaults,
  collectImages,
  collectPebbleReferences,
  collectPebbleScalars,
  collectSchedules,
  collectTasks,
  collectTypedNodes,
  collectWatchedScalars,
  flowReferences,
  referenceKey,
  referenceTargets,
  type ScalarWatch,
} from "./index.js";

const flow = (text: string): unknown => parse(text);

describe("collectTasks", () => {
  it("reads a task's child lists in CHILD_TASK_LIST_KEYS' order, whatever order its keys are written in", () => {
    const document = flow(`
tasks:
  - id: written_backwards
    type: io.kestra.plugin.core.flow.If
    condition: "{{ true }}"
    finally: [{ id: fin, type: io.kestra.plugin.core.log.Log, message: a }]
    errors: [{ id: err, type: io.kestra.plugin.core.log.Log, message: b }]
    else: [{ id: no, type: io.kestra.plugin.core.log.Log, message: c }]
    then: [{ id: yes, type: io.kestra.plugin.core.log.Log, message: d }]
  - id: switch
    type: io.kestra.plugin.core.flow.Switch
    value: x
    defaults: [{ id: other, type: io.kestra.plugin.core.log.Log, message: e }]
    cases: { b: [{ id: case_b, type: io.kestra.plugin.core.log.Log, message: f }], a: [{ id: case_a, type: io.kestra.plugin.core.log.Log, message: g }] }
`);
    expect(collectTasks(document).map((t) => `${t.task.id}:${t.path.join(".")}`)).toEqual([
      "written_backwards:tasks.0", "yes:tasks.0.then.0", "no:tasks.0.else.0", "err:tasks.0.errors.0", "fin:tasks.0.finally.0",
      "switch:tasks.1", "case_b:tasks.1.cases.b.0", "case_a:tasks.1.cases.a.0", "other:tasks.1.defaults.0",
    ]);
  });

  it("finds tasks in every nesting form Kestra has", () => {
    const document = flow(`
id: f
namespace: acme
tasks:
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: if
        type: io.kestra.plugin.core.flow.If
        condition: "{{ true }}"
        then: [{ id: then_task, type: io.kestra.plugin.core.log.Log, message: a }]
        else: [{ id: else_task, type: io.kestra.plugin.core.log.Log, message: b }]
  - id: switch
    type: io.kestra.plugin.core.flow.Switch
    value: x
    cases:
      x: [{ id: case_task, type: io.kestra.plugin.core.log.Log, message: c }]
    defaults: [{ id: default_task, type: io.kestra.plugin.core.log.Log, message: d }]
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: { id: dag_task, type: io.kestra.plugin.core.log.Log, message: e }
        dependsOn: []
  - id: each
    type: io.kestra.core.tasks.flows.EachParallel
    value: [1]
    tasks: [{ id: each_task, type: io.kestra.plugin.core.log.Log, message: f }]
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks: [{ id: wd_task, type: io.kestra.plugin.scripts.shell.Commands, commands: [ls] }]
  - id: allow
    type: io.kestra.plugin.core.flow.AllowFailure
    tasks: [{ id: allow_task, type: io.kestra.plugin.core.log.Log, message: g }]
    errors: [{ id: allow_error, type: io.kestra.plugin.core.log.Log, message: h }]
  - id: loop
    type: io.kestra.plugin.core.flow.LoopUntil
    condition: "{{ true }}"
    tasks: [{ id: loop_task, type: io.kestra.plugin.core.log.Log, message: i }]
  - id: batch
    type: io.kestra.plugin.azure.batch.job.Create
    tasks: [{ id: not_a_kestra_task, commands: [echo] }]
errors: [{ id: flow_error, type: io.kestra.plugin.core.log.Log, message: j }]
finally: [{ id: flow_finally, type: io.kestra.plugin.core.log.Log, message: k }]
afterExecution: [{ id: after, type: io.kestra.plugin.core.log.Log, message: l }]
listeners:
  - tasks: [{ id: listener_task, type: io.kestra.plugin.core.log.Log, message: m }]
`);
    expect(collectTasks(document).map((t) => `${t.task.id}:${t.list}:${t.depth}`)).toEqual([
      "seq:tasks:0", "if:tasks:1", "then_task:then:2", "else_task:else:2",
      "switch:tasks:0", "case_task:cases:1", "default_task:defaults:1",
      "dag:tasks:0", "dag_task:tasks:1",
      "each:tasks:0", "each_task:tasks:1",
      "wd:tasks:0", "wd_task:tasks:1",
      "allow:tasks:0", "allow_task:tasks:1", "allow_error:errors:1",
      "loop:tasks:0", "loop_task:tasks:1",
      "batch:tasks:0",
      "flow_error:errors:0", "flow_finally:finally:0", "after:afterExecution:0", "listener_task:listeners:0",
    ]);
    expect(collectTasks(document).find((t) => t.task.id === "dag_task")!.path).toEqual(["tasks", 2, "tasks", 0, "task"]);
  });

  it("lists conditions at any depth (MultipleCondition maps, Or lists) among typed nodes", () => {
    const document = flow(`
triggers:
  - id: t
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.MultipleCondition
        conditions:
          a: { type: io.kestra.plugin.core.condition.Or, conditions: [{ type: io.kestra.plugin.core.condition.Weekend }] }
`);
    expect(collectTypedNodes(document).map((n) => `${n.kind} ${n.path.join(".")}`)).toEqual([
      "trigger triggers.0",
      "condition triggers.0.conditions.0",
      "condition triggers.0.conditions.0.conditions.a",
      "condition triggers.0.conditions.0.conditions.a.conditions.0",
    ]);
  });
});

describe("flowReferences", () => {
  const document = flow(`
id: caller
namespace: acme.gold
pluginDefaults:
  - type: io.kestra.plugin.core.flow.Subflow
    values: { namespace: acme.defaulted }
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    flowId: by_default
  - id: items
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    namespace: acme.silver
    flowId: per_item
  - id: dynamic
    type: io.kestra.core.tasks.flows.Flow
    namespace: "{{ inputs.ns }}"
    flowId: anything
triggers:
  - id: modern
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      flowId: not_an_edge
      namespace: acme.data
    preconditions:
      id: upstream
      flows:
        - { namespace: acme.bronze, flowId: loader }
        - { namespace: acme.bronze }
  - id: legacy
    type: io.kestra.core.models.triggers.types.Flow
    conditions:
      - { type: io.kestra.core.models.conditions.types.ExecutionFlowCondition, namespace: acme.bronze, flowId: old_loader }
      - { type: io.kestra.plugin.core.condition.ExecutionNamespace, namespace: acme., comparison: PREFIX }
      - type: io.kestra.plugin.core.condition.MultipleCondition
        conditions:
          one: { type: io.kestra.plugin.core.condition.ExecutionFlow, namespace: acme.bronze, flowId: multi }
  - id: next
    type: io.kestra.plugin.core.trigger.Flow
    dependsOn: [{ namespace: acme.raw, flowId: extract }]
`);

  it("reads Subflow and ForEachItem targets (defaults applied), Flow triggers by flow and by namespace, and legacy conditions; never trigger inputs", () => {
    expect(flowReferences(document, "acme.gold").map((r) => `${r.kind} ${referenceKey(r)}${r.dynamic ? " dynamic" : ""}`)).toEqual([
      "subflow acme.defaulted/by_default",
      "subflow acme.silver/per_item",
      "subflow {{ inputs.ns }}/anything dynamic",
      "trigger acme.bronze/loader",
      "trigger acme.bronze/*",
      "trigger acme.bronze/old_loader",
      "trigger acme.*/*",
      "trigger acme.bronze/multi",
      "trigger acme.raw/extract",
    ]);
  });

  it("matches a namespace-wide upstream to every flow of the namespace but the flow itself", () => {
    const wide = flowReferences(document, "acme.gold").find((r) => r.flowId === undefined && r.namespaceMatch === "equals")!;
    const flows = [{ namespace: "acme.bronze", id: "a" }, { namespace: "acme.bronze", id: "b" }, { namespace: "acme.bronzer", id: "c" }];
    expect(referenceTargets(wide, flows).map((f) => f.id)).toEqual(["a", "b"]);
    expect(referenceTargets(wide, flows, { namespace: "acme.bronze", id: "a" }).map((f) => f.id)).toEqual(["b"]);
    const prefix = flowReferences(document, "acme.gold").find((r) => r.namespaceMatch === "prefix")!;
    expect(referenceTargets(prefix, flows).map((f) => f.id)).toEqual(["a", "b", "c"]);
  });
});

describe("applyPluginDefaults", () => {
  it("puts defaults under a plugin's own values (over them when forced), by type or package prefix, taskDefaults too", () => {
    const document = flow(`
pluginDefaults:
  - type: io.kestra.plugin.jdbc
    values: { url: jdbc:default, fetchType: STORE }
  - type: io.kestra.plugin.jdbc.postgresql.Query
    forced: true
    values: { fetchType: FETCH }
taskDefaults:
  - type: io.kestra.plugin.core.log.Log
    values: { level: WARN, message: default }
tasks:
  - { id: q, type: io.kestra.plugin.jdbc.postgresql.Query, url: jdbc:own, fetchType: NONE, sql: select 1 }
  - { id: log, type: io.kestra.plugin.core.log.Log, message: own }
`);
    const applied = applyPluginDefaults(document) as { tasks: Record<string, unknown>[] };
    expect(applied.tasks[0]).toEqual({ id: "q", type: "io.kestra.plugin.jdbc.postgresql.Query", url: "jdbc:own", fetchType: "FETCH", sql: "select 1" });
    expect(applied.tasks[1]).toEqual({ id: "log", type: "io.kestra.plugin.core.log.Log", message: "own", level: "WARN" });
    expect((document as { tasks: unknown[] }).tasks[1]).toEqual({ id: "log", type: "io.kestra.plugin.core.log.Log", message: "own" });
  });
});

describe("schedules and images", () => {
  it("reads schedules with their timezone (from a default too) and images where they are written", () => {
    const document = flow(`
pluginDefaults:
  - type: io.kestra.plugin.core.trigger.Schedule
    values: { timezone: Europe/Paris }
  - type: io.kestra.plugin.scripts.python.Script
    values: { containerImage: python:3.12 }
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    taskRunner: { type: io.kestra.plugin.scripts.runner.docker.Docker, image: ubuntu }
  - id: old
    type: io.kestra.plugin.scripts.shell.Commands
    docker: { image: alpine:3.20 }
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: dbt
        type: io.kestra.plugin.dbt.cli.Build
        dockerOptions: { image: ghcr.io/kestra-io/dbt:1.0 }
  - id: agent
    type: io.kestra.plugin.ai.agent.AIAgent
    tools: [{ type: io.kestra.plugin.ai.tool.DockerMcpClient, image: mcp:2 }]
triggers:
  - { id: nightly, type: io.kestra.plugin.core.trigger.Schedule, cron: "0 2 * * *" }
  - { id: hook, type: io.kestra.plugin.core.trigger.Webhook, key: k }
`);
    expect(collectSchedules(document).map((s) => [s.triggerId, s.cron, s.timezone])).toEqual([["nightly", "0 2 * * *", "Europe/Paris"]]);
    expect(collectImages(document).map((i) => `${i.image} ${i.path.join(".")}`)).toEqual([
      "ubuntu tasks.0.taskRunner.image",
      "alpine:3.20 tasks.1.docker.image",
      "ghcr.io/kestra-io/dbt:1.0 tasks.2.tasks.0.dockerOptions.image",
      "mcp:2 tasks.3.tools.0.image",
      "python:3.12 pluginDefaults.1.values.containerImage",
    ]);
  });
});

describe("collectImages after a whole-document walk", () => {
  // The walk of collectWatchedScalars records image strings; collectImages then picks among them
  // and must give what its own walk gives, in the same order.
  const text = `
pluginDefaults:
  - type: io.kestra.plugin.scripts.python.Script
    values: { containerImage: python:3.12, nested: { image: in-default } }
  - not-a-map
description: { image: not-an-image-of-a-task }
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - &inner
        id: dbt
        type: io.kestra.plugin.dbt.cli.Build
        dockerOptions: { image: ghcr.io/kestra-io/dbt:1.0 }
    containerImage: after-children
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: { id: t, type: io.kestra.plugin.scripts.shell.Commands, containerImage: "alpine:3.20" }
        dependsOn: []
  - id: plugin
    type: io.kestra.plugin.azure.batch.job.Create
    job: { image: job-image }
    tasks: [{ id: own, commands: [x], containerImage: plugin-own }]
    copy: *inner
  - id: number
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: 3
triggers:
  - id: t
    type: io.kestra.plugin.core.trigger.Flow
    conditions: [{ type: x, image: trigger-image }]
    aliased: *inner
`;
  it("gives what its own walk gives", () => {
    const walkedAlone = collectImages(flow(text)).map((i) => `${i.image} ${i.path.join(".")}`);
    const document = flow(text);
    collectWatchedScalars(document, () => false);
    expect(collectImages(document).map((i) => `${i.image} ${i.path.join(".")}`)).toEqual(walkedAlone);
    expect(walkedAlone).toEqual([
      "after-children tasks.0.containerImage",
      "ghcr.io/kestra-io/dbt:1.0 tasks.0.tasks.0.dockerOptions.image",
      "alpine:3.20 tasks.1.tasks.0.task.containerImage",
      "job-image tasks.2.job.image",
      "plugin-own tasks.2.tasks.0.containerImage",
      "trigger-image triggers.0.conditions.0.image",
      "python:3.12 pluginDefaults.0.values.containerImage",
      "in-default pluginDefaults.0.values.nested.image",
    ]);
  });
});

describe("collectPebbleReferences", () => {
  it.each([
    ["{{ inputs.x }}", false],
    ["{{ inputs.x ?? 'd' }}", true],
    ["{{ inputs.x.y ?? inputs.z }}", true],
    ["{{ inputs.x | default('d') }}", true],
    ["{{ inputs.x | trim | default('d') }}", true],
    ["{% if inputs.x is defined %}a{% endif %}", true],
    ["{{ inputs.x is not null }}", true],
    ["{{ inputs.x | upper }}", false],
    ["{{ 'inputs.x' }}", undefined],
    ["{{ trigger.inputs.x }}", undefined],
  ] as const)("%s: guarded %s", (value, guarded) => {
    const references = collectPebbleReferences({ tasks: [{ id: "t", type: "io.kestra.plugin.core.log.Log", message: value }] }, "inputs");
    expect(references[0]?.guarded).toBe(guarded);
  });

  it("gives each reference's place in its string and skips descriptions, triggers and plugin defaults", () => {
    const document = flow(`
description: "{{ inputs.doc }}"
pluginDefaults: [{ type: a.B, values: { v: "{{ inputs.pd }}" } }]
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: |
      first {{ inputs.a }}
      then {{ inputs.b ?? 'x' }} and {{ inputs['c-d'] }}
triggers:
  - { id: f, type: io.kestra.plugin.core.trigger.Flow, inputs: { v: "{{ inputs.trigger }}" } }
`);
    const references = collectPebbleReferences(document, "inputs");
    const message = "first {{ inputs.a }}\nthen {{ inputs.b ?? 'x' }} and {{ inputs['c-d'] }}\n";
    expect(references.map((r) => [r.key, r.index, r.text, r.guarded, r.bracket])).toEqual([
      ["a", message.indexOf("inputs.a"), "inputs.a", false, false],
      ["b", message.indexOf("inputs.b"), "inputs.b", true, false],
      ["c-d", message.indexOf("inputs['c-d']"), "inputs['c-d']", false, true],
    ]);
  });
});

describe("collectPebbleReferences on strings seen before", () => {
  const log = (message: string) => ({ id: "t", type: "io.kestra.plugin.core.log.Log", message });

  it("gives each string its own references, and each flow the path where its copy of a string sits", () => {
    const first = collectPebbleReferences({ tasks: [log("{{ outputs.a.value }} {{ inputs.x }}")] }, "outputs");
    const other = collectPebbleReferences({ tasks: [log("{{ outputs.b.value ?? 1 }}")] }, "outputs");
    const again = collectPebbleReferences({ tasks: [{ id: "s", type: "io.kestra.plugin.core.log.Log", message: "s" }, log("{{ outputs.a.value }} {{ inputs.x }}")] }, "outputs");
    expect(first.map((r) => [r.key, r.guarded, r.path])).toEqual([["a.value", false, ["tasks", 0, "message"]]]);
    expect(other.map((r) => [r.key, r.guarded, r.path])).toEqual([["b.value", true, ["tasks", 0, "message"]]]);
    expect(again.map((r) => [r.key, r.index, r.path])).toEqual([["a.value", 3, ["tasks", 1, "message"]]]);
  });

  it("gives every reference of one string the same path array, and other strings their own", () => {
    const [a, b, c] = collectPebbleReferences({ tasks: [log("{{ outputs.a }} {{ outputs.b }}"), log("{{ outputs.a }}")] }, "outputs");
    expect(a!.path).toBe(b!.path);
    expect(c!.path).not.toBe(a!.path);
    expect(c!.path).toEqual(["tasks", 1, "message"]);
  });

  it("answers outputs and inputs of one string separately", () => {
    const document = { tasks: [log("{{ outputs.a }} {{ inputs.b }}")] };
    expect(collectPebbleReferences({ ...document }, "inputs").map((r) => [r.root, r.key])).toEqual([["inputs", "b"]]);
    expect(collectPebbleReferences({ ...document }, "outputs").map((r) => [r.root, r.key])).toEqual([["outputs", "a"]]);
  });
});

describe("collectWatchedScalars", () => {
  const text = `
id: f
description: "{{ inputs.doc }} kv(x)"
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    flowId: child
    outputs: { o: "{{ outputs.child }}" }
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.a }} kv(y)"
    count: 3
triggers:
  - { id: t, type: io.kestra.plugin.core.trigger.Flow, inputs: { v: "{{ inputs.trigger }} kv(z)" } }
`;
  const kv = (value: unknown) => typeof value === "string" && value.includes("kv(");
  const pebbleOf = (document: unknown) => collectPebbleScalars(document).map((s) => [s.value, s.path]);

  it("gives the scalars watch picks, everywhere, in document order, with their keys", () => {
    const watched = collectWatchedScalars(flow(text), (value, key) => kv(value) || key === "count");
    expect(watched.map((s) => [s.value, s.key, s.path])).toEqual([
      ["{{ inputs.doc }} kv(x)", "description", ["description"]],
      ["{{ inputs.a }} kv(y)", "message", ["tasks", 1, "message"]],
      [3, "count", ["tasks", 1, "count"]],
      ["{{ inputs.trigger }} kv(z)", "v", ["triggers", 0, "inputs", "v"]],
    ]);
  });

  it("leaves the Pebble scalars the same whichever is asked first", () => {
    const first = flow(text);
    const second = flow(text);
    collectWatchedScalars(first, kv);
    const afterWatch = pebbleOf(first);
    const alone = pebbleOf(second);
    expect(afterWatch).toEqual([["{{ inputs.a }} kv(y)", ["tasks", 1, "message"]]]);
    expect(afterWatch).toEqual(alone);
    expect(collectWatchedScalars(second, kv).map((s) => s.path)).toEqual([["description"], ["tasks", 1, "message"], ["triggers", 0, "inputs", "v"]]);
    expect(collectPebbleScalars(first)).toBe(collectPebbleScalars(first));
  });

  it("picks with a ScalarWatch what the same test as one function picks, each watch with its own key verdicts", () => {
    const byKey = (name: string): ScalarWatch => ({ key: (key) => key === name, value: (value) => kv(value) });
    const asFunction = (name: string) => (value: unknown, key: string | number | undefined) => key === name || kv(value);
    const picked = (watched: readonly { value: unknown; key: unknown; path: unknown }[]) => watched.map((s) => [s.value, s.key, s.path]);
    for (const name of ["count", "id", "type"]) {
      // Each watch is asked about a key once and keeps its answer: a verdict kept for another watch would pick the wrong keys.
      expect(picked(collectWatchedScalars(flow(text), byKey(name))), name).toEqual(picked(collectWatchedScalars(flow(text), asFunction(name))));
    }
    const count = byKey("count");
    expect(collectWatchedScalars(flow(text), count).map((s) => s.key)).toEqual(["description", "message", "count", "v"]);
    expect(collectWatchedScalars(flow(text), count).map((s) => s.key)).toEqual(["description", "message", "count", "v"]);
  });
});

describe("flowReferences without a namespace", () => {
  it("reads a Subflow without a namespace as a call into the flow's own", () => {
    const document = { tasks: [{ id: "call", type: "io.kestra.plugin.core.flow.Subflow", flowId: "sibling" }] };
    expect(flowReferences(document, "acme.gold")).toEqual([{ kind: "subflow", namespace: "acme.gold", flowId: "sibling", namespaceMatch: "equals", dynamic: false, path: ["tasks", 0] }]);
  });
});
