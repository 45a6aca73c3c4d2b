import { rm } from "node:fs/promises";
import { join } from "node:path";
import { main } from "@flowops/cli";
import type { StatusReport } from "@flowops/status";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startKestraDouble, type KestraDouble } from "./kestra-double/index.js";
import { captureIO, gitRepo, writeFiles } from "./support.js";

// Real servers and Git on a shared, busy machine: generous time, no timed assertion.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

const HOUR = 3_600_000;

/** A daily schedule that last fired three hours ago: inside a 24h window, well past the grace period. */
function dailyCronThreeHoursAgo(): string {
  const at = new Date(Date.now() - 3 * HOUR);
  return `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

function platform(cron: string): Record<string, string> {
  const tenant = (code: string) => `code: ${code}\nname: ${code.toUpperCase()}\nenvironments: [staging]\nsources: { aws: true, gcp: false, azure: false, oci: false }\nschedule: "${cron}"\n`;
  // epsilon is onboarded but paused: its scheduled flows are deployed disabled, so it never runs.
  const paused = "flows:\n  bronze/extract: { disabled: true }\n  bronze/usage: { disabled: true }\n";
  const scheduled = (id: string) => `id: ${id}
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "\${tenant.schedule}"
tasks:
  - id: run
    type: io.kestra.plugin.core.log.Log
    message: "${id} for \${tenant.code}"
`;
  return {
    "flowops.config.yaml": "environments:\n  staging:\n    kestra:\n      url: https://kestra.staging.example.invalid\ndeploy:\n  prune: false\n",
    "flows/bronze/extract.yaml": scheduled("extract"),
    "flows/bronze/usage.yaml": scheduled("usage"),
    "flows/silver/report.yaml": "id: report\ntasks:\n  - id: run\n    type: io.kestra.plugin.core.log.Log\n    message: report\n",
    ...Object.fromEntries(["alpha", "beta", "gamma", "delta", "epsilon"].map((code) => [`tenants/${code}.yaml`, tenant(code) + (code === "epsilon" ? paused : "")])),
  };
}

describe.each(["1.0.3", "2.0.0-SNAPSHOT"])("flowops status against Kestra %s", (version) => {
  let dir: string;
  let healthy: KestraDouble;
  let troubled: KestraDouble;
  let cron: string;

  const run = async (kestra: KestraDouble, ...argv: string[]) => {
    const io = captureIO(dir, {});
    const code = await main(["status", "--env", "staging", "--kestra-url", kestra.url, ...argv], io);
    return { code, out: io.out(), err: io.err() };
  };
  const json = async (kestra: KestraDouble, ...argv: string[]) => {
    const result = await run(kestra, "--format", "json", ...argv);
    expect(result.err).toBe("");
    return { code: result.code, report: JSON.parse(result.out) as StatusReport };
  };
  const history = (kestra: KestraDouble, tenants: string[], outcome?: (flowId: string, slot: Date) => string | undefined) =>
    kestra.seedHistory({
      flows: tenants.flatMap((code) => ["extract", "usage"].map((flowId) => ({ namespace: `${code}.bronze`, flowId, cron, triggerId: "nightly" }))),
      from: new Date(Date.now() - 3 * 24 * HOUR),
      to: new Date(),
      ...(outcome ? { outcome: (flow, slot) => outcome(flow.flowId, slot) } : {}),
    });
  const lastNight = (slot: Date) => slot.getTime() > Date.now() - 24 * HOUR;

  beforeAll(async () => {
    cron = dailyCronThreeHoursAgo();
    ({ dir } = await gitRepo(platform(cron)));
    healthy = await startKestraDouble({ version });
    troubled = await startKestraDouble({ version });
    for (const kestra of [healthy, troubled]) {
      const io = captureIO(dir, {});
      expect(await main(["deploy", "--env", "staging", "--kestra-url", kestra.url], io), io.err()).toBe(0);
    }
    // The healthy fleet: every nightly run of the last 3 days succeeded; epsilon has no runs at all.
    history(healthy, ["alpha", "beta", "gamma", "delta"]);
    // The troubled one: beta's two nightly flows failed last night, gamma's extract was edited in
    // Kestra's UI, delta's extract did not run last night, epsilon never ran.
    history(troubled, ["alpha", "gamma"]);
    history(troubled, ["beta"], (_flow, slot) => (lastNight(slot) ? "FAILED" : "SUCCESS"));
    history(troubled, ["delta"], (flowId, slot) => (flowId === "extract" && lastNight(slot) ? undefined : "SUCCESS"));
    const live = troubled.liveFlow("gamma.bronze", "extract")!;
    troubled.seedFlow(live.source.replace("tasks:", "# hot fix made in the UI\ntasks:"));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([healthy?.close(), troubled?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it("reports a healthy fleet: every tenant synced, no failure, exit 0; a paused tenant that never ran has a null success rate, not 100%", async () => {
    const { code, report } = await json(healthy);
    expect(code).toBe(0);
    expect(Object.keys(report)).toEqual(["env", "kestra", "window", "tenants", "summary"]);
    expect(report.kestra).toEqual({ url: healthy.url, version });
    expect(Date.parse(report.window.to) - Date.parse(report.window.from)).toBe(24 * HOUR);
    expect(report.tenants.map((t) => [t.tenant, t.sync, t.successRate, t.executions.total])).toEqual([
      ["alpha", "synced", 1, 2],
      ["beta", "synced", 1, 2],
      ["delta", "synced", 1, 2],
      ["epsilon", "synced", null, 0],
      ["gamma", "synced", 1, 2],
    ]);
    expect(report.tenants[0]).toEqual({
      tenant: "alpha",
      sync: "synced",
      flows: { desired: 3, live: 3, missing: 0, drifted: 0, unmanaged: 0 },
      executions: { total: 2, success: 2, warning: 0, failed: 0, killed: 0, cancelled: 0, running: 0 },
      successRate: 1,
      failures: [],
      missedSchedules: [],
    });
    expect(report.summary).toEqual({ tenants: 5, synced: 5, executions: 8, successRate: 1, failures: 0 });
    expect(report.tenants.flatMap((t) => t.missedSchedules)).toEqual([]);
  });

  it("sends as many requests for ten times the executions: requests grow with tenants and failures, not executions", async () => {
    healthy.resetRequests();
    expect((await run(healthy)).code).toBe(0);
    const before = healthy.requests.length;
    healthy.seedExecutions(Array.from({ length: 60 }, (_, n) => ({ namespace: `alpha.${n % 2 ? "bronze" : "silver"}`, flowId: n % 2 ? "extract" : "report", state: "SUCCESS", startDate: new Date(Date.now() - (n + 1) * 10 * 60_000) })));
    healthy.resetRequests();
    const { report } = await json(healthy);
    expect(report.tenants[0]!.executions.total).toBe(62);
    expect(healthy.requests.length).toBe(before);
  });

  it("lists a tenant's two failed nightly runs with links to Kestra's UI and exits 1", async () => {
    const { code, report } = await json(troubled);
    expect(code).toBe(1);
    const beta = report.tenants.find((t) => t.tenant === "beta")!;
    expect(beta.sync).toBe("synced");
    expect(beta.executions).toMatchObject({ total: 2, success: 0, failed: 2 });
    expect(beta.successRate).toBe(0);
    expect(beta.failures.map((f) => [f.namespace, f.flowId, f.state])).toEqual(expect.arrayContaining([["beta.bronze", "extract", "FAILED"], ["beta.bronze", "usage", "FAILED"]]));
    for (const failure of beta.failures) {
      expect(failure.url).toBe(`${troubled.url}/ui/main/executions/beta.bronze/${failure.flowId}/${failure.executionId}`);
      expect(Date.now() - Date.parse(failure.startDate)).toBeLessThan(4 * HOUR);
    }
    expect(report.summary.failures).toBe(2);
    // alpha 2, beta 0 of 2, gamma 2, delta 1 (its extract did not run).
    expect(report.summary).toMatchObject({ executions: 7, successRate: 5 / 7 });
  });

  it("shows a flow edited in Kestra as drifted: the tenant is out of sync", async () => {
    const { report } = await json(troubled, "--tenant", "gamma");
    expect(report.tenants).toHaveLength(1);
    expect(report.tenants[0]).toMatchObject({ tenant: "gamma", sync: "out-of-sync", flows: { desired: 3, live: 3, missing: 0, drifted: 1, unmanaged: 0 }, successRate: 1 });
    expect((await run(troubled, "--tenant", "gamma")).code).toBe(1);
  });

  it("finds the schedule that did not fire last night, and only that one", async () => {
    const { report } = await json(troubled);
    const missed = report.tenants.flatMap((t) => t.missedSchedules.map((m) => ({ tenant: t.tenant, ...m })));
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ tenant: "delta", namespace: "delta.bronze", flowId: "extract", triggerId: "nightly" });
    const expectedAt = Date.parse(missed[0]!.expectedAt);
    expect(Math.abs(Date.now() - 3 * HOUR - expectedAt)).toBeLessThan(HOUR);
    expect(report.tenants.find((t) => t.tenant === "delta")!.executions.total).toBe(1);
    expect(report.tenants.find((t) => t.tenant === "epsilon")).toMatchObject({ successRate: null, missedSchedules: [], executions: { total: 0 } });
  });

  it("prints one row per tenant and the failures below in text, and the morning report in Markdown", async () => {
    const text = await run(troubled);
    expect(text.code).toBe(1);
    const lines = text.out.split("\n");
    expect(lines.filter((line) => /^(alpha|beta|gamma|delta|epsilon) /.test(line))).toHaveLength(5);
    expect(text.out).toMatch(/fleet: 4\/5 tenants in sync, 7 executions in the last 24h, success rate 71\.43%, 2 failures, 1 missed schedule/);
    expect(text.out).toContain(`${troubled.url}/ui/main/executions/beta.bronze/extract/`);
    expect(text.out).not.toContain("\u001b[");
    const markdown = await run(troubled, "--format", "markdown");
    expect(markdown.code).toBe(1);
    expect(markdown.out).toContain("❌ **3 of 5 tenants need attention**");
    expect(markdown.out).toContain("```mermaid\nxychart-beta");
    const table = markdown.out.split("\n").filter((line) => /^\| (alpha|beta|gamma|delta|epsilon) \|/.test(line)).map((line) => line.split("|")[1]!.trim());
    expect(table.slice(0, 3)).toEqual(["gamma", "beta", "delta"]);
    expect(markdown.out).toMatch(/\[exec\d+\]\(http:\/\/127\.0\.0\.1:\d+\/ui\/main\/executions\/beta\.bronze\/(extract|usage)\/exec\d+\)/);
  });

  it("compares Kestra with the working tree, or with a Git ref given by --ref", async () => {
    writeFiles(dir, { "flows/gold/forecast.yaml": "id: forecast\ntasks:\n  - id: run\n    type: io.kestra.plugin.core.log.Log\n    message: forecast\n" });
    try {
      const tree = await json(healthy, "--tenant", "alpha");
      expect(tree.code).toBe(1);
      expect(tree.report.tenants[0]).toMatchObject({ sync: "out-of-sync", flows: { desired: 4, live: 3, missing: 1 } });
      const head = await json(healthy, "--tenant", "alpha", "--ref", "HEAD");
      expect(head.code).toBe(0);
      expect(head.report.tenants[0]).toMatchObject({ sync: "synced", flows: { desired: 3, live: 3, missing: 0 } });
    } finally {
      await rm(join(dir, "flows/gold"), { recursive: true, force: true });
    }
  });

  it("calls a tenant's sync unknown when its flows do not render, names the problem, and exits 1", async () => {
    writeFiles(dir, { "tenants/zeta.yaml": "code: zeta\nname: ZETA\nenvironments: [staging]\nsources: { aws: true }\n" });
    try {
      const result = await run(healthy, "--format", "json");
      expect(result.code).toBe(1);
      const report = JSON.parse(result.out) as StatusReport;
      expect(report.tenants.find((t) => t.tenant === "zeta")).toMatchObject({ sync: "unknown", executions: { total: 0 }, successRate: null });
      expect(report.tenants.filter((t) => t.sync === "synced")).toHaveLength(5);
      expect(result.err).toMatch(/sync of tenant zeta is unknown: flows\/bronze\/extract\.yaml:\d+:\d+: .*schedule/);
    } finally {
      await rm(join(dir, "tenants/zeta.yaml"), { force: true });
    }
  });

  it("answers --help with its usage and refuses bad flags with exit 2", async () => {
    const help = await run(healthy, "--help");
    expect(help.code).toBe(0);
    expect(help.out).toContain("usage: flowops status --env ENV");
    expect((await run(healthy, "--since", "2w")).code).toBe(2);
    expect((await run(healthy, "--since", "0h")).code).toBe(2);
    expect((await run(healthy, "--format", "yaml")).code).toBe(2);
    expect((await run(healthy, "--tenant", "nobody")).code).toBe(2);
  });
});

describe("flowops status inside GitHub Actions", () => {
  it("reaches only the operator's KESTRA_URL with KESTRA_USERNAME + KESTRA_PASSWORD, whatever host and variables the repository names", async () => {
    const credentials = { username: "ops@example.com", password: "Op3rator-Secret-7" };
    const kestra = await startKestraDouble({ basicAuth: credentials });
    const files = platform(dailyCronThreeHoursAgo());
    files["flowops.config.yaml"] = "environments:\n  staging:\n    kestra:\n      url: http://127.0.0.1:9\n      usernameEnv: REPO_USER\n      passwordEnv: REPO_PASSWORD\n";
    const { dir } = await gitRepo(files);
    try {
      const actions = { GITHUB_ACTIONS: "true", REPO_USER: "someone@else", REPO_PASSWORD: "not-for-kestra" };
      const io = captureIO(dir, { ...actions, KESTRA_URL: kestra.url, KESTRA_USERNAME: credentials.username, KESTRA_PASSWORD: credentials.password });
      // Nothing is deployed: every tenant is out of sync (exit 1), and the report came from the operator's Kestra.
      expect(await main(["status", "--env", "staging", "--format", "json"], io)).toBe(1);
      expect(io.err()).toBe("");
      expect((JSON.parse(io.out()) as StatusReport).kestra.url).toBe(kestra.url);
      const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
      expect(kestra.requests.filter((r) => r.path !== "/api/v1/configs").every((r) => r.authorization === basic)).toBe(true);
      const noUrl = captureIO(dir, actions);
      expect(await main(["status", "--env", "staging"], noUrl)).toBe(2);
      expect(noUrl.err()).toContain("--kestra-url");
    } finally {
      await kestra.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
