import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KestraClient } from "@flowops/kestra";
import type { KestraClientOptions } from "@flowops/kestra";
import { startKestraDouble } from "../../../test/kestra-double/index.js";
import type { KestraDouble, KestraDoubleOptions } from "../../../test/kestra-double/index.js";
import { DeployRefusedError, apply, planReport } from "./apply.js";
import { formatReportJson, formatReportText } from "./format.js";
import { plan } from "./plan.js";
import type { PlanOptions } from "./plan.js";
import type { DesiredFlow } from "./types.js";

const doubles: KestraDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

async function setup(options: KestraDoubleOptions = {}, clientOptions: Partial<KestraClientOptions> = {}) {
  const double = await startKestraDouble(options);
  doubles.push(double);
  const client = () => new KestraClient({ url: double.url, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...clientOptions });
  return { double, client };
}

/** A rendered flow built from YAML text, as `render` would give it. */
function desired(tenant: string | null, source: string, env = "staging"): DesiredFlow {
  const document = parse(source) as Record<string, unknown>;
  return { env, tenant, namespace: String(document.namespace), id: String(document.id), document, source, template: `flows/${String(document.id)}.yaml` };
}

function flowSource(namespace: string, id: string, body = "", labels = "  managed-by: flowops\n  system.readOnly: \"true\"\n"): string {
  return `# rendered by flowops\nid: ${id}\nnamespace: ${namespace}\nlabels:\n${labels}tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "${id} says hi"\n${body}`;
}

/** The flow with the `flowops.tenant` label render adds in a multi-tenant repository. */
function withTenantLabel(flow: DesiredFlow): DesiredFlow {
  return desired(flow.tenant, flow.source.replace("labels:\n", `labels:\n  flowops.tenant: ${String(flow.tenant)}\n`));
}

function platform(tenants: string[], ids: string[], edit: (tenant: string, id: string, source: string) => string = (_t, _i, s) => s): DesiredFlow[] {
  return tenants.flatMap((tenant) => ids.map((id) => desired(tenant, edit(tenant, id, flowSource(`${tenant}.bronze`, id)))));
}

async function deploy(client: KestraClient, options: Omit<PlanOptions, "client" | "env"> & { prune?: boolean; force?: boolean; concurrency?: number }) {
  const thePlan = await plan({ env: "staging", client, ...options });
  const report = await apply(thePlan, { client, prune: options.prune ?? false, force: options.force ?? false, concurrency: options.concurrency ?? 4 });
  return { plan: thePlan, report };
}

describe("plan and apply", () => {
  it("creates everything first, then writes nothing when nothing changed", async () => {
    const { double, client } = await setup();
    const flows = platform(["customer_1", "customer_2"], ["a", "b", "c"]);
    const first = await deploy(client(), { desired: flows });
    expect(first.report.summary).toMatchObject({ create: 6, failed: 0, writes: 6 });
    expect(double.liveFlows()).toHaveLength(6);
    expect(double.liveFlow("customer_1.bronze", "a")?.source).toBe(flows[0]!.source);

    double.resetRequests();
    const second = await deploy(client(), { desired: flows });
    expect(second.report.summary).toMatchObject({ create: 0, update: 0, delete: 0, unchanged: 6, writes: 0 });
    expect(double.writeCount()).toBe(0);
    // configs, the label search, one search per root (customer_1, customer_2: no common dotted prefix), one export
    expect(double.requests.map((r) => `${r.method} ${r.path.replace(/^\/api\/v1\/main/, "")}${r.query.includes("labels") ? " (by label)" : ""}`)).toEqual([
      "GET /api/v1/configs",
      "GET /flows/search (by label)",
      "GET /flows/search",
      "GET /flows/search",
      "POST /flows/export/by-ids",
    ]);
    expect(second.plan.requests).toBe(5);
  });

  it("updates exactly the flows whose rendered source changed", async () => {
    const { double, client } = await setup();
    await deploy(client(), { desired: platform(["customer_1", "customer_2"], ["a", "b"]) });
    double.resetRequests();
    const edited = platform(["customer_1", "customer_2"], ["a", "b"], (_t, id, s) => (id === "b" ? s.replace("says hi", "says hello") : s));
    const { report } = await deploy(client(), { desired: edited });
    expect(report.actions.filter((a) => a.action === "update").map((a) => `${a.namespace}/${a.id}`)).toEqual(["customer_1.bronze/b", "customer_2.bronze/b"]);
    expect(double.countByMethod()).toMatchObject({ PUT: 2 });
    expect(double.writeCount()).toBe(2);
    expect(double.liveFlow("customer_2.bronze", "b")?.revision).toBe(2);
  });

  it("deletes flows Git no longer renders only with prune", async () => {
    const { double, client } = await setup();
    const ids = ["a", "b", "c", "d", "e"];
    await deploy(client(), { desired: platform(["customer_1"], ids) });
    const fewer = platform(["customer_1"], ids.slice(0, 4));

    const withoutPrune = await deploy(client(), { desired: fewer });
    expect(withoutPrune.report.actions.find((a) => a.id === "e")).toMatchObject({ action: "delete", status: "skipped" });
    expect(double.liveFlow("customer_1.bronze", "e")).toBeDefined();

    const withPrune = await deploy(client(), { desired: fewer, prune: true });
    expect(withPrune.report.actions.find((a) => a.id === "e")).toMatchObject({ action: "delete", status: "done" });
    expect(double.liveFlow("customer_1.bronze", "e")).toBeUndefined();
  });

  it("never changes or deletes flows without the ownership label", async () => {
    const { double, client } = await setup();
    double.seedFlow(flowSource("customer_1.bronze", "hand_made", "", "  team: data\n"));
    double.seedFlow(flowSource("customer_1.bronze", "b", "", "  team: data\n"));
    // Another platform's flow, owned under another ownership label: neither in scope nor managed.
    double.seedFlow(flowSource("customer_10.bronze", "other_platform", "", "  managed-by: other-platform\n"));
    const flows = [...platform(["customer_1"], ["a", "b"]), ...platform(["customer_2"], ["a"])];
    const { plan: thePlan, report } = await deploy(client(), { desired: flows, prune: true, force: true });
    expect(thePlan.unmanaged.map((f) => f.id)).toEqual(["b", "hand_made"]);
    expect(report.actions.find((a) => a.namespace === "customer_1.bronze" && a.id === "b")).toMatchObject({ status: "failed" });
    expect(report.actions.find((a) => a.id === "b")?.error).toContain("without the label managed-by: flowops");
    expect(report.actions.find((a) => a.id === "b")?.error).toContain("flowops adopt --env staging");
    const text = formatReportText(report, "deploy");
    expect(text).toContain("1 flow is held in Kestra without the ownership label; re-running will not help. Run `flowops adopt --env staging`");
    expect(text).not.toContain("re-run to retry");
    expect(double.liveFlow("customer_1.bronze", "b")?.revision).toBe(1);
    expect(double.liveFlow("customer_1.bronze", "hand_made")).toBeDefined();
    // customer_10 is another tenant's tree: not in scope, not even listed
    expect(double.liveFlow("customer_10.bronze", "other_platform")).toBeDefined();
    expect(report.actions.some((a) => a.namespace.startsWith("customer_10"))).toBe(false);
    expect(report.summary.failedTenants).toEqual(["customer_1"]);
    expect(double.liveFlow("customer_2.bronze", "a")).toBeDefined();
  });

  it("refuses to delete more than maxDeleteShare of the managed flows unless forced", async () => {
    const { double, client } = await setup();
    const ids = ["a", "b", "c", "d"];
    await deploy(client(), { desired: platform(["customer_1"], ids) });
    double.resetRequests();
    const thePlan = await plan({ env: "staging", client: client(), desired: platform(["customer_1"], ["a", "b"]), policy: { prune: true } });
    await expect(apply(thePlan, { client: client() })).rejects.toThrow(/would delete 2 of 4 managed flows \(50%\), more than the allowed 25%/);
    expect(double.writeCount()).toBe(0);
    const forced = await apply(thePlan, { client: client(), force: true });
    expect(forced.summary).toMatchObject({ delete: 2, failed: 0 });
    expect(double.liveFlows().map((f) => f.id).sort()).toEqual(["a", "b"]);
  });

  it("aborts an empty desired set or a render problem, even with force", async () => {
    const { double, client } = await setup();
    await deploy(client(), { desired: platform(["customer_1"], ["a"]) });
    double.resetRequests();
    const empty = await plan({ env: "staging", client: client(), desired: [], scopes: [{ tenant: "customer_1", root: "customer_1" }], policy: { prune: true } });
    const refused = await apply(empty, { client: client(), force: true, prune: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DeployRefusedError);
    expect((refused as DeployRefusedError).reason).toBe("empty");
    const broken = await plan({
      env: "staging",
      client: client(),
      desired: platform(["customer_1"], ["a"]),
      problems: [{ code: "unknown-placeholder", file: "flows/bronze/a.yaml", line: 7, column: 14, message: "${tenant.nope} is not defined", tenant: "customer_1" }],
    });
    const problem = (await apply(broken, { client: client(), force: true }).catch((e: unknown) => e)) as DeployRefusedError;
    expect(problem.reason).toBe("problems");
    expect(problem.message).toContain("flows/bronze/a.yaml:7:14: ${tenant.nope} is not defined [unknown-placeholder] (tenant customer_1)");
    expect(double.writeCount()).toBe(0);
  });
});

describe("ownership by label", () => {
  it("finds every managed flow by its label, wherever its namespace: a deleted tenant's flows are delete candidates", async () => {
    // Pages of 2: the label search must page to Kestra's total.
    const { double, client } = await setup({ maxPageSize: 2 });
    await deploy(client(), { desired: platform(["customer_1", "gone"], ["a", "b"]).map((f) => withTenantLabel(f)) });
    // A flow deployed before the tenant label existed: found by managed-by, no tenant to name.
    double.seedFlow(flowSource("legacy.bronze", "old"));
    double.resetRequests();
    const thePlan = await plan({ env: "staging", client: client(), desired: platform(["customer_1"], ["a", "b"]).map((f) => withTenantLabel(f)), policy: { prune: true } });
    expect(thePlan.flows.filter((f) => f.action === "delete").map((f) => `${String(f.tenant)} ${f.namespace}/${f.id}`)).toEqual([
      "null legacy.bronze/old",
      "gone gone.bronze/a",
      "gone gone.bronze/b",
    ]);
    expect(thePlan.managedLiveCount).toBe(5);
    expect(double.requests.filter((r) => r.query.includes("filters%5Blabels%5D%5BEQUALS%5D%5Bmanaged-by%5D=flowops")).length).toBe(3);
    // 3 of 5 managed flows: above the default share, so refused without force.
    await expect(apply(thePlan, { client: client() })).rejects.toThrow(/would delete 3 of 5 managed flows/);
    const report = await apply(thePlan, { client: client(), force: true });
    expect(report.summary).toMatchObject({ delete: 3, failed: 0 });
    expect(double.liveFlows().map((f) => `${f.namespace}/${f.id}`).sort()).toEqual(["customer_1.bronze/a", "customer_1.bronze/b"]);
  });

  it("lists a plan's updates with a unified diff from live to Git when asked", async () => {
    const { client } = await setup();
    await deploy(client(), { desired: platform(["customer_1"], ["a"]) });
    const edited = platform(["customer_1"], ["a"], (_t, _i, s) => s.replace("says hi", "says hello"));
    const report = planReport(await plan({ env: "staging", client: client(), desired: edited }), { diff: true });
    expect(report.actions[0]!.diff).toContain("--- live/customer_1.bronze/a.yaml\n+++ git/customer_1.bronze/a.yaml");
    expect(report.actions[0]!.diff).toContain('-    message: "a says hi"\n+    message: "a says hello"');
    expect(formatReportText(report, "plan")).toContain('      +    message: "a says hello"');
    expect(planReport(await plan({ env: "staging", client: client(), desired: edited })).actions[0]!.diff).toBeUndefined();
  });
});

describe("order and isolation", () => {
  it("writes subflow targets and upstream flows first, and deletes in reverse", async () => {
    const { double, client } = await setup();
    const caller = flowSource("acme.gold", "a_caller").replace(
      "tasks:\n",
      "tasks:\n  - id: wrap\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - id: call\n        type: io.kestra.plugin.core.flow.Subflow\n        namespace: acme.silver\n        flowId: b_target\n",
    );
    const listener = flowSource("acme.silver", "b_target").replace(
      "tasks:\n",
      "triggers:\n  - id: after_c\n    type: io.kestra.plugin.core.trigger.Flow\n    preconditions:\n      id: upstream\n      flows:\n        - namespace: acme.bronze\n          flowId: c_upstream\n          states: [SUCCESS]\ntasks:\n",
    );
    const upstream = flowSource("acme.bronze", "c_upstream");
    const flows = [desired("acme", caller), desired("acme", listener), desired("acme", upstream)];
    await deploy(client(), { desired: flows, concurrency: 8 });
    // Alphabetical order would be a, b, c; dependencies force c (upstream), b (target), a (caller).
    const created = double.requests.filter((r) => r.method === "POST" && r.path.endsWith("/flows")).map((r) => r.flow);
    expect(created).toEqual(["acme.bronze/c_upstream", "acme.silver/b_target", "acme.gold/a_caller"]);

    double.resetRequests();
    const keep = desired("acme", flowSource("acme.other", "keep"));
    await deploy(client(), { desired: [keep], prune: true, force: true, concurrency: 8 });
    const deleted = double.requests.filter((r) => r.method === "DELETE").map((r) => r.flow);
    expect(deleted).toEqual(["acme.gold/a_caller", "acme.silver/b_target", "acme.bronze/c_upstream"]);
  });

  it.each([1, 3])("has at most %i writes in flight at a time", async (concurrency) => {
    const { double } = await setup();
    let inFlight = 0;
    let most = 0;
    // Counts overlapping writes; the short pause keeps each one open long enough to overlap.
    class CountingClient extends KestraClient {
      override async createFlow(source: string) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 10));
          return await super.createFlow(source);
        } finally {
          inFlight -= 1;
        }
      }
    }
    const client = new CountingClient({ url: double.url, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    const { report } = await deploy(client, { desired: platform(["customer_1", "customer_2"], ["a", "b", "c", "d", "e", "f"]), concurrency });
    expect(report.summary).toMatchObject({ create: 12, failed: 0 });
    expect(most).toBe(concurrency);
  });

  it("keeps one tenant's 422 from stopping the others, and names it", async () => {
    const { double, client } = await setup();
    const flows = [
      ...platform(["customer_1"], ["a", "b"]),
      desired("customer_2", flowSource("customer_2.bronze", "broken").replace("io.kestra.plugin.core.log.Log", "com.example.Nope")),
      ...platform(["customer_2", "customer_3"], ["a"]),
    ];
    const { report } = await deploy(client(), { desired: flows });
    expect(report.summary.failedTenants).toEqual(["customer_2"]);
    const failed = report.actions.find((a) => a.id === "broken")!;
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("(flow customer_2.bronze/broken)");
    expect(failed.error).toContain("Invalid type: com.example.Nope");
    expect(double.liveFlows().map((f) => `${f.namespace}/${f.id}`).sort()).toEqual(["customer_1.bronze/a", "customer_1.bronze/b", "customer_2.bronze/a", "customer_3.bronze/a"]);
    const text = formatReportText(report, "deploy");
    expect(text).toContain("customer_2: 1 created, 0 updated, 0 deleted, 0 unchanged, 1 failed");
    expect(text).toContain("Failed tenants: customer_2.");
  });

  it("shows drift made through the API (against a baseline) and overwrites it", async () => {
    const { double, client } = await setup();
    const flows = platform(["customer_1"], ["a", "b"]);
    await deploy(client(), { desired: flows });
    await client().updateFlow("customer_1.bronze", "a", flows[0]!.source.replace("says hi", "was edited by hand"));
    const thePlan = await plan({ env: "staging", client: client(), desired: flows, baseline: flows });
    expect(thePlan.drift.map((f) => f.id)).toEqual(["a"]);
    expect(thePlan.flows.find((f) => f.id === "a")).toMatchObject({ action: "update", drift: true });
    expect(formatReportText(planReport(thePlan), "plan")).toContain("~ update customer_1.bronze/a (drift: changed outside Git)");
    await apply(thePlan, { client: client() });
    expect(double.liveFlow("customer_1.bronze", "a")?.source).toBe(flows[0]!.source);
  });
});

describe("a world that moved between plan and apply", () => {
  it("updates a managed flow that appeared after the plan, and creates one that vanished", async () => {
    const { double, client } = await setup();
    const flows = platform(["customer_1"], ["a", "b"]);
    await deploy(client(), { desired: [flows[1]!] });
    const edited = [flows[0]!, desired("customer_1", flows[1]!.source.replace("says hi", "says bye"))];
    const thePlan = await plan({ env: "staging", client: client(), desired: edited });
    expect(thePlan.flows.map((f) => f.action)).toEqual(["create", "update"]);
    double.seedFlow(flows[0]!.source.replace("says hi", "was created meanwhile"));
    await client().deleteFlow("customer_1.bronze", "b");
    double.resetRequests();
    const report = await apply(thePlan, { client: client() });
    expect(report.summary).toMatchObject({ failed: 0, writes: 4 });
    expect(double.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.flow} ${r.status}`).sort()).toEqual([
      "POST customer_1.bronze/a 422",
      "POST customer_1.bronze/b 200",
      "PUT customer_1.bronze/a 200",
      "PUT customer_1.bronze/b 404",
    ]);
    expect(double.liveFlow("customer_1.bronze", "a")?.source).toBe(edited[0]!.source);
    expect(double.liveFlow("customer_1.bronze", "b")?.source).toBe(edited[1]!.source);
  });

  it("holds back the deletes of a tenant whose writes failed, and only those", async () => {
    const { double, client } = await setup();
    await deploy(client(), { desired: platform(["customer_1", "customer_2"], ["a", "b", "c", "d", "e"]) });
    const next = [
      ...platform(["customer_1", "customer_2"], ["a", "b", "c", "d"]),
      desired("customer_1", flowSource("customer_1.bronze", "new_broken").replace("io.kestra.plugin.core.log.Log", "com.example.Nope")),
    ];
    const { report } = await deploy(client(), { desired: next, prune: true });
    expect(report.actions.filter((a) => a.action === "delete").map((a) => `${a.tenant} ${a.status}`)).toEqual(["customer_1 skipped", "customer_2 done"]);
    expect(double.liveFlow("customer_1.bronze", "e")).toBeDefined();
    expect(double.liveFlow("customer_2.bronze", "e")).toBeUndefined();
  });
});

describe("faults", () => {
  it("converges over repeated deploys when 30% of writes fail", async () => {
    const { double, client } = await setup(
      { seed: 3, faults: { methods: ["POST", "PUT", "DELETE"], pathPattern: /\/flows(\/(?!export\/)[^/]+\/[^/]+)?$/, serverErrorRate: 0.18, dropRate: 0.15, afterWriteShare: 0.5 } },
      { retry: { maxAttempts: 1 } },
    );
    const tenants = ["t1", "t2", "t3", "t4"];
    const ids = ["a", "b", "c", "d", "e", "f"];
    const version1 = platform(tenants, ids);
    const version2 = platform(tenants, ids.slice(0, 5), (_t, id, s) => (id < "c" ? s.replace("hi", "hey") : s));
    let runs = 0;
    for (const target of [version1, version2]) {
      for (;;) {
        runs++;
        const thePlan = await plan({ env: "staging", client: client(), desired: target, policy: { prune: true, maxDeleteShare: 0.5 } });
        if (thePlan.flows.every((f) => f.action === "unchanged")) break;
        expect(runs).toBeLessThan(25);
        await apply(thePlan, { client: client() }).catch((error: unknown) => {
          if (!(error instanceof Error) || !/no answer|failed/.test(error.message)) throw error;
        });
      }
    }
    expect(double.requests.some((r) => r.fault !== undefined)).toBe(true);
    const live = new Map(double.liveFlows().map((f) => [`${f.namespace}/${f.id}`, f.source]));
    expect(live.size).toBe(version2.length);
    for (const flow of version2) expect(live.get(`${flow.namespace}/${flow.id}`)).toBe(flow.source);
    for (const flow of version2) expect(double.revisions(flow.namespace, flow.id).filter((r) => !r.deleted).length).toBeLessThanOrEqual(2);
  });

  it("never prints credentials, even when everything fails", async () => {
    const password = "Sup3r-Secret-Pw";
    const basicAuth = { username: "deployer@example.com", password };
    const { double } = await setup({ basicAuth });
    const client = new KestraClient({ url: double.url, auth: { kind: "basic", ...basicAuth }, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    double.setFaults({ methods: ["POST"], serverErrorRate: 1 });
    const flows = platform(["customer_1"], ["a", "b"]);
    const thePlan = await plan({ env: "staging", client, desired: flows });
    const report = await apply(thePlan, { client });
    expect(report.summary.failed).toBe(2);
    const wrong = new KestraClient({ url: double.url, auth: { kind: "basic", username: basicAuth.username, password: "Wr0ng-" + password } });
    const refused = await plan({ env: "staging", client: wrong, desired: flows }).catch((e: unknown) => e as Error);
    const output = [formatReportText(report), formatReportJson(report), String(refused), JSON.stringify(refused), (refused as Error).stack].join("\n");
    expect(output).not.toContain(password);
    expect(output).not.toContain(Buffer.from(`${basicAuth.username}:${password}`).toString("base64"));
    expect(output).toContain("HTTP 401");
  });
});
