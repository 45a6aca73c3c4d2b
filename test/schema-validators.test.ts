// The built-in validators are ajv code generated ahead of time (packages/schemas/src/validators.ts):
// they must report exactly what ajv compiling the schemas at run time reports, on real flows (Kestra's
// fixtures, the real-flows corpus, read from ../shared) and on broken variants of them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { ConfigSchema, FlowSchema, TaskSchema, TenantSchema, toViolations, validatorFor, type SchemaName, type SchemaViolation } from "@flowops/schemas";
import { describe, expect, it } from "vitest";
import { yamlFiles } from "./corpus.js";
import { repoRoot, sharedAvailable, sharedDir } from "./support.js";

/** The validators as ajv compiles them at run time, with the options the generated code was made with. */
function runtimeValidators(): Record<SchemaName, (value: unknown) => SchemaViolation[]> {
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, validateSchema: false });
  ajv.addSchema(TaskSchema);
  const wrap = (validateFn: ValidateFunction) => (value: unknown) => (validateFn(value) ? [] : toViolations(validateFn.errors));
  return { flow: wrap(ajv.compile(FlowSchema)), tenant: wrap(ajv.compile(TenantSchema)), config: wrap(ajv.compile(ConfigSchema)) };
}

/** Each YAML document of the files, as plain values (documents that do not parse are left out). */
function documents(paths: readonly string[]): unknown[] {
  const out: unknown[] = [];
  for (const path of paths) {
    for (const document of parseAllDocuments(readFileSync(path, "utf8"))) {
      if (document.errors.length > 0) continue;
      try {
        out.push(document.toJS());
      } catch {
        // An alias to an anchor set after it: not a document Kestra reads either.
      }
    }
  }
  return out;
}

/** Ways real flows break: each gives a flow with a schema violation, often inside a union. */
const BREAKAGES: ((flow: Record<string, unknown>) => unknown)[] = [
  ({ tasks: _tasks, ...flow }) => flow,
  (flow) => ({ ...flow, namespace: "Upper.Case" }),
  (flow) => ({ ...flow, unknownProperty: true }),
  (flow) => ({ ...flow, labels: 42 }),
  (flow) => ({ ...flow, inputs: [{ id: "x", type: "string" }] }),
  (flow) => (Array.isArray(flow.tasks) ? { ...flow, tasks: flow.tasks.map((task) => (typeof task === "object" && task !== null ? { ...task, id: "bad id" } : task)) } : flow),
  (flow) => (Array.isArray(flow.tasks) ? { ...flow, tasks: [{ id: "p", type: "io.kestra.plugin.core.flow.Parallel", tasks: [...flow.tasks, { id: 7.5, type: "not a type" }] }] } : flow),
  (flow) => ({ ...flow, triggers: [{ id: "t", type: "io.kestra.plugin.core.trigger.Schedule", conditions: [{}] }] }),
  // Lengths are bounded in code points: strings whose UTF-16 length and code-point count fall on
  // either side of a bound (astral characters count twice in `length`, once for the schema).
  (flow) => ({ ...flow, id: "\u{1F600}".repeat(100) }),
  (flow) => ({ ...flow, id: "\u{1F600}".repeat(101), namespace: "" }),
  (flow) => ({ ...flow, id: "x".repeat(101), namespace: "\u{1F600}" }),
  (flow) => (Array.isArray(flow.tasks) ? { ...flow, tasks: [...flow.tasks, { id: "\u{1F600}", type: "a.B" }, { id: "\uD83D", type: "a.B" }, { id: "", type: "a.B" }, { id: "y".repeat(257), type: "a.B" }] } : flow),
];

/** A deep-frozen copy, as render shares a template's constant parts between tenants. */
function deepFrozenCopy<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    Object.freeze(node);
    for (const child of Object.values(node)) freeze(child);
  };
  freeze(copy);
  return copy;
}

describe.runIf(sharedAvailable(sharedDir))("the generated flow validator", () => {
  const runtime = runtimeValidators();
  const fixtures = join(sharedDir, "kestra", "fixtures");
  const flows = documents([...yamlFiles(fixtures), ...yamlFiles(join(sharedDir, "corpus", "real-flows"))]);

  it("reports what the run-time compiled one reports, violation for violation, on Kestra's fixtures and real flows", () => {
    let invalid = 0;
    for (const flow of flows) {
      const expected = runtime.flow(flow);
      if (expected.length > 0) invalid++;
      expect(validatorFor("flow")(flow)).toEqual(expected);
    }
    // The fixtures hold Kestra's invalid flows: the comparison covers real violations, not only valid flows.
    expect(invalid).toBeGreaterThan(20);
  }, 120_000);

  it("reports what the run-time compiled one reports on broken variants of every flow", () => {
    let violations = 0;
    for (const flow of flows) {
      if (typeof flow !== "object" || flow === null || Array.isArray(flow)) continue;
      for (const breakage of BREAKAGES) {
        const broken = breakage(flow as Record<string, unknown>);
        const expected = runtime.flow(broken);
        violations += expected.length;
        expect(validatorFor("flow")(broken)).toEqual(expected);
      }
    }
    expect(violations).toBeGreaterThan(flows.length * 4);
  }, 120_000);

  it("reports the same on deep-frozen flows, the first time and when their valid tasks are remembered", () => {
    // Every frozen flow is validated twice: the second time its valid tasks come from the remembered set.
    // Broken variants share their frozen valid tasks with the frozen flow they come from.
    let invalid = 0;
    for (const flow of flows) {
      const frozen = deepFrozenCopy(flow);
      const expected = runtime.flow(frozen);
      expect(validatorFor("flow")(frozen)).toEqual(expected);
      expect(validatorFor("flow")(frozen)).toEqual(expected);
      if (typeof frozen !== "object" || frozen === null || Array.isArray(frozen)) continue;
      for (const breakage of BREAKAGES) {
        const broken = breakage(frozen as Record<string, unknown>);
        const brokenExpected = runtime.flow(broken);
        if (brokenExpected.length > 0) invalid++;
        expect(validatorFor("flow")(broken)).toEqual(brokenExpected);
      }
    }
    expect(invalid).toBeGreaterThan(flows.length * 4);
  }, 120_000);
});

describe("the generated tenant and config validators", () => {
  const runtime = runtimeValidators();
  const cases: [SchemaName, unknown][] = [
    ["tenant", { code: "acme", name: "Acme" }],
    ["tenant", { code: "Bad Code", environments: ["prod", "prod"], flows: { "gold/x": { enabled: "yes" } }, extra: 1 }],
    ["tenant", { name: 3, labels: { team: [] }, sources: { aws: "true" } }],
    ["config", { flows: "flows", tenants: "tenants", environments: { prod: { kestra: { url: 1 } } }, unknown: true }],
    ["config", { environments: [], deploy: { maxDeleteShare: 2, approvals: -1 }, lint: { rules: { "flow-schema": "loud" } } }],
    ["config", "not a mapping"],
  ];
  const exampleConfig = documents([join(repoRoot, "flowops.config.yaml")]);

  it("report what the run-time compiled ones report", () => {
    for (const [name, value] of [...cases, ...exampleConfig.map((config) => ["config", config] as [SchemaName, unknown])]) {
      expect(validatorFor(name)(value), `${name}: ${JSON.stringify(value)}`).toEqual(runtime[name](value));
    }
    expect(cases.filter(([name, value]) => runtime[name](value).length > 0)).toHaveLength(5);
  });
});
