import { describe, expect, it } from "vitest";
import { formatGraphDot, formatGraphJson, formatGraphMermaid, graph } from "./graph.js";
import { flowFromYaml } from "./testing/flows.js";

const flows = [
  flowFromYaml("id: ingest\nnamespace: acme.bronze\ntasks: []\n", { templateKey: "bronze/ingest" }),
  flowFromYaml(
    "id: usage\nnamespace: acme.silver\ntasks: []\ntriggers:\n  - id: up\n    type: io.kestra.plugin.core.trigger.Flow\n    preconditions:\n      flows:\n        - { namespace: acme.bronze, flowId: ingest }\n",
    { templateKey: "silver/usage" },
  ),
  flowFromYaml(
    'id: report\nnamespace: acme.gold\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: acme.silver\n    flowId: usage\n  - id: shared\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: platform.shared\n    flowId: "notify"\n',
    { templateKey: "gold/report" },
  ),
  flowFromYaml("id: ingest\nnamespace: beta.bronze\ntasks: []\n", { tenant: "beta", templateKey: "bronze/ingest" }),
];

describe("graph", () => {
  it("groups a tenant's flows by namespace with trigger and subflow edges", () => {
    const result = graph(flows, { tenant: "acme" });
    expect(result.env).toBe("staging");
    expect(result.namespaces.map((group) => [group.namespace, group.nodes.map((node) => `${node.id}${node.external ? " (external)" : ""}`)])).toEqual([
      ["acme.bronze", ["ingest"]],
      ["acme.gold", ["report"]],
      ["acme.silver", ["usage"]],
      ["platform.shared", ["notify (external)"]],
    ]);
    expect(result.edges).toEqual([
      { from: "acme.bronze/ingest", to: "acme.silver/usage", kind: "trigger" },
      { from: "acme.gold/report", to: "acme.silver/usage", kind: "subflow" },
      { from: "acme.gold/report", to: "platform.shared/notify", kind: "subflow" },
    ]);
  });

  it("draws a Flow trigger on a whole namespace as an edge from each of the tenant's flows there", () => {
    const wide = flowFromYaml(
      "id: wide\nnamespace: acme.gold\ntasks: []\ntriggers:\n  - id: up\n    type: io.kestra.plugin.core.trigger.Flow\n    preconditions:\n      id: p\n      flows:\n        - { namespace: acme.bronze }\n        - { namespace: other.ns }\n",
      { templateKey: "gold/wide" },
    );
    const more = flowFromYaml("id: more\nnamespace: acme.bronze\ntasks: []\n", { templateKey: "bronze/more" });
    const result = graph([flows[0]!, more, wide], { tenant: "acme" });
    expect(result.edges).toEqual([
      { from: "acme.bronze/ingest", to: "acme.gold/wide", kind: "trigger" },
      { from: "acme.bronze/more", to: "acme.gold/wide", kind: "trigger" },
      { from: "other.ns/*", to: "acme.gold/wide", kind: "trigger" },
    ]);
  });

  it("keeps only the neighbourhood of focused flows", () => {
    const result = graph(flows, { tenant: "acme", focus: ["acme.bronze/ingest"] });
    expect(result.namespaces.flatMap((group) => group.nodes.map((node) => node.key))).toEqual(["acme.bronze/ingest", "acme.silver/usage"]);
  });

  it("prints Mermaid, DOT and JSON", () => {
    const result = graph(flows, { tenant: "acme" });
    expect(formatGraphMermaid(result, { highlight: ["acme.bronze/ingest"] })).toBe(`flowchart LR
  subgraph ns0["acme.bronze"]
    f0["ingest"]
  end
  subgraph ns1["acme.gold"]
    f1["report"]
  end
  subgraph ns2["acme.silver"]
    f2["usage"]
  end
  subgraph ns3["platform.shared"]
    f3[/"notify"/]
  end
  f0 -->|trigger| f2
  f1 -.->|subflow| f2
  f1 -.->|subflow| f3
  classDef changed fill:#fff3cd,stroke:#d39e00,stroke-width:2px
  class f0 changed
`);
    expect(formatGraphDot(result)).toContain('f1 -> f3 [label="subflow", style=dashed];');
    expect(formatGraphDot(result)).toContain('subgraph cluster_3 {\n    label="platform.shared";\n    f3 [label="notify", style=dotted];');
    expect(JSON.parse(formatGraphJson(result))).toEqual(result);
  });
});
