// walkFlow and the @flowops/flow-model collectors it calls take shortcuts (memos per document and
// per frozen subtree, one walk for several collectors): they must hand rules exactly what the plain
// reference (testing/reference-model.ts) finds, for any document: the real-flows corpus, rendered
// multi-tenant flows, and frozen subtrees shared between places whose context differs.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RenderedFlow } from "@flowops/render";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  referenceFlowReferences,
  referenceImages,
  referenceIsWatched,
  referencePebbleReferences,
  referenceScalars,
  referenceSchedules,
  referenceTasks,
  referenceTriggers,
  referenceTypedNodes,
} from "./testing/reference-model.js";
import { multiTenantRepository } from "./testing/virtual-repository.js";
import type { FlowVisitors } from "./types.js";
import { visitFlowOnce } from "./visit.js";

type Parts = Record<string, unknown[]>;

/** What walkFlow hands a rule visiting every kind (or every kind but scalars: images are then found by their own walk). */
function walked(document: Readonly<Record<string, unknown>>, namespace: string, scalars: boolean): Parts {
  const parts: Parts = { task: [], trigger: [], typedNode: [], flowReference: [], schedule: [], image: [], pebbleReference: [], scalar: [] };
  const handlers: FlowVisitors = {};
  for (const kind of Object.keys(parts)) if (scalars || kind !== "scalar") (handlers as Record<string, (part: unknown) => void>)[kind] = (part) => parts[kind]!.push(part);
  visitFlowOnce(handlers, { document, namespace } as unknown as RenderedFlow);
  return parts;
}

function expected(document: unknown, namespace: string, scalars: boolean): Parts {
  return {
    task: referenceTasks(document),
    trigger: referenceTriggers(document),
    typedNode: referenceTypedNodes(document),
    flowReference: referenceFlowReferences(document, namespace),
    schedule: referenceSchedules(document),
    image: referenceImages(document),
    pebbleReference: [...referencePebbleReferences(document, "outputs"), ...referencePebbleReferences(document, "inputs")],
    scalar: scalars ? referenceScalars(document, referenceIsWatched).watched : [],
  };
}

function expectSameParts(document: Readonly<Record<string, unknown>>, namespace = "company.team", label = ""): void {
  // Each document is read once per variant: the memos are per document object.
  expect(walked(document, namespace, true), label).toStrictEqual(expected(document, namespace, true));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The document with every value below the root frozen, as a render of a constant template holds them. */
function frozenBelowRoot(document: Record<string, unknown>): Record<string, unknown> {
  for (const child of Object.values(document)) deepFreeze(child);
  return document;
}

function sharedDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "turbo.json"))) dir = dirname(dir);
  return join(dir, "..", "shared");
}

function sharedAvailable(path: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.FLOWOPS_REQUIRE_SHARED === "1") throw new Error(`${path} is missing: ../shared must be checked out beside the repository`);
  return false;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(entry)) out.push(path);
  }
  return out;
}

/** Each flow document of a file, parsed afresh on every call. */
function flowsOf(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const document of parseAllDocuments(text, { uniqueKeys: false })) {
    if (document.errors.length > 0) continue;
    try {
      const value: unknown = document.toJS({ maxAliasCount: -1 });
      if (typeof value === "object" && value !== null && !Array.isArray(value)) out.push(value as Record<string, unknown>);
    } catch {
      // A document yaml cannot turn into data is no flow.
    }
  }
  return out;
}

const realFlows = join(sharedDir(), "corpus", "real-flows");

describe("walkFlow against the plain reference", () => {
  it.runIf(sharedAvailable(realFlows))("finds the same parts in every flow of the real-flows corpus, as parsed, frozen, and sharing frozen parts", { timeout: 240_000 }, () => {
    let flows = 0;
    for (const path of yamlFiles(realFlows)) {
      const text = readFileSync(path, "utf8");
      const frozen: Record<string, unknown>[] = [];
      for (const document of flowsOf(text)) {
        flows++;
        const namespace = typeof document.namespace === "string" ? document.namespace : "company.team";
        expectSameParts(document, namespace, path);
        const again = flowsOf(text)[frozen.length]!;
        expect(walked(again, namespace, false), path).toStrictEqual(expected(again, namespace, false));
        const frozenDocument = frozenBelowRoot(flowsOf(text)[frozen.length]!);
        frozen.push(frozenDocument);
        expectSameParts(frozenDocument, namespace, path);
        // A second render of the same template: a new root over the same frozen parts, in another namespace.
        expectSameParts({ ...frozenDocument }, "other.namespace", path);
      }
      // The same frozen parts under a root in another order: the first flow's parts under the last's keys.
      if (frozen.length > 1) expectSameParts({ ...frozen[frozen.length - 1], ...frozen[0] }, "company.team", path);
    }
    expect(flows).toBeGreaterThan(1000);
  });

  const log = (id: string, message: unknown): Record<string, unknown> => ({ id, type: "io.kestra.plugin.core.log.Log", message });
  // Frozen parts shared by the documents below, each placed where its context differs.
  const script = deepFreeze({
    id: "script",
    type: "io.kestra.plugin.scripts.shell.Commands",
    containerImage: "ubuntu:22.04",
    taskRunner: { type: "io.kestra.plugin.scripts.runner.docker.Docker", image: "alpine:3" },
    commands: ["echo {{ outputs.first.value }} {{ inputs.name }}"],
    password: "hunter2",
    namespace: "company.data",
    hosts: ["warehouse.company.internal"],
  });
  const untyped = deepFreeze({ id: "untyped", message: "{{ outputs.untyped.value }}", image: "busybox" });
  const parallel = deepFreeze({ id: "parallel", type: "io.kestra.plugin.core.flow.Parallel", tasks: [script, untyped] });
  const children = deepFreeze([untyped, parallel, script]);
  const childOutputs = deepFreeze({ result: "{{ outputs.child.value }}", token: "{{ kv('TOKEN') }}" });
  const subflow = deepFreeze({
    id: "call",
    type: "io.kestra.plugin.core.flow.Subflow",
    namespace: "company.other",
    flowId: "child",
    inputs: { value: "{{ inputs.name }}" },
    outputs: childOutputs,
  });
  const flowTrigger = deepFreeze({
    id: "upstream",
    type: "io.kestra.plugin.core.trigger.Flow",
    inputs: { value: "{{ trigger.outputs.x }} {{ outputs.never }}" },
    preconditions: { flows: [{ namespace: "company.up", flowId: "up", states: ["SUCCESS"] }] },
    conditions: [{ type: "io.kestra.plugin.core.condition.ExecutionNamespace", namespace: "company", comparison: "PREFIX" }],
  });
  const schedule = deepFreeze({ id: "nightly", type: "io.kestra.plugin.core.trigger.Schedule", cron: "0 2 * * *", timezone: "UTC" });
  // A map holding `triggers`: not rendered at a flow's root, rendered anywhere below it.
  const withTriggersKey = deepFreeze({ id: "holder", type: "io.kestra.plugin.core.log.Log", triggers: ["{{ outputs.holder.value }}"], message: "{{ inputs.m }}" });

  const documents: [string, () => Record<string, unknown>][] = [
    ["a frozen task list at the flow's root", () => ({ id: "a", namespace: "company.team", tasks: children })],
    ["the same list under a core Parallel", () => ({ id: "b", namespace: "company.team", tasks: [{ id: "outer", type: "io.kestra.plugin.core.flow.Parallel", tasks: children }] })],
    ["the same list under a plugin task (its items without a plugin type are no tasks)", () => ({ id: "c", namespace: "company.team", tasks: [{ id: "batch", type: "io.kestra.plugin.azure.batch.job.Create", tasks: children }] })],
    ["the same list as a Switch case, an If branch, a Dag's items and an error handler", () => ({
      id: "d",
      namespace: "company.team",
      tasks: [
        { id: "switch", type: "io.kestra.plugin.core.flow.Switch", value: "x", cases: { x: children, y: [parallel] }, defaults: children },
        { id: "if", type: "io.kestra.plugin.core.flow.If", condition: "{{ true }}", then: children, else: [script] },
        { id: "dag", type: "io.kestra.plugin.core.flow.Dag", tasks: [{ task: parallel, dependsOn: [] }, { task: script }] },
      ],
      errors: children,
      finally: [parallel],
      listeners: [{ tasks: children, conditions: flowTrigger.conditions }],
    })],
    ["the same objects under triggers and tasks", () => ({ id: "e", namespace: "company.team", tasks: [script, parallel], triggers: [script, parallel, flowTrigger, schedule] })],
    ["a Subflow whose outputs are read in the child's context", () => ({ id: "f", namespace: "company.team", tasks: [subflow, log("log", childOutputs)] })],
    ["the Subflow's outputs object where no Subflow holds it", () => ({ id: "g", namespace: "company.team", tasks: [log("log", childOutputs), { id: "plugin", type: "io.acme.Task", outputs: childOutputs }] })],
    ["a Subflow under a plugin task and under a core task", () => ({
      id: "h",
      namespace: "company.team",
      tasks: [{ id: "plugin", type: "io.acme.Runner", tasks: [subflow] }, { id: "core", type: "io.kestra.plugin.core.flow.Sequential", tasks: [subflow, untyped] }],
    })],
    ["the same objects in descriptions and plugin defaults", () => ({
      id: "i",
      namespace: "company.team",
      description: { about: children },
      tasks: [script],
      pluginDefaults: [{ type: "io.kestra.plugin.scripts", values: { containerImage: "python:3.12", notes: children } }, { type: "io.kestra.plugin.core.trigger", forced: true, values: { timezone: "Europe/Paris" } }],
      triggers: [schedule, flowTrigger],
    })],
    ["a map holding `triggers` below the root", () => ({ id: "j", namespace: "company.team", tasks: [withTriggersKey], variables: { nested: withTriggersKey } })],
    ["a whole frozen flow, holding `triggers` at its root", () => deepFreeze({ id: "k", namespace: "company.team", tasks: [withTriggersKey, subflow], triggers: [withTriggersKey, flowTrigger] }) as Record<string, unknown>],
    ["one object twice in one list (an alias)", () => ({ id: "l", namespace: "company.team", tasks: [script, script, parallel, parallel] })],
    ["many Subflows, one of them listed twice", () => ({
      id: "m",
      namespace: "company.team",
      tasks: [
        ...Array.from({ length: 12 }, (_, index) => ({ ...subflow, id: `call${index}`, outputs: { value: `{{ outputs.call${index}.x }}` } })),
        subflow,
        subflow,
        log("log", childOutputs),
      ],
    })],
  ];

  it("finds the same parts when frozen parts are shared by documents in different contexts, in any order", () => {
    for (const order of [documents, [...documents].reverse(), documents]) {
      for (const [label, make] of order) {
        expectSameParts(make(), "company.team", label);
        const document = make();
        expect(walked(document, "company.team", false), label).toStrictEqual(expected(document, "company.team", false));
      }
    }
  });

  it("finds the same parts in every tenant's render of templates whose constant parts are shared", () => {
    const template = `id: pipeline
namespace: \${tenant.code}.data
description: "Pipeline for \${tenant.code}"
tasks:
  - id: extract
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python:3.12
    script: print("{{ inputs.day }}")
  - id: each
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: load
        type: io.kestra.plugin.jdbc.postgresql.Query
        url: jdbc:postgresql://db/\${tenant.code}
        sql: select '{{ outputs.extract.vars.x }}'
        password: "{{ secret('DB') }}"
      - id: notify
        type: io.kestra.plugin.core.flow.Subflow
        namespace: shared
        flowId: notify
        outputs:
          status: "{{ outputs.notify.state }}"
errors:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: \${tenant.code}.ops
    flowId: alert
    inputs:
      message: "{{ execution.id }} {{ inputs.day }}"
triggers:
  - id: after
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      flows:
        - namespace: \${tenant.code}.up
          flowId: upstream
          states: [SUCCESS]
        - namespace: shared
          flowId: common
          states: [SUCCESS]
`;
    const { rendered } = multiTenantRepository([{ path: "flows/pipeline.yaml", text: template }], [{ code: "acme" }, { code: "globex" }, { code: "initech" }]);
    expect(rendered.flows.length).toBe(3);
    expect(rendered.flows.some((flow) => Object.values(flow.document).some((value) => Object.isFrozen(value)))).toBe(true);
    for (const flow of rendered.flows) expectSameParts(flow.document, flow.namespace, `${flow.tenant}`);
  });
});
