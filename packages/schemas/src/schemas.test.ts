import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import type { TSchema } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "./config.js";
import { FLOW_SCHEMA_DEPENDENCIES, FlowSchema, InputSchema, LabelsSchema, OutputSchema, TaskSchema, TriggerSchema } from "./flow.js";
import { exportSchemas, validatorFor } from "./index.js";
import { TenantSchema } from "./tenant.js";

const jsonDir = fileURLToPath(new URL("../json/", import.meta.url));
const jsonSchemasModule = fileURLToPath(new URL("./json-schemas.ts", import.meta.url));

/** Every TypeBox schema the package exports, by the name json-schemas.ts gives its plain copy. */
const TYPEBOX_SCHEMAS: [string, TSchema][] = [
  ["FlowSchema", FlowSchema],
  ["TaskSchema", TaskSchema],
  ["TriggerSchema", TriggerSchema],
  ["InputSchema", InputSchema],
  ["OutputSchema", OutputSchema],
  ["LabelsSchema", LabelsSchema],
  ["TenantSchema", TenantSchema],
  ["ConfigSchema", ConfigSchema],
];

/** What JSON cannot hold (undefined, functions): a plain copy would silently differ from the TypeBox schema there. */
function nonJsonPaths(value: unknown, path = "#"): string[] {
  if (value === undefined || typeof value === "function" || typeof value === "bigint") return [path];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => nonJsonPaths(child, `${path}/${key}`));
}

/** json-schemas.ts as the TypeBox sources make it. */
function jsonSchemasSource(): string {
  const names = new Map<unknown, string>(TYPEBOX_SCHEMAS.map(([name, schema]) => [schema, name]));
  const lines = [
    "// Generated from the TypeBox schemas of flow.ts, tenant.ts and config.ts by schemas.test.ts; do not edit.",
    "// Regenerate: UPDATE_GOLDEN=1 npx vitest run src/schemas.test.ts (in packages/schemas). At run time these",
    "// plain copies stand in for the TypeBox ones, so no command pays for loading TypeBox (~0.15 s at start).",
    "",
    "/** A JSON Schema as a plain object (TypeBox's symbol-keyed metadata left out). */",
    "export type JsonSchema = { readonly [key: string]: unknown };",
    "",
  ];
  for (const [name, schema] of TYPEBOX_SCHEMAS) lines.push(`export const ${name}: JsonSchema = ${JSON.stringify(schema, null, 2)};`, "");
  lines.push("/** The schemas the flow schema refers to by `$ref`, to register with a validator. */");
  lines.push(`export const FLOW_SCHEMA_DEPENDENCIES: JsonSchema[] = [${FLOW_SCHEMA_DEPENDENCIES.map((schema) => names.get(schema)).join(", ")}];`);
  return lines.join("\n") + "\n";
}

describe("json-schemas.ts", () => {
  it("holds every TypeBox schema as plain JSON", () => {
    for (const [name, schema] of TYPEBOX_SCHEMAS) expect(nonJsonPaths(schema), name).toEqual([]);
    expect(FLOW_SCHEMA_DEPENDENCIES.every((schema) => TYPEBOX_SCHEMAS.some(([, known]) => known === schema))).toBe(true);
    const expected = jsonSchemasSource();
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(jsonSchemasModule, expected);
    expect(readFileSync(jsonSchemasModule, "utf8"), "json-schemas.ts is stale: UPDATE_GOLDEN=1 npx vitest run src/schemas.test.ts").toBe(expected);
  });
});

describe("exported schemas", () => {
  it("are up to date with the TypeScript source (regenerate: npx flowops schema export --out packages/schemas/json)", () => {
    const expected = exportSchemas();
    expect(readdirSync(jsonDir).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, text] of Object.entries(expected)) {
      expect(readFileSync(jsonDir + name, "utf8"), `${name} is stale`).toBe(text);
    }
  });

  it("compile as stand-alone draft-07 documents and agree with the built-in validator", () => {
    const files = exportSchemas();
    const ajv = new Ajv({ allErrors: true, strict: false });
    const flow = ajv.compile(JSON.parse(files["flow.schema.json"]!) as object);
    const template = ajv.compile(JSON.parse(files["flow-template.schema.json"]!) as object);
    const good = { id: "a", namespace: "x.y", tasks: [{ id: "t", type: "io.kestra.plugin.core.log.Log", message: "hi" }] };
    const nested = { ...good, tasks: [{ id: "p", type: "io.kestra.plugin.core.flow.Parallel", tasks: [{ id: "bad id", type: "x.Y" }] }] };
    expect(flow(good)).toBe(true);
    expect(flow(nested)).toBe(false);
    expect(validatorFor("flow")(nested)).not.toEqual([]);
    expect(template({ $when: "tenant.sources.aws", tasks: [{ $when: "true", id: "t", type: "a.B" }] })).toBe(true);
    expect(flow({ $when: "x", ...good })).toBe(false);
  });
});

describe("built-in schemas", () => {
  // validatorFor compiles them without checking them against the meta-schema: this test does.
  const schemas: [string, TSchema][] = [
    ["flow", FlowSchema],
    ...FLOW_SCHEMA_DEPENDENCIES.map((schema): [string, TSchema] => [`flow dependency ${String(schema.$id)}`, schema]),
    ["tenant", TenantSchema],
    ["config", ConfigSchema],
  ];
  it.each(schemas)("%s is a valid draft-07 schema", (_, schema) => {
    const ajv = new Ajv({ strict: false, allowUnionTypes: true });
    expect(ajv.validateSchema(schema), ajv.errorsText()).toBe(true);
  });
});

describe("flow schema", () => {
  const validate = validatorFor("flow");
  const base = { id: "daily", namespace: "acme.bronze", tasks: [{ id: "log", type: "io.kestra.plugin.core.log.Log", message: "m" }] };
  it.each([
    ["a valid flow", base, []],
    ["missing tasks", { id: "daily", namespace: "acme.bronze" }, [[[], 'missing required property "tasks"']]],
    ["empty tasks", { ...base, tasks: [] }, [[["tasks"], "must have at least 1 item(s)"]]],
    ["upper-case namespace", { ...base, namespace: "Acme" }, [[["namespace"], "must match ^[a-z0-9][a-z0-9._-]*$"]]],
    ["unknown top-level property", { ...base, schedule: "x" }, [[["schedule"], 'unknown property "schedule"']]],
    ["a dot in a task id", { ...base, tasks: [{ id: "a.b", type: "x.Y" }] }, [[["tasks", 0, "id"], "must match ^[a-zA-Z0-9][a-zA-Z0-9_-]*$"]]],
    ["an invalid task deep in If/else", { ...base, tasks: [{ id: "if", type: "io.kestra.plugin.core.flow.If", condition: "x", then: [{ id: "ok", type: "x.Y" }], else: [{ id: "no type" }] }] }, [[["tasks", 0, "else", 0], 'missing required property "type"'], [["tasks", 0, "else", 0, "id"], "must match ^[a-zA-Z0-9][a-zA-Z0-9_-]*$"]]],
    ["labels in map form", { ...base, labels: { team: "data", tier: 1 } }, []],
    ["labels in list form", { ...base, labels: [{ key: "team", value: "data" }] }, []],
    ["an input with an unknown type", { ...base, inputs: [{ id: "day", type: "FOO" }] }, "some"],
  ] as const)("%s", (_name, value, expected) => {
    const violations = validate(value).map((v) => [v.path, v.message]);
    if (expected === "some") expect(violations.length).toBeGreaterThan(0);
    else expect(violations).toEqual(expected);
  });
});

describe("tenant schema", () => {
  const validate = validatorFor("tenant");
  it("accepts the documented shape and refuses unsafe codes and typos", () => {
    expect(validate({ code: "customer_1", sources: { aws: true }, flows: { "gold/x": { enabled: false } } })).toEqual([]);
    expect(validate({ code: "../../x" }).map((v) => v.path)).toEqual([["code"]]);
    expect(validate({ code: "a", sourcse: {} }).map((v) => v.message)).toEqual(['unknown property "sourcse"']);
    expect(validate({ code: "a", flows: { "gold/x": { enable: false } } }).map((v) => v.path)).toEqual([["flows", "gold/x", "enable"]]);
  });
});
