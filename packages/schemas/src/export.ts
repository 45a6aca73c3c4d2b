import { ConfigSchema, FlowSchema, TaskSchema, TenantSchema } from "./json-schemas.js";

const SCHEMA_BASE_URL = "https://flowops.dev/schemas";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A deep copy of a schema, as JSON. */
function plain(schema: unknown): { [key: string]: Json } {
  return JSON.parse(JSON.stringify(schema)) as { [key: string]: Json };
}

/** The flow schema with the Task definition inlined under `definitions`, for editors. */
function flowDocument(): { [key: string]: Json } {
  const task = plain(TaskSchema);
  delete task.$id;
  const flow = plain(FlowSchema);
  delete flow.$id;
  const rewritten = JSON.parse(
    JSON.stringify({ ...flow, definitions: { Task: task } }).replace(/"\$ref":"(Task|T\d+)"/g, '"$ref":"#/definitions/Task"'),
  ) as { [key: string]: Json };
  return rewritten;
}

/** Adds the template language's `$when` key to every object schema. */
function allowWhen(node: Json): Json {
  if (Array.isArray(node)) return node.map(allowWhen);
  if (node === null || typeof node !== "object") return node;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "properties" ? allowWhenProperties(v) : allowWhen(v);
  if (out.type === "object" && out.properties && typeof out.properties === "object" && !Array.isArray(out.properties)) {
    (out.properties as { [key: string]: Json }).$when = {
      type: "string",
      description: "flowops: keep this mapping only for tenants where the expression is true",
    };
  }
  return out;
}

function allowWhenProperties(properties: Json): Json {
  if (properties === null || typeof properties !== "object" || Array.isArray(properties)) return properties;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(properties)) out[k] = allowWhen(v);
  return out;
}

/** The files `flowops schema export` writes, by file name. */
export function exportSchemas(): Record<string, string> {
  const flow = flowDocument();
  const template = allowWhen(flow) as { [key: string]: Json };
  template.required = ["tasks"];
  const docs: Record<string, { [key: string]: Json }> = {
    "flow.schema.json": { $schema: "http://json-schema.org/draft-07/schema#", $id: `${SCHEMA_BASE_URL}/flow.schema.json`, title: "Kestra flow (as deployed)", ...flow },
    "flow-template.schema.json": { $schema: "http://json-schema.org/draft-07/schema#", $id: `${SCHEMA_BASE_URL}/flow-template.schema.json`, title: "flowops flow template", ...template },
    "tenant.schema.json": { $schema: "http://json-schema.org/draft-07/schema#", title: "flowops tenant", ...withoutId(plain(TenantSchema)), $id: `${SCHEMA_BASE_URL}/tenant.schema.json` },
    "config.schema.json": { $schema: "http://json-schema.org/draft-07/schema#", title: "flowops.config.yaml", ...withoutId(plain(ConfigSchema)), $id: `${SCHEMA_BASE_URL}/config.schema.json` },
  };
  const files: Record<string, string> = {};
  for (const [name, doc] of Object.entries(docs)) files[name] = JSON.stringify(doc, null, 2) + "\n";
  return files;
}

function withoutId(doc: { [key: string]: Json }): { [key: string]: Json } {
  const { $id: _id, ...rest } = doc;
  return rest;
}
