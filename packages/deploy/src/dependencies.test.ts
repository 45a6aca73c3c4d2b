import { describe, expect, it } from "vitest";
import { dependencyKeys, runInDependencyOrder } from "./dependencies.js";
import { scopesFromDesired, searchPrefixes } from "./scope.js";

describe("runInDependencyOrder", () => {
  it("runs prerequisites first, blocks dependents of failures, and breaks cycles", async () => {
    const order: string[] = [];
    const blocked: string[] = [];
    const nodes = [
      { key: "app", value: 0, after: ["lib"] },
      { key: "lib", value: 0, after: ["base"] },
      { key: "base", value: 0, after: [] },
      { key: "bad", value: 0, after: [] },
      { key: "needs_bad", value: 0, after: ["bad"] },
      { key: "x", value: 0, after: ["y"] },
      { key: "y", value: 0, after: ["x"] },
    ];
    const outcome = await runInDependencyOrder(
      nodes,
      3,
      async (node) => {
        order.push(node.key);
        return node.key === "bad" ? { ok: false, error: "boom" } : { ok: true };
      },
      (node) => blocked.push(node.key),
    );
    expect(order.indexOf("base")).toBeLessThan(order.indexOf("lib"));
    expect(order.indexOf("lib")).toBeLessThan(order.indexOf("app"));
    expect(blocked).toEqual(["needs_bad"]);
    expect(order).toContain("x");
    expect(order).toContain("y");
    expect(outcome.get("needs_bad")).toBe(false);
    expect(outcome.size).toBe(7);
  });
});

describe("scopes", () => {
  const flow = (tenant: string | null, namespace: string) => ({ env: "s", tenant, namespace, id: "f", document: {}, source: "" });

  it("owns the tenant's tree from its namespaces, never a sibling", () => {
    expect(scopesFromDesired([flow("customer_1", "customer_1.bronze"), flow("customer_1", "customer_1.silver.daily"), flow(null, "company.team")])).toEqual([
      { tenant: "customer_1", root: "customer_1" },
      { tenant: null, root: "company.team" },
    ]);
  });

  it("searches with the fewest requests", () => {
    expect(searchPrefixes([{ tenant: "a", root: "acme.a" }, { tenant: "b", root: "acme.b" }])).toEqual(["acme"]);
    expect(searchPrefixes([{ tenant: "a", root: "a" }, { tenant: "b", root: "b" }])).toEqual(["a", "b"]);
    const many = Array.from({ length: 200 }, (_, i) => ({ tenant: `c${i}`, root: `customer_${i}` }));
    expect(searchPrefixes(many)).toEqual([undefined]);
  });
});

describe("dependencyKeys", () => {
  const known = [
    { namespace: "acme.bronze", id: "load_a" },
    { namespace: "acme.bronze", id: "load_b" },
    { namespace: "acme.gold", id: "report" },
  ];
  it("waits for every flow of a namespace a Flow trigger listens to, for named upstreams and subflows, never for itself or Pebble targets", () => {
    const document = {
      tasks: [
        { id: "call", type: "io.kestra.plugin.core.flow.Subflow", namespace: "acme.silver", flowId: "clean" },
        { id: "dynamic", type: "io.kestra.plugin.core.flow.Subflow", namespace: "{{ inputs.ns }}", flowId: "x" },
      ],
      triggers: [
        {
          id: "on_bronze",
          type: "io.kestra.plugin.core.trigger.Flow",
          inputs: { flowId: "not_an_edge" },
          preconditions: { id: "p", flows: [{ namespace: "acme.bronze" }, { namespace: "acme.gold", flowId: "report" }] },
        },
      ],
    };
    expect(dependencyKeys(document, { namespace: "acme.gold", id: "report" }, known).sort()).toEqual(["acme.bronze/load_a", "acme.bronze/load_b", "acme.silver/clean"]);
  });

  it("reads a one-pass iterable of known flows once, for every namespace-wide reference, and not at all when each reference names its flow", () => {
    let reads = 0;
    const once = () => ({
      *[Symbol.iterator]() {
        reads++;
        yield* known;
      },
    });
    const twoNamespaces = {
      tasks: [{ id: "t", type: "io.kestra.plugin.core.log.Log", message: "hi" }],
      triggers: [{ id: "on_any", type: "io.kestra.plugin.core.trigger.Flow", preconditions: { id: "p", flows: [{ namespace: "acme.bronze" }, { namespace: "acme.gold" }] } }],
    };
    expect(dependencyKeys(twoNamespaces, { namespace: "acme.silver", id: "clean" }, once()).sort()).toEqual(["acme.bronze/load_a", "acme.bronze/load_b", "acme.gold/report"]);
    expect(reads).toBe(1);
    const named = { tasks: [{ id: "call", type: "io.kestra.plugin.core.flow.Subflow", namespace: "acme.bronze", flowId: "load_a" }] };
    expect(dependencyKeys(named, { namespace: "acme.silver", id: "clean" }, once())).toEqual(["acme.bronze/load_a"]);
    expect(reads).toBe(1);
  });
});
