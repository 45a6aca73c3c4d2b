import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startKestraDouble } from "../../../test/kestra-double/index.js";
import type { KestraDouble } from "../../../test/kestra-double/index.js";
import { KestraClient } from "./client.js";
import { countExecutions, latestExecutions, listExecutions } from "./executions.js";
import { listTriggers } from "./triggers.js";

/**
 * Real material beside the checkout (`../shared`). Where it is absent (a fork's CI) these tests are
 * skipped; with FLOWOPS_REQUIRE_SHARED=1 (this repository's CI) a missing folder fails instead.
 */
function sharedAvailable(path: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.FLOWOPS_REQUIRE_SHARED === "1") throw new Error(`${path} is missing: ../shared must be checked out beside the repository`);
  return false;
}


/** The repository root: the folder holding turbo.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "turbo.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("turbo.json not found above this test");
    dir = parent;
  }
  return dir;
}

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

function loadSpec(prefix: string): Spec {
  const folder = join(repoRoot(), "..", "shared", "kestra", "openapi");
  const file = readdirSync(folder).find((name) => name.startsWith(prefix));
  if (!file) throw new Error(`no ${prefix}* spec in ${folder}`);
  return parse(readFileSync(join(folder, file), "utf8"), { maxAliasCount: -1 }) as Spec;
}

/** The spec path template matching a concrete path; literal segments win over `{params}`. */
function matchTemplate(spec: Spec, path: string): string | undefined {
  const candidates = Object.keys(spec.paths).filter((template) => {
    const pattern = new RegExp("^" + template.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+") + "$");
    return pattern.test(path);
  });
  candidates.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  return candidates[0];
}

/** Property names and required names of a schema, following `$ref` and `allOf`. */
function shape(spec: Spec, schema: Schema | undefined): { properties: Set<string>; required: Set<string> } {
  const properties = new Set<string>();
  const required = new Set<string>();
  const visit = (s: Schema | undefined): void => {
    if (!s) return;
    if (typeof s.$ref === "string") return visit(spec.components.schemas[s.$ref.split("/").at(-1)!]);
    for (const name of Object.keys((s.properties as Schema | undefined) ?? {})) properties.add(name);
    for (const name of (s.required as string[] | undefined) ?? []) required.add(name);
    for (const part of (s.allOf as Schema[] | undefined) ?? []) visit(part);
  };
  visit(schema);
  return { properties, required };
}

const specAvailable = sharedAvailable(join(repoRoot(), "..", "shared", "kestra", "openapi"));

describe.runIf(specAvailable)("the client's requests and the double's answers follow Kestra's OSS OpenAPI spec", () => {
  // Suite bodies run even when skipped: read the spec only where it exists.
  const spec = specAvailable ? loadSpec("kestra-oss-openapi") : (undefined as never);
  let double: KestraDouble;
  let client: KestraClient;
  const answers = new Map<string, unknown>();

  beforeAll(async () => {
    double = await startKestraDouble({ version: "2.0.0-SNAPSHOT", basicAuth: { username: "a@b.io", password: "Passw0rd1" } });
    client = new KestraClient({ url: double.url, auth: { kind: "basic", username: "a@b.io", password: "Passw0rd1" }, pageSize: 2 });
    const source = "id: load\nnamespace: acme.bronze\nlabels:\n  managed-by: flowops\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
    answers.set("createFlow", await client.createFlow(source));
    answers.set("updateFlow", await client.updateFlow("acme.bronze", "load", source.replace("hi", "ho")));
    answers.set("getFlow", await client.getFlow("acme.bronze", "load", { source: true, allowDeleted: true }));
    await client.createFlow(source.replace("id: load", "id: second"));
    await client.createFlow(source.replace("id: load", "id: third"));
    answers.set("searchFlows", await client.searchFlows({ namespacePrefix: "acme", labels: { "managed-by": "flowops" } }));
    await client.listFlows({ namespacePrefix: "acme", query: "o" });
    await client.getFlowSources([{ namespace: "acme.bronze", id: "load" }]);
    await client.deleteFlow("acme.bronze", "load");
    // Executions and triggers (KESTRA-EXECUTIONS.md): the reads `flowops status` sends.
    const now = new Date();
    double.seedFlow(source.replace("id: load", "id: nightly").replace("tasks:", 'triggers:\n  - id: schedule\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 2 * * *"\ntasks:'));
    double.seedExecutions([
      { namespace: "acme.bronze", flowId: "nightly", state: "FAILED", startDate: new Date(now.getTime() - 3_600_000), trigger: { id: "schedule", type: "io.kestra.plugin.core.trigger.Schedule", date: new Date(now.getTime() - 3_600_000).toISOString() } },
      { namespace: "acme.bronze", flowId: "nightly", state: "SUCCESS", startDate: new Date(now.getTime() - 7_200_000) },
    ]);
    const window = { from: new Date(now.getTime() - 86_400_000), to: now };
    await countExecutions(client, { window, namespacePrefix: "acme", states: ["SUCCESS", "WARNING"] });
    answers.set("searchExecutions", await (await fetch(`${double.url}/api/v1/main/executions/search?filters[namespace][PREFIX]=acme&size=5`, { headers: { Authorization: `Basic ${Buffer.from("a@b.io:Passw0rd1").toString("base64")}` } })).json());
    await listExecutions(client, { window, namespace: "acme.bronze", flowId: "nightly", states: ["FAILED"] });
    await latestExecutions(client, [{ namespace: "acme.bronze", id: "nightly" }]);
    answers.set("latestExecutions", (await (await fetch(`${double.url}/api/v1/main/executions/latest`, { method: "POST", body: "[]", headers: { "Content-Type": "application/json", Authorization: `Basic ${Buffer.from("a@b.io:Passw0rd1").toString("base64")}` } })).json()) as unknown);
    await listTriggers(client, { namespacePrefix: "acme" });
    answers.set("searchTriggers", await (await fetch(`${double.url}/api/v1/main/triggers/search?size=5`, { headers: { Authorization: `Basic ${Buffer.from("a@b.io:Passw0rd1").toString("base64")}` } })).json());
    answers.set("configs", await (await fetch(`${double.url}/api/v1/configs`)).json());
  });
  afterAll(() => double.close());

  it("uses only paths and methods that exist in the spec", () => {
    const used = new Set(double.requests.map((r) => `${r.method} ${matchTemplate(spec, r.path) ?? `(none for ${r.path})`}`));
    for (const entry of used) {
      const [method, template] = entry.split(" ") as [string, string];
      expect(spec.paths[template]?.[method.toLowerCase()], entry).toBeDefined();
    }
    expect([...used].sort()).toEqual([
      "DELETE /api/v1/{tenant}/flows/{namespace}/{id}",
      "GET /api/v1/configs",
      "GET /api/v1/{tenant}/executions/search",
      "GET /api/v1/{tenant}/flows/search",
      "GET /api/v1/{tenant}/flows/{namespace}/{id}",
      "POST /api/v1/{tenant}/flows",
      "POST /api/v1/{tenant}/executions/latest",
      "POST /api/v1/{tenant}/flows/export/by-ids",
      "PUT /api/v1/{tenant}/flows/{namespace}/{id}",
      "GET /api/v1/{tenant}/triggers/search",
    ].sort());
  });

  it("sends bodies with the content types and query parameters the spec declares", () => {
    for (const request of double.requests) {
      const template = matchTemplate(spec, request.path)!;
      const operation = spec.paths[template]![request.method.toLowerCase()]!;
      if (request.contentType !== undefined) {
        expect(Object.keys(operation.requestBody?.content ?? {}), `${request.method} ${template}`).toContain(request.contentType);
      } else {
        expect(operation.requestBody, `${request.method} ${template} needs a body`).toBeUndefined();
      }
      const declared = new Set((operation.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name));
      for (const name of new URLSearchParams(request.query).keys()) {
        expect(declared, `${request.method} ${template} ?${name}`).toContain(name.replace(/\[.*$/, ""));
      }
    }
  });

  it("reads fields that the spec's response schemas define, and the double's answers carry the required ones", () => {
    const schemaOf = (template: string, method: string, status = "200") => spec.paths[template]![method]!.responses[status]?.content?.["application/json"]?.schema;
    const checks: [string, Schema | undefined, string[]][] = [
      ["createFlow", schemaOf("/api/v1/{tenant}/flows", "post"), ["id", "namespace", "revision", "labels", "source", "deleted", "disabled"]],
      ["updateFlow", schemaOf("/api/v1/{tenant}/flows/{namespace}/{id}", "put"), ["id", "namespace", "revision", "source"]],
      ["getFlow", schemaOf("/api/v1/{tenant}/flows/{namespace}/{id}", "get"), ["id", "namespace", "revision", "source", "labels"]],
      ["searchFlows", schemaOf("/api/v1/{tenant}/flows/search", "get"), ["results", "total"]],
      ["configs", schemaOf("/api/v1/configs", "get"), ["version", "edition"]],
      ["searchExecutions", schemaOf("/api/v1/{tenant}/executions/search", "get"), ["results", "total"]],
      ["searchTriggers", schemaOf("/api/v1/{tenant}/triggers/search", "get"), ["results", "total"]],
    ];
    for (const [name, schema, readByClient] of checks) {
      const { properties, required } = shape(spec, schema);
      for (const field of readByClient) expect(properties, `${name} reads ${field}`).toContain(field);
      const answer = answers.get(name) as Record<string, unknown>;
      for (const field of required) expect(answer, `${name} answer has required ${field}`).toHaveProperty(field);
    }
    const flowItem = shape(spec, spec.components.schemas.Flow);
    for (const row of (answers.get("searchFlows") as { results: Record<string, unknown>[] }).results) {
      for (const field of flowItem.required) if (field !== "tasks" || "tasks" in row) expect(row).toHaveProperty(field);
      expect(row).not.toHaveProperty("source");
    }
    // Executions: the fields normaliseExecution reads, in 2.0's light shape (the double answers it).
    const execution = shape(spec, spec.components.schemas.ApiLightExecution);
    for (const field of ["id", "namespace", "flowId", "state", "trigger", "scheduleDate"]) expect(execution.properties, `ApiLightExecution.${field}`).toContain(field);
    for (const field of ["current", "startDate", "endDate", "histories"]) expect(shape(spec, spec.components.schemas.State).properties, `State.${field}`).toContain(field);
    for (const field of ["id", "type", "variables"]) expect(shape(spec, spec.components.schemas.ExecutionTrigger).properties).toContain(field);
    for (const row of (answers.get("searchExecutions") as { results: Record<string, unknown>[] }).results) {
      expect(Object.keys(row).filter((key) => !execution.properties.has(key)), "double's execution fields").toEqual([]);
    }
    const latest = shape(spec, spec.components.schemas["ExecutionController.LastExecutionResponse"]);
    expect([...latest.properties].sort()).toEqual(["flowId", "id", "namespace", "startDate", "status"]);
    for (const row of answers.get("latestExecutions") as Record<string, unknown>[]) expect(Object.keys(row).sort()).toEqual([...latest.properties].sort());
    expect(shape(spec, spec.components.schemas["ExecutionRepositoryInterface.FlowFilter"]).required).toEqual(new Set(["namespace", "id"]));
    // Triggers: 2.0's `{trigger, state}` and the state fields normaliseTrigger reads.
    expect(shape(spec, spec.components.schemas.ApiTriggerAndState).properties).toEqual(new Set(["trigger", "state"]));
    const triggerState = shape(spec, spec.components.schemas.ApiTriggerState);
    for (const field of ["namespace", "flowId", "triggerId", "disabled", "nextEvaluationDate", "lastTriggeredDate", "backfill"]) expect(triggerState.properties, `ApiTriggerState.${field}`).toContain(field);
    for (const row of (answers.get("searchTriggers") as { results: { state: Record<string, unknown> }[] }).results) {
      expect(Object.keys(row.state).filter((key) => !triggerState.properties.has(key)), "double's trigger state fields").toEqual([]);
    }
    expect(shape(spec, spec.components.schemas.IdWithNamespace).properties).toEqual(new Set(["namespace", "id"]));
    expect(Object.keys(spec.paths["/api/v1/{tenant}/flows/export/by-ids"]!.post!.responses["200"]!.content!)).toEqual(["application/octet-stream"]);
    expect(Object.keys(spec.paths["/api/v1/{tenant}/flows/{namespace}/{id}"]!.delete!.responses)).toEqual(["204"]);
  });
});
