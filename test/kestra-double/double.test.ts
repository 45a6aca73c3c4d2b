import { afterEach, describe, expect, it } from "vitest";
import { startKestraDouble } from "./index.js";
import type { KestraDouble, KestraDoubleOptions } from "./index.js";

const running: KestraDouble[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.close()));
});

async function start(options: KestraDoubleOptions = {}): Promise<KestraDouble> {
  const double = await startKestraDouble(options);
  running.push(double);
  return double;
}

const FLOW = "id: load\nnamespace: acme.bronze\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";

async function call(double: KestraDouble, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const response = await fetch(double.url + path, {
    method,
    body,
    headers: body === undefined ? headers : { "Content-Type": "application/x-yaml", ...headers },
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json: json as Record<string, unknown> & { _embedded?: { errors: unknown } } };
}

describe("routing and authentication (KESTRA-API.md §11.1-2)", () => {
  it("serves /api/v1/main, aliases /api/v1/flows, and answers 400 for another tenant in OSS", async () => {
    const double = await start();
    expect((await call(double, "POST", "/api/v1/main/flows", FLOW)).status).toBe(200);
    expect((await call(double, "GET", "/api/v1/flows/acme.bronze/load")).status).toBe(200);
    const other = await call(double, "GET", "/api/v1/acme/flows/acme.bronze/load");
    expect(other.status).toBe(400);
    expect(other.json.message).toBe("Tenant must be 'main' for OSS version");
  });

  it("routes /api/v1/flows only, before 0.23", async () => {
    const double = await start({ version: "0.22.4" });
    expect((await call(double, "POST", "/api/v1/flows", FLOW)).status).toBe(200);
    expect((await call(double, "GET", "/api/v1/main/flows/acme.bronze/load")).status).toBe(404);
    expect(((await call(double, "GET", "/api/v1/configs")).json as { version: string }).version).toBe("0.22.4");
  });

  it("answers 401 with WWW-Authenticate without valid credentials, and leaves /configs open", async () => {
    const double = await start({ basicAuth: { username: "a@b.io", password: "Passw0rd1" }, bearerTokens: ["tok"] });
    const refused = await call(double, "GET", "/api/v1/main/flows/acme/x");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Basic realm="Kestra"');
    expect((await call(double, "GET", "/api/v1/configs")).status).toBe(200);
    const basic = "Basic " + Buffer.from("a@b.io:Passw0rd1").toString("base64");
    expect((await call(double, "GET", "/api/v1/main/flows/acme/x", undefined, { Authorization: basic })).status).toBe(404);
    expect((await call(double, "GET", "/api/v1/main/flows/acme/x", undefined, { Authorization: "Bearer tok" })).status).toBe(404);
    expect((await call(double, "GET", "/api/v1/main/flows/acme/x", undefined, { Authorization: "Bearer nope" })).status).toBe(401);
  });
});

describe("flow semantics (§11.3-7)", () => {
  it("keeps revisions: identical source makes none, deletes are soft, re-create continues numbering", async () => {
    const double = await start();
    await call(double, "POST", "/api/v1/main/flows", FLOW);
    expect((await call(double, "PUT", "/api/v1/main/flows/acme.bronze/load", FLOW)).json.revision).toBe(1);
    expect((await call(double, "PUT", "/api/v1/main/flows/acme.bronze/load", "revision: 1\n" + FLOW)).json.revision).toBe(1);
    expect((await call(double, "PUT", "/api/v1/main/flows/acme.bronze/load", FLOW + "# note\n")).json.revision).toBe(2);
    expect((await call(double, "DELETE", "/api/v1/main/flows/acme.bronze/load")).status).toBe(204);
    expect((await call(double, "DELETE", "/api/v1/main/flows/acme.bronze/load")).status).toBe(404);
    expect((await call(double, "GET", "/api/v1/main/flows/acme.bronze/load")).status).toBe(404);
    expect((await call(double, "GET", "/api/v1/main/flows/acme.bronze/load?allowDeleted=true")).json.deleted).toBe(true);
    expect((await call(double, "GET", "/api/v1/main/flows/acme.bronze/load?revision=1&source=true")).json.source).toBe(FLOW);
    expect((await call(double, "PUT", "/api/v1/main/flows/acme.bronze/load", FLOW)).status).toBe(404);
    expect((await call(double, "POST", "/api/v1/main/flows", FLOW)).json.revision).toBe(4);
    const revisions = (await call(double, "GET", "/api/v1/main/flows/acme.bronze/load/revisions")).json as unknown as { revision: number; deleted: boolean }[];
    expect(revisions.map((r) => [r.revision, r.deleted])).toEqual([[1, false], [2, false], [3, true], [4, false]]);
  });

  it("answers 422 with one error as an object and several as a list", async () => {
    const double = await start();
    await call(double, "POST", "/api/v1/main/flows", FLOW);
    const exists = await call(double, "POST", "/api/v1/main/flows", FLOW);
    expect(exists.status).toBe(422);
    expect(exists.json.message).toBe("Invalid entity: flow.id: Flow id already exists");
    expect(exists.json._embedded?.errors).toEqual({ message: "Flow id already exists", path: "flow.id" });
    const moved = await call(double, "PUT", "/api/v1/main/flows/acme.bronze/load", FLOW.replace("id: load", "id: other").replace("acme.bronze", "acme.silver"));
    expect(Array.isArray(moved.json._embedded?.errors)).toBe(true);
    expect(moved.json.message).toBe("Invalid entity: flow.id: Illegal flow id update, flow.namespace: Illegal namespace update");
  });

  it.each([
    ["duplicate keys", "id: a\nid: b\nnamespace: acme\ntasks: []\n", "Duplicate field 'id'"],
    ["unknown property", FLOW + "colour: blue\n", 'Unrecognized field "colour"'],
    ["unknown type", FLOW.replace("io.kestra.plugin.core.log.Log", "com.example.MissingOne"), "Invalid type: com.example.MissingOne"],
    ["empty tasks", "id: a\nnamespace: acme\ntasks: []\n", "tasks: must not be empty"],
    ["bad namespace", FLOW.replace("acme.bronze", "Acme"), "namespace: must match"],
    ["duplicate task ids", FLOW + "  - id: t\n    type: io.kestra.plugin.core.log.Log\n", "Duplicate task id with name [t]"],
    ["system label", FLOW + "labels:\n  system.owner: me\n", "System labels can only be set by Kestra itself"],
    ["recursive subflow", FLOW + "  - id: again\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: acme.bronze\n    flowId: load\n", "Recursive call to flow [acme.bronze.load]"],
    ["two documents", FLOW + "---\n" + FLOW, "exactly one YAML document"],
  ])("rejects %s on create with 422", async (_name, source, message) => {
    const double = await start();
    const answer = await call(double, "POST", "/api/v1/main/flows", source);
    expect(answer.status).toBe(422);
    expect(String(answer.json.message)).toContain(message);
  });

  it("tolerates unknown properties on PUT like Kestra 1.0.3, and requires application/x-yaml", async () => {
    const double = await start();
    await call(double, "POST", "/api/v1/main/flows", FLOW);
    expect((await call(double, "PUT", "/api/v1/main/flows/acme.bronze/load", FLOW + "colour: blue\n")).status).toBe(200);
    const json = await fetch(`${double.url}/api/v1/main/flows`, { method: "POST", body: FLOW, headers: { "Content-Type": "application/json" } });
    expect(json.status).toBe(415);
  });

  it("searches with filters, legacy params, sorting and 1-based pages", async () => {
    const double = await start();
    for (const ns of ["acme", "acme.bronze", "acme2"]) double.seedFlow(FLOW.replace("acme.bronze", ns));
    const prefix = await call(double, "GET", "/api/v1/main/flows/search?filters[namespace][PREFIX]=acme&sort=namespace:desc&size=1&page=2");
    expect(prefix.json.total).toBe(2);
    expect((prefix.json.results as { namespace: string }[]).map((f) => f.namespace)).toEqual(["acme"]);
    expect((await call(double, "GET", "/api/v1/main/flows/search?filters[namespace][STARTS_WITH]=acme")).json.total).toBe(3);
    expect((await call(double, "GET", "/api/v1/main/flows/search?namespace=acme")).json.total).toBe(2);
    expect((await call(double, "GET", "/api/v1/main/flows/search?sort=namespace")).status).toBe(422);
  });

  // KESTRA-API.md §2.1: `filters[labels][EQUALS][k]=v` from 0.22; legacy `labels=k:v` until 2.0,
  // read only when no `filters` are given; 2.0 ignores the legacy parameter altogether.
  it.each([
    ["0.21.0", "/api/v1/flows/search?labels=managed-by:flowops&size=1&page=2", 2],
    ["0.23.0", "/api/v1/main/flows/search?filters[labels][EQUALS][managed-by]=flowops&size=1&page=2", 2],
    ["0.23.0", "/api/v1/main/flows/search?filters[labels][NOT_EQUALS][managed-by]=flowops", 1],
    ["1.0.3", "/api/v1/main/flows/search?labels=managed-by:flowops", 2],
    ["2.0.0", "/api/v1/main/flows/search?filters[labels][EQUALS][managed-by]=flowops", 2],
    ["2.0.0", "/api/v1/main/flows/search?labels=managed-by:flowops", 3],
  ])("searches by label on %s: %s", async (version, path, total) => {
    const double = await start({ version });
    const labelled = FLOW.replace("tasks:", "labels:\n  managed-by: flowops\ntasks:");
    double.seedFlow(labelled);
    double.seedFlow(labelled.replace("acme.bronze", "gone.bronze"));
    double.seedFlow(FLOW.replace("acme.bronze", "acme.silver"));
    const answer = await call(double, "GET", path);
    expect(answer.status).toBe(200);
    expect(answer.json.total).toBe(total);
  });
});

describe("fault injection and counting", () => {
  it("injects 5xx, 429 with Retry-After, drops and counts requests by method", async () => {
    const double = await start({ faults: { retryAfterSeconds: 3 } });
    double.queueFaults({ kind: "5xx" }, { kind: "429" }, { kind: "drop" });
    expect((await call(double, "GET", "/api/v1/main/flows/acme/x")).status).toBe(503);
    const limited = await call(double, "GET", "/api/v1/main/flows/acme/x");
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "3"]);
    await expect(call(double, "GET", "/api/v1/main/flows/acme/x")).rejects.toThrow();
    await call(double, "POST", "/api/v1/main/flows", FLOW);
    expect(double.countByMethod()).toEqual({ GET: 3, POST: 1 });
    expect(double.writeCount()).toBe(1);
  });

  it("applies a write and then fails when asked (the ambiguous outcome)", async () => {
    const double = await start();
    double.queueFaults({ kind: "5xx", methods: ["POST"], afterWrite: true });
    expect((await call(double, "POST", "/api/v1/main/flows", FLOW)).status).toBe(503);
    expect(double.liveFlow("acme.bronze", "load")?.revision).toBe(1);
  });

  it("fails a share of requests at random, repeatably for a seed", async () => {
    const statuses = async () => {
      const double = await start({ seed: 7, faults: { serverErrorRate: 0.3 } });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await call(double, "GET", "/api/v1/main/flows/acme/x")).status);
      return out;
    };
    const first = await statuses();
    expect(first).toEqual(await statuses());
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(first.filter((s) => s === 404).length).toBeGreaterThan(0);
  });
});
