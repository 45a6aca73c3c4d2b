import { describe, expect, it } from "vitest";
import { diffRenders } from "./diff.js";
import { flowFromYaml } from "./testing/flows.js";

const ingest = (cron: string) => `id: ingest
namespace: acme.bronze
tasks:
  - id: run
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "${cron}"
`;
const usage = `id: usage
namespace: acme.silver
tasks:
  - id: run
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: upstream
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      flows:
        - namespace: acme.bronze
          flowId: ingest
          states: [SUCCESS]
`;
const legacyUsage = `id: legacy
namespace: acme.silver
tasks:
  - id: run
    type: io.kestra.core.tasks.log.Log
    message: hi
triggers:
  - id: upstream
    type: io.kestra.core.models.triggers.types.Flow
    conditions:
      - type: io.kestra.core.models.conditions.types.ExecutionFlowCondition
        namespace: acme.bronze
        flowId: ingest
`;
const report = `id: report
namespace: acme.gold
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: acme.bronze
    flowId: ingest
`;
const unrelated = `id: unrelated
namespace: acme.gold
tasks:
  - id: run
    type: io.kestra.plugin.core.log.Log
    message: hi
`;

const at = (source: string, templateKey: string, tenant = "acme", env = "staging") =>
  flowFromYaml(source, { tenant, env, templateKey, template: `flows/${templateKey}.yaml` });

describe("diffRenders", () => {
  const baseFlows = [at(ingest("0 1 * * *"), "bronze/ingest"), at(usage, "silver/usage"), at(legacyUsage, "silver/legacy"), at(report, "gold/report"), at(unrelated, "gold/unrelated")];

  it("classifies, attaches causes and lists downstream flows", () => {
    const headFlows = [at(ingest("0 2 * * *"), "bronze/ingest"), ...baseFlows.slice(1)];
    const result = diffRenders({ flows: baseFlows }, { flows: headFlows }, {
      baseLabel: "main",
      headLabel: "working tree",
      causes: { changedFiles: ["flows/bronze/ingest.yaml", "README.md"], inputsOf: (flow) => [flow.template, `tenants/${flow.tenant}.yaml`] },
    });
    expect(result.summary).toEqual({ added: 0, removed: 0, modified: 1, cosmetic: 0, unchanged: 4, tenants: 1 });
    expect(result.changes).toMatchObject([
      { env: "staging", tenant: "acme", namespace: "acme.bronze", id: "ingest", kind: "modified", causes: ["flows/bronze/ingest.yaml"], flags: ["schedule", "trigger"] },
    ]);
    expect(result.impacted).toEqual([
      { env: "staging", tenant: "acme", namespace: "acme.gold", id: "report", because: ["acme.bronze/ingest"], links: [{ flow: "acme.bronze/ingest", kind: "subflow" }] },
      { env: "staging", tenant: "acme", namespace: "acme.silver", id: "legacy", because: ["acme.bronze/ingest"], links: [{ flow: "acme.bronze/ingest", kind: "trigger" }] },
      { env: "staging", tenant: "acme", namespace: "acme.silver", id: "usage", because: ["acme.bronze/ingest"], links: [{ flow: "acme.bronze/ingest", kind: "trigger" }] },
    ]);
  });

  it("lists a flow whose Flow trigger listens to a whole namespace as downstream of a change there, and never a trigger's inputs", () => {
    const wide = `id: wide
namespace: acme.silver
tasks:
  - id: run
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: any_bronze
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: bronze
      flows:
        - namespace: acme.bronze
`;
    const inputsOnly = `id: inputs_only
namespace: acme.silver
tasks:
  - id: run
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: on_gold
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      namespace: acme.bronze
      flowId: ingest
    preconditions:
      id: gold
      flows:
        - { namespace: acme.gold, flowId: unrelated }
`;
    const base = [at(ingest("0 1 * * *"), "bronze/ingest"), at(wide, "silver/wide"), at(inputsOnly, "silver/inputs_only")];
    const head = [at(ingest("0 2 * * *"), "bronze/ingest"), ...base.slice(1)];
    const result = diffRenders({ flows: base }, { flows: head });
    expect(result.impacted).toEqual([
      { env: "staging", tenant: "acme", namespace: "acme.silver", id: "wide", because: ["acme.bronze/ingest"], links: [{ flow: "acme.bronze/ingest", kind: "trigger" }] },
    ]);
  });

  it("matches flows by env, tenant, namespace and id", () => {
    const head = [at(ingest("0 1 * * *"), "bronze/ingest", "acme", "production")];
    const result = diffRenders({ flows: [baseFlows[0]!] }, { flows: head });
    expect(result.changes.map((change) => `${change.kind} ${change.env}`)).toEqual(["added production", "removed staging"]);
  });

  it("reports removals as destructive-flagged and downstream of removals as impacted", () => {
    const result = diffRenders({ flows: baseFlows }, { flows: baseFlows.slice(1) });
    expect(result.changes).toMatchObject([{ id: "ingest", kind: "removed", flags: ["deleted"] }]);
    expect(result.impacted.map((flow) => flow.id)).toEqual(["report", "legacy", "usage"]);
  });

  it("does not list downstream flows of cosmetic changes", () => {
    const headFlows = [at(`# note\n${ingest("0 1 * * *")}`, "bronze/ingest"), ...baseFlows.slice(1)];
    const result = diffRenders({ flows: baseFlows }, { flows: headFlows });
    expect(result.changes.map((change) => change.kind)).toEqual(["cosmetic"]);
    expect(result.impacted).toEqual([]);
  });

  it("lists a flow downstream of a modified one as impacted even when its own change is cosmetic", () => {
    const headFlows = [at(ingest("0 2 * * *"), "bronze/ingest"), at(`# reviewed\n${usage}`, "silver/usage"), ...baseFlows.slice(2)];
    const result = diffRenders({ flows: baseFlows }, { flows: headFlows });
    expect(result.changes.map((change) => `${change.kind} ${change.id}`)).toEqual(["modified ingest", "cosmetic usage"]);
    expect(result.impacted.map((flow) => flow.id)).toEqual(["report", "legacy", "usage"]);
  });

  it("keeps reporting when a side has problems: flows it could not render are flagged, not added or removed", () => {
    const problems = [{ code: "yaml-syntax", message: "bad indentation", file: "flows/silver/usage.yaml", line: 3, column: 2 }];
    const broken = baseFlows.filter((flow) => flow.id !== "usage");
    // head breaks silver/usage and edits ingest: the edit is reported, usage is not "removed"
    const head = diffRenders({ flows: baseFlows }, { flows: [at(ingest("0 2 * * *"), "bronze/ingest"), ...broken.slice(1)], problems }, { headLabel: "working tree" });
    expect(head.changes.map((change) => [change.id, change.kind, change.flags])).toEqual([
      ["ingest", "modified", ["schedule", "trigger"]],
      ["usage", "modified", ["render-problem"]],
    ]);
    expect(head.problems).toEqual([{ side: "head", ...problems[0] }]);
    // the PR that repairs it: base broken, head renders; usage shows its head source for review
    const repair = diffRenders({ flows: broken, problems }, { flows: baseFlows });
    expect(repair.changes).toMatchObject([{ id: "usage", kind: "modified", flags: ["render-problem"], after: usage }]);
    expect(repair.changes[0]!.before).toBeUndefined();
    expect(repair.problems.map((problem) => problem.side)).toEqual(["base"]);
  });

  it("ties a problem to the flows of its tenant (file or tenant field) and environment only", () => {
    const other = at(unrelated, "gold/unrelated", "beta");
    const tenantFile = [{ code: "yaml-syntax", message: "bad", file: "tenants/beta.yaml", line: 1, column: 1 }];
    expect(diffRenders({ flows: [...baseFlows, other] }, { flows: baseFlows, problems: tenantFile }).changes).toMatchObject([{ tenant: "beta", kind: "modified", flags: ["render-problem"] }]);
    const elsewhere = [{ code: "unknown-placeholder", message: "x", file: "flows/gold/unrelated.yaml", line: 1, column: 1, tenant: "acme", env: "production" }];
    expect(diffRenders({ flows: [...baseFlows, other] }, { flows: baseFlows, problems: elsewhere }).changes).toMatchObject([{ tenant: "beta", kind: "removed", flags: ["deleted"] }]);
  });
});
