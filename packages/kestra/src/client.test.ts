import { afterEach, describe, expect, it } from "vitest";
import { startKestraDouble } from "../../../test/kestra-double/index.js";
import type { KestraDouble, KestraDoubleOptions } from "../../../test/kestra-double/index.js";
import { KestraClient } from "./client.js";
import type { KestraClientOptions } from "./client.js";
import { kestraClientFromEnvironment } from "./config.js";
import type { KestraRetryEvent } from "./types.js";
import { KestraApiError } from "./errors.js";

const doubles: KestraDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

async function setup(doubleOptions: KestraDoubleOptions = {}, clientOptions: Partial<KestraClientOptions> = {}) {
  const double = await startKestraDouble(doubleOptions);
  doubles.push(double);
  const client = new KestraClient({ url: double.url, retry: { baseDelayMs: 1, maxDelayMs: 20 }, timeoutMs: 2000, ...clientOptions });
  return { double, client };
}

function flow(namespace: string, id: string, extra = ""): string {
  return `# managed from Git\nid: ${id}\nnamespace: ${namespace}\nlabels:\n  managed-by: flowops\n${extra}tasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi # inline comment\n`;
}

describe("version detection and routing", () => {
  it.each([
    ["1.0.3", "/api/v1/main/flows"],
    ["0.23.0", "/api/v1/main/flows"],
    ["0.22.1", "/api/v1/flows"],
    ["2.0.0-SNAPSHOT", "/api/v1/main/flows"],
  ])("Kestra %s gets %s", async (version, path) => {
    const { double, client } = await setup({ version });
    await client.createFlow(flow("acme.bronze", "load"));
    expect(double.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v1/configs", `POST ${path}`]);
  });

  it("uses an Enterprise tenant in the path", async () => {
    const { double, client } = await setup({ edition: "EE", tenants: ["acme"] }, { tenant: "acme" });
    await client.createFlow(flow("acme.bronze", "load"));
    expect(double.requests.at(-1)?.path).toBe("/api/v1/acme/flows");
  });

  it("explains that OSS only has tenant main", async () => {
    const { client } = await setup({}, { tenant: "acme" });
    await expect(client.serverInfo()).rejects.toThrow(/open-source edition, which only has tenant 'main'/);
  });

  it("reports Kestra's 400 for another tenant when the version is given", async () => {
    const { client } = await setup({}, { tenant: "acme", version: "1.0.3" });
    const error = await client.getFlow("a", "b").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KestraApiError);
    expect((error as KestraApiError).status).toBe(400);
    expect((error as KestraApiError).message).toContain("Tenant must be 'main' for OSS version");
  });
});

describe("flow operations", () => {
  it("creates, reads, updates and deletes with Kestra's semantics", async () => {
    const { double, client } = await setup();
    const source = flow("acme.bronze", "load");
    const created = await client.createFlow(source);
    expect(created.revision).toBe(1);
    expect(created.source).toBe(source);
    expect(double.requests.at(-1)?.contentType).toBe("application/x-yaml");

    const read = await client.getFlow("acme.bronze", "load", { source: true });
    expect(read?.source).toBe(source);
    expect(read?.labels).toEqual([{ key: "managed-by", value: "flowops" }]);
    expect(await client.getFlow("acme.bronze", "load")).not.toHaveProperty("source");

    expect((await client.updateFlow("acme.bronze", "load", source)).revision).toBe(1);
    const changed = await client.updateFlow("acme.bronze", "load", source.replace("hi", "hello"));
    expect(changed.revision).toBe(2);
    expect(double.requests.at(-1)?.contentType).toBe("application/x-yaml");

    expect(await client.deleteFlow("acme.bronze", "load")).toBe("deleted");
    expect(await client.deleteFlow("acme.bronze", "load")).toBe("absent");
    expect(await client.getFlow("acme.bronze", "load")).toBeUndefined();
    expect((await client.createFlow(source)).revision).toBe(4);
  });

  it("names the flow and the violation of a 422", async () => {
    const { client } = await setup();
    await client.createFlow(flow("acme.bronze", "load"));
    const error = (await client.createFlow(flow("acme.bronze", "load")).catch((e: unknown) => e)) as KestraApiError;
    expect(error).toBeInstanceOf(KestraApiError);
    expect(error.status).toBe(422);
    expect(error.violations).toEqual([{ path: "flow.id", message: "Flow id already exists" }]);
    expect(error.message).toContain("(flow acme.bronze/load): flow.id: Flow id already exists");

    const renamed = (await client.updateFlow("acme.bronze", "load", flow("acme.silver", "other")).catch((e: unknown) => e)) as KestraApiError;
    expect(renamed.violations.map((v) => v.path)).toEqual(["flow.id", "flow.namespace"]);
  });

  it("reports duplicate YAML keys as Kestra does", async () => {
    const { client } = await setup();
    const error = (await client.createFlow("id: a\nnamespace: acme\nid: b\ntasks: []\n").catch((e: unknown) => e)) as KestraApiError;
    expect(error.status).toBe(422);
    expect(error.message).toContain("Duplicate field 'id'");
  });
});

describe("authentication", () => {
  const basicAuth = { username: "admin@example.com", password: "Sup3rSecret" };

  it("sends basic auth, and never shows the password when refused", async () => {
    const { client } = await setup({ basicAuth }, { auth: { kind: "basic", ...basicAuth } });
    await client.createFlow(flow("acme", "a"));
    const wrong = new KestraClient({ url: client.url, auth: { kind: "basic", username: basicAuth.username, password: "Wr0ngPassword" } });
    const error = (await wrong.getFlow("acme", "a").catch((e: unknown) => e)) as KestraApiError;
    expect(error.status).toBe(401);
    expect(error.message).toContain("KESTRA_USERNAME");
    const everything = `${error.message} ${JSON.stringify(error)} ${JSON.stringify(error.request)} ${error.stack ?? ""}`;
    expect(everything).not.toContain("Wr0ngPassword");
    expect(everything).not.toContain(Buffer.from(`${basicAuth.username}:Wr0ngPassword`).toString("base64"));
  });

  it("names the variables the credentials were read from on a 401, never their values", async () => {
    const { double } = await setup({ basicAuth });
    const environment = { name: "staging", kestra: { url: double.url, usernameEnv: "KESTRA_STAGING_USERNAME", passwordEnv: "KESTRA_STAGING_PASSWORD" } };
    const wrong = kestraClientFromEnvironment(environment, { variables: { KESTRA_STAGING_USERNAME: basicAuth.username, KESTRA_STAGING_PASSWORD: "Wr0ngPassword" } });
    const refused = (await wrong.getFlow("acme", "a").catch((e: unknown) => e)) as KestraApiError;
    expect(refused.status).toBe(401);
    expect(refused.message).toContain("Kestra refused the credentials: basic auth from KESTRA_STAGING_USERNAME + KESTRA_STAGING_PASSWORD");
    expect(`${refused.message} ${JSON.stringify(refused)}`).not.toMatch(/Wr0ngPassword|admin@example\.com/);
    const none = kestraClientFromEnvironment(environment, { variables: { KESTRA_USERNAME: basicAuth.username, KESTRA_PASSWORD: basicAuth.password } });
    const unauthenticated = (await none.getFlow("acme", "a").catch((e: unknown) => e)) as KestraApiError;
    expect(unauthenticated.message).toContain("none: neither KESTRA_TOKEN nor KESTRA_STAGING_USERNAME + KESTRA_STAGING_PASSWORD is set for environment 'staging'");
  });

  it("takes credentials from the URL without ever printing them", async () => {
    const { double } = await setup({ basicAuth });
    const client = new KestraClient({ url: double.url.replace("//", `//${encodeURIComponent(basicAuth.username)}:${basicAuth.password}@`) });
    expect(client.url).toBe(double.url);
    await client.createFlow(flow("acme", "a"));
  });

  it("sends bearer tokens", async () => {
    const { double, client } = await setup({ bearerTokens: ["tok-123"] }, { auth: { kind: "bearer", token: "tok-123" } });
    await client.createFlow(flow("acme", "a"));
    expect(double.requests.at(-1)?.authorization).toBe("Bearer tok-123");
  });
});

describe("retries", () => {
  it("repeats reads on 5xx, 429 (honouring Retry-After), dropped connections and timeouts", async () => {
    const { double, client } = await setup({ faults: { retryAfterSeconds: 0, slowMs: 600 } }, { timeoutMs: 300 });
    await client.createFlow(flow("acme", "a"));
    double.queueFaults({ kind: "5xx", methods: ["GET"] }, { kind: "429", methods: ["GET"] }, { kind: "drop", methods: ["GET"] }, { kind: "slow", methods: ["GET"] });
    expect((await client.getFlow("acme", "a"))?.id).toBe("a");
    expect(double.requests.filter((r) => r.method === "GET" && r.path.endsWith("/acme/a")).map((r) => r.fault ?? r.status)).toEqual(["5xx", "429", "drop", "slow", 200]);
  });

  it("waits as long as Retry-After says", async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const { double, client } = await setup({ faults: { retryAfterSeconds: 7 } }, { sleep, random: () => 1, retry: { baseDelayMs: 100 } });
    await client.createFlow(flow("acme", "a"));
    double.queueFaults({ kind: "429", methods: ["GET"] }, { kind: "5xx", methods: ["GET"] }, { kind: "5xx", methods: ["GET"] });
    await client.getFlow("acme", "a");
    expect(waits).toEqual([7000, 200, 400]);
  });

  it("bounds a hanging server's total wait, and says what was waited for and how many tries were made", async () => {
    const retries: KestraRetryEvent[] = [];
    const { double, client } = await setup({ faults: { slowRate: 1, slowMs: 5000 } }, { timeoutMs: 150, totalTimeoutMs: 500, retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 1 }, onRetry: (event) => retries.push(event) });
    await client.serverInfo();
    const error = (await client.getFlow("acme", "a").catch((e: unknown) => e)) as KestraApiError;
    expect(error).toBeInstanceOf(KestraApiError);
    expect(error.status).toBeUndefined();
    // Every try and pause fits in 500 ms: far fewer than the 10 tries allowed.
    expect(error.attempts).toBeGreaterThanOrEqual(2);
    expect(error.attempts).toBeLessThanOrEqual(4);
    expect(error.message).toMatch(new RegExp(`^GET /api/v1/main/flows/acme/a on ${double.url.replace(/[.]/g, "\\.")} \\(flow acme/a\\) got no answer: no answer within \\d+ ms; gave up after ${error.attempts} tries \\(${error.attempts - 1} retr(y|ies); 10 allowed, but one request may take at most 500 ms\\), [\\d.]+ (ms|s) in all\\.`));
    expect(retries.map((r) => [r.method, r.path, r.attempt, r.maxAttempts, r.totalTimeoutMs])).toEqual(
      Array.from({ length: error.attempts - 1 }, (_, i) => ["GET", "/api/v1/main/flows/acme/a", i + 1, 10, 500]),
    );
    expect(retries[0]!.reason).toBe("no answer within 150 ms");
  });

  it("says a write that got no answer was tried once", async () => {
    const { client } = await setup({ faults: { slowRate: 1, slowMs: 5000, methods: ["PUT"] } }, { timeoutMs: 100, totalTimeoutMs: 300 });
    await client.createFlow(flow("acme", "a"));
    const error = (await client.updateFlow("acme", "a", flow("acme", "a", "description: x\n")).catch((e: unknown) => e)) as KestraApiError;
    expect(error.message).toContain("PUT /api/v1/main/flows/acme/a on");
    expect(error.message).toMatch(/gave up after \d tr(y|ies)/);
  });

  it("gives up after the configured tries with the last status", async () => {
    const { double, client } = await setup({}, { retry: { maxAttempts: 3, baseDelayMs: 1 } });
    double.queueFaults({ kind: "5xx" }, { kind: "5xx" }, { kind: "5xx" }, { kind: "5xx" });
    const error = (await client.getFlow("acme", "a").catch((e: unknown) => e)) as KestraApiError;
    expect(error.status).toBe(503);
    expect(error.attempts).toBe(3);
  });

  it("does not repeat a create that Kestra stored before failing: it checks with GET first", async () => {
    const { double, client } = await setup();
    await client.serverInfo();
    double.queueFaults({ kind: "5xx", methods: ["POST"], afterWrite: true });
    const created = await client.createFlow(flow("acme", "a"));
    expect(created.revision).toBe(1);
    expect(double.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["GET 200", "POST 503", "GET 200"]);
    expect(double.revisions("acme", "a")).toHaveLength(1);
  });

  it("repeats a create once GET shows the flow is absent", async () => {
    const { double, client } = await setup();
    await client.serverInfo();
    double.queueFaults({ kind: "drop", methods: ["POST"] });
    await client.createFlow(flow("acme", "a"));
    expect(double.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["GET 200", "POST dropped", "GET 404", "POST 200"]);
  });

  it("never repeats a create whose flow now has another source", async () => {
    const { double, client } = await setup();
    await client.serverInfo();
    double.queueFaults({ kind: "drop", methods: ["POST"] });
    double.seedFlow(flow("acme", "a", "description: made in the UI\n"));
    const error = (await client.createFlow(flow("acme", "a")).catch((e: unknown) => e)) as KestraApiError;
    expect(error.message).toContain("different source");
  });
});

describe("listing and sources", () => {
  it("lists a namespace tree with few requests, dot-bounded, across pages", async () => {
    const { double, client } = await setup({}, { pageSize: 10 });
    for (let i = 0; i < 25; i++) double.seedFlow(flow(`customer_1.ns${i % 3}`, `f${i}`));
    for (let i = 0; i < 3; i++) double.seedFlow(flow("customer_10.bronze", `g${i}`));
    double.seedFlow(flow("customer_1", "root"));
    const listed = await client.listFlows({ namespacePrefix: "customer_1" });
    expect(listed).toHaveLength(26);
    expect(listed.every((f) => f.namespace === "customer_1" || f.namespace.startsWith("customer_1."))).toBe(true);
    const searches = double.requests.filter((r) => r.path.endsWith("/flows/search"));
    expect(searches).toHaveLength(3); // 29 rows match STARTS_WITH in this double: 3 pages of 10
    expect(searches[0]?.query).toContain("filters%5Bnamespace%5D%5BSTARTS_WITH%5D=customer_1");
  });

  it("pages on Kestra's total even when the server caps the page size", async () => {
    const { double, client } = await setup({ maxPageSize: 7 }, { pageSize: 100 });
    for (let i = 0; i < 20; i++) double.seedFlow(flow("acme.bronze", `f${i}`));
    expect(await client.listFlows({ namespacePrefix: "acme" })).toHaveLength(20);
    expect(double.requests.filter((r) => r.path.endsWith("/flows/search"))).toHaveLength(3);
  });

  it("filters by label and uses legacy parameters before 0.22", async () => {
    const { double, client } = await setup({ version: "0.21.3" });
    double.seedFlow(flow("acme.a", "managed"));
    double.seedFlow("id: manual\nnamespace: acme.a\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n");
    const listed = await client.listFlows({ namespacePrefix: "acme", labels: { "managed-by": "flowops" } });
    expect(listed.map((f) => f.id)).toEqual(["managed"]);
    expect(double.requests.at(-1)?.query).toContain("labels=managed-by%3Aflowops");
    expect(double.requests.at(-1)?.path).toBe("/api/v1/flows/search");
  });

  it("reads sources in chunks through export/by-ids, falling back to GET for a flow deleted meanwhile", async () => {
    const { double, client } = await setup({}, { exportChunkSize: 10 });
    const keys = [];
    for (let i = 0; i < 25; i++) {
      double.seedFlow(flow("acme.bronze", `f${i}`, `description: flow ${i}\n`));
      keys.push({ namespace: "acme.bronze", id: `f${i}` });
    }
    const sources = await client.getFlowSources(keys);
    expect(sources.size).toBe(25);
    expect(sources.get("acme.bronze/f7")).toBe(flow("acme.bronze", "f7", "description: flow 7\n"));
    expect(double.requests.filter((r) => r.path.endsWith("/export/by-ids"))).toHaveLength(3);

    double.resetRequests();
    await client.deleteFlow("acme.bronze", "f3");
    const after = await client.getFlowSources(keys.slice(0, 10));
    expect(after.size).toBe(9);
    expect(double.requests.filter((r) => r.method === "GET").length).toBe(10);
  });

  it("puts flows whose zip entry names would collide into different chunks", async () => {
    const { double, client } = await setup();
    double.seedFlow(flow("a.b", "c"));
    double.seedFlow(flow("a", "b.c"));
    const sources = await client.getFlowSources([
      { namespace: "a.b", id: "c" },
      { namespace: "a", id: "b.c" },
    ]);
    expect(sources.get("a/b.c")).toBe(flow("a", "b.c"));
    expect(sources.get("a.b/c")).toBe(flow("a.b", "c"));
  });
});
