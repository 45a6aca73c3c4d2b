import { describe, expect, it } from "vitest";
import { classifyFlowChange } from "./classify.js";
import { flowFromYaml } from "./testing/flows.js";

const BASE = `id: costs
namespace: acme.bronze
description: Daily AWS costs
labels:
  team: data
tasks:
  - id: extract
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python:3.12-slim
    script: print(1)
  - id: load
    type: io.kestra.plugin.jdbc.postgresql.Query
    sql: select 1
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 1 * * *"
  - id: after_ingest
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      flows:
        - namespace: acme.raw
          flowId: ingest
`;

const flow = (source: string) => flowFromYaml(source);
const edit = (from: string, to: string) => {
  if (!BASE.includes(from)) throw new Error(`fixture has no ${from}`);
  return flow(BASE.replace(from, to));
};

describe("classifyFlowChange", () => {
  it("tells added, removed and unchanged", () => {
    expect(classifyFlowChange(undefined, flow(BASE))).toEqual({ kind: "added", flags: [], removedTriggers: [] });
    expect(classifyFlowChange(flow(BASE), undefined)).toEqual({ kind: "removed", flags: ["deleted"], removedTriggers: [] });
    expect(classifyFlowChange(flow(BASE), flow(BASE)).kind).toBe("unchanged");
  });

  it.each([
    ["a comment", "tasks:\n", "# the pipeline\ntasks:\n"],
    ["quoting", 'cron: "0 1 * * *"', "cron: '0 1 * * *'"],
    ["key order", "description: Daily AWS costs\nlabels:\n  team: data\n", "labels:\n  team: data\ndescription: Daily AWS costs\n"],
    ["flow style", "labels:\n  team: data\n", "labels: { team: data }\n"],
    ["a description's block style", "description: Daily AWS costs\n", "description: >-\n  Daily AWS\n  costs\n"],
  ])("calls %s cosmetic", (_what, from, to) => {
    expect(classifyFlowChange(flow(BASE), edit(from, to))).toEqual({ kind: "cosmetic", flags: [], removedTriggers: [] });
  });

  it.each([
    ["the cron", 'cron: "0 1 * * *"', 'cron: "0 2 * * *"', ["schedule", "trigger"]],
    ["the timezone", 'cron: "0 1 * * *"', 'cron: "0 1 * * *"\n    timezone: Europe/Paris', ["schedule", "trigger"]],
    ["a Flow trigger's upstream", "flowId: ingest", "flowId: ingest_v2", ["trigger"]],
    ["a task type", "type: io.kestra.plugin.jdbc.postgresql.Query", "type: io.kestra.plugin.jdbc.mysql.Query", ["task-type"]],
    ["an image", "python:3.12-slim", "python:3.13-slim", ["image"]],
    ["a label", "team: data", "team: finance", ["labels-only"]],
    ["a script", "print(1)", "print(2)", []],
    ["a number", "    sql: select 1\n", "    sql: select 1\n    fetchSize: 100\n", []],
    ["disabled", "description: Daily AWS costs\n", "description: Daily AWS costs\ndisabled: true\n", ["disabled"]],
  ])("flags a change of %s", (_what, from, to, flags) => {
    const result = classifyFlowChange(flow(BASE), edit(from, to));
    expect(result.kind).toBe("modified");
    expect(result.flags).toEqual(flags);
  });

  it.each([
    ["a legacy task type to its current name", "type: io.kestra.plugin.core.log.Log", "type: io.kestra.core.tasks.log.Log", ["task-type-renamed"]],
    ["a legacy trigger type to its current name", "type: io.kestra.plugin.core.trigger.Schedule", "type: io.kestra.core.models.triggers.types.Schedule", ["task-type-renamed", "trigger"]],
    ["a trigger's type", "type: io.kestra.plugin.core.trigger.Flow", "type: io.kestra.plugin.core.trigger.Webhook", ["task-type", "trigger"]],
    ["a legacy name to another plugin", "type: io.kestra.plugin.core.log.Log", "type: io.kestra.core.tasks.debug.Return", ["task-type"]],
    ["a nested task's type", "type: io.kestra.plugin.core.log.Log", "type: io.kestra.plugin.core.debug.Return", ["task-type"]],
    ["an input's type", "type: STRING", "type: INT", []],
    ["a task runner's type", "type: io.kestra.plugin.core.runner.Process", "type: io.kestra.plugin.scripts.runner.docker.Docker", []],
  ])("tells a change of %s", (_what, from, to, flags) => {
    const withMore = (source: string) =>
      source
        .replace("description: Daily AWS costs\n", "description: Daily AWS costs\ninputs:\n  - id: day\n    type: STRING\n")
        .replace("    script: print(1)\n", "    script: print(1)\n    taskRunner:\n      type: io.kestra.plugin.core.runner.Process\n")
        .replace("tasks:\n  - id: extract", "tasks:\n  - id: wrap\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - id: say\n        type: io.kestra.plugin.core.log.Log\n        message: hi\n  - id: extract");
    const before = flow(withMore(BASE));
    const after = flow(withMore(BASE).replace(from, to));
    if (withMore(BASE) === withMore(BASE).replace(from, to)) throw new Error(`fixture has no ${from}`);
    const result = classifyFlowChange(before, after);
    expect(result.kind).toBe("modified");
    expect(result.flags).toEqual(flags);
  });

  it("flags a removed trigger and names it", () => {
    const after = edit('  - id: daily\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 1 * * *"\n', "");
    expect(classifyFlowChange(flow(BASE), after)).toEqual({ kind: "modified", flags: ["schedule", "trigger", "trigger-removed"], removedTriggers: ["daily"] });
  });

  it("flags an added trigger without calling it removed", () => {
    const after = edit("triggers:\n", "triggers:\n  - id: hourly\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: '@hourly'\n");
    expect(classifyFlowChange(flow(BASE), after)).toEqual({ kind: "modified", flags: ["schedule", "trigger"], removedTriggers: [] });
  });

  it.each([
    ["an integer", "fetchSize: 100", "fetchSize: 200"],
    ["a float", "fetchSize: 0.5", "fetchSize: 0.25"],
    ["an integer into its string", "fetchSize: 100", 'fetchSize: "100"'],
  ])("does not call a change of %s cosmetic", (_what, from, to) => {
    const before = edit("    sql: select 1\n", `    sql: select 1\n    ${from}\n`);
    const after = edit("    sql: select 1\n", `    sql: select 1\n    ${to}\n`);
    expect(classifyFlowChange(before, after).kind).toBe("modified");
  });

  it("does not call a changed description text cosmetic", () => {
    expect(classifyFlowChange(flow(BASE), edit("Daily AWS costs", "Hourly AWS costs")).kind).toBe("modified");
  });

  it("does not flag disabled when a flow is enabled again", () => {
    const disabled = edit("description: Daily AWS costs\n", "description: Daily AWS costs\ndisabled: true\n");
    expect(classifyFlowChange(disabled, flow(BASE)).flags).toEqual([]);
  });
});
