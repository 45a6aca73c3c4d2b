import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { flowReferences } from "./flow-references.js";

describe("flowReferences", () => {
  it("finds subflows at any depth and Flow trigger upstreams in every syntax", () => {
    const document = parse(`
id: caller
namespace: acme.gold
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2]
    tasks:
      - id: nested
        type: io.kestra.plugin.core.flow.If
        condition: "{{ true }}"
        then:
          - id: call
            type: io.kestra.plugin.core.flow.Subflow
            namespace: acme.silver
            flowId: target
  - id: legacy
    type: io.kestra.core.tasks.flows.Flow
    namespace: acme.silver
    flowId: legacy_target
  - id: dynamic
    type: io.kestra.plugin.core.flow.Subflow
    namespace: "{{ inputs.ns }}"
    flowId: anything
triggers:
  - id: modern
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: upstream
      flows:
        - namespace: acme.bronze
          flowId: loader
        - namespace: acme.bronze
  - id: old
    type: io.kestra.core.models.triggers.types.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: acme.bronze
        flowId: old_loader
      - type: io.kestra.plugin.core.condition.MultipleCondition
        conditions:
          one:
            type: io.kestra.plugin.core.condition.ExecutionFlow
            namespace: acme.bronze
            flowId: multi
  - id: schedule
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
`);
    expect(flowReferences(document, "acme.gold").map((r) => `${r.kind} ${r.namespace}/${r.flowId}`)).toEqual([
      "subflow acme.silver/target",
      "subflow acme.silver/legacy_target",
      "trigger acme.bronze/loader",
      "trigger acme.bronze/old_loader",
      "trigger acme.bronze/multi",
    ]);
    expect(flowReferences(document, "acme.gold")[0]!.path).toEqual(["tasks", 0, "tasks", 0, "then", 0]);
  });

  it("reads a reference without a namespace as the flow's own", () => {
    const document = { tasks: [{ id: "call", type: "io.kestra.plugin.core.flow.Subflow", flowId: "sibling" }] };
    expect(flowReferences(document, "acme.gold")).toEqual([{ kind: "subflow", namespace: "acme.gold", flowId: "sibling", path: ["tasks", 0] }]);
  });
});

