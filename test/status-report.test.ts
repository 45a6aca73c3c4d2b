// Golden files of the morning report. Rewrite them with UPDATE_GOLDEN=1 after a deliberate change (a missing one fails).
import { rm } from "node:fs/promises";
import { apply, deployInputs, plan } from "@flowops/deploy";
import { KestraClient } from "@flowops/kestra";
import { readRepository } from "@flowops/render";
import { collectStatus, formatStatusMarkdown, formatStatusText } from "@flowops/status";
import type { StatusResult } from "@flowops/status";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startKestraDouble, type KestraDouble } from "./kestra-double/index.js";
import { expectGolden, gitRepo } from "./support.js";

// Real servers and Git on a shared, busy machine: generous time, no timed assertion.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

const NOW = new Date("2026-03-10T07:30:00Z");
const DAY = 86_400_000;
const PUBLIC_URL = "https://kestra.example.com";

const scheduled = (id: string, cron: string) => `id: ${id}
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "${cron}"
tasks:
  - id: run
    type: io.kestra.plugin.core.log.Log
    message: "${id} for \${tenant.code}"
`;

const PLATFORM: Record<string, string> = {
  "flowops.config.yaml": "environments:\n  production:\n    kestra:\n      url: https://kestra.example.com\n",
  "flows/bronze/costs.yaml": scheduled("costs", "0 2 * * *"),
  "flows/bronze/usage.yaml": scheduled("usage", "30 2 * * *"),
  "flows/gold/forecast.yaml": "id: forecast\ntasks:\n  - id: run\n    type: io.kestra.plugin.core.log.Log\n    message: forecast\n",
  ...Object.fromEntries(
    ["acme_retail", "globex_bank", "initech_saas", "umbrella_health"].map((code) => [`tenants/${code}.yaml`, `code: ${code}\nname: ${code}\nenvironments: [production]\nsources: { aws: true }\nschedule: "0 2 * * *"\n`]),
  ),
};

describe("the morning report", () => {
  let kestra: KestraDouble;
  let dir: string;
  let result: StatusResult;

  beforeAll(async () => {
    ({ dir } = await gitRepo(PLATFORM));
    kestra = await startKestraDouble({ now: () => NOW });
    const repository = await readRepository({ cwd: dir });
    const client = new KestraClient({ url: kestra.url });
    // Deploy what Git renders, then history: a week of nightly runs with a bad Thursday, two
    // failures last night at globex_bank, umbrella_health's usage run missing last night.
    const inputs = deployInputs(repository, "production");
    const report = await apply(await plan({ env: "production", desired: inputs.desired, client, scopes: inputs.scopes, policy: inputs.policy }), { client });
    expect(report.summary.failed).toBe(0);
    const flows = repository.tenants.flatMap((tenant) => [
      { namespace: `${tenant.code}.bronze`, flowId: "costs", cron: "0 2 * * *", triggerId: "nightly" },
      { namespace: `${tenant.code}.bronze`, flowId: "usage", cron: "30 2 * * *", triggerId: "nightly" },
    ]);
    const lastNight = (slot: Date) => slot.getTime() > NOW.getTime() - DAY;
    kestra.seedHistory({
      flows,
      from: new Date(NOW.getTime() - 8 * DAY),
      to: NOW,
      outcome: (flow, slot, index) => {
        if (lastNight(slot) && flow.namespace === "globex_bank.bronze") return flow.flowId === "costs" ? "FAILED" : "KILLED";
        if (lastNight(slot) && flow.namespace === "umbrella_health.bronze" && flow.flowId === "usage") return undefined;
        if (slot.toISOString().startsWith("2026-03-05") && index % 3 === 0) return "FAILED";
        return index % 11 === 0 ? "WARNING" : "SUCCESS";
      },
    });
    kestra.seedExecutions([{ id: "manual_forecast_1", namespace: "initech_saas.gold", flowId: "forecast", state: "RUNNING", startDate: new Date(NOW.getTime() - 20 * 60_000) }]);
    result = await collectStatus({ repository, env: "production", client, sinceMs: DAY, now: NOW, daily: true });
  }, 120_000);
  afterAll(async () => {
    await kestra.close();
    await rm(dir, { recursive: true, force: true });
  });

  const stable = (text: string) => text.split(kestra.url).join(PUBLIC_URL);

  it("is pinned as Markdown: verdict, tenants worst first, failures with links, missed schedules, daily chart", () => {
    expect(result.report.summary).toMatchObject({ tenants: 4, synced: 4, failures: 2 });
    expect(result.daily).toHaveLength(7);
    expectGolden("status", "morning-report.md", stable(formatStatusMarkdown(result)));
  });

  it("is pinned as text", () => {
    expectGolden("status", "morning-report.txt", stable(formatStatusText(result)));
  });

  it("past 500 runs that did not succeed (here 100), counts each state bucket exactly and lists the newest failures", async () => {
    const repository = await readRepository({ cwd: dir });
    kestra.seedExecutions(Array.from({ length: 150 }, (_, n) => ({ namespace: "acme_retail.gold", flowId: "forecast", state: "CANCELLED", startDate: new Date(NOW.getTime() - (n + 1) * 60_000) })));
    const capped = await collectStatus({ repository, env: "production", client: new KestraClient({ url: kestra.url }), sinceMs: DAY, now: NOW, tenants: ["acme_retail"], maxFailuresPerTenant: 100 });
    const acme = capped.report.tenants[0]!;
    expect(acme.executions).toEqual({ total: 152, success: 2, warning: 0, failed: 0, killed: 0, cancelled: 150, running: 0 });
    expect(acme.successRate).toBe(2 / 152);
    expect(acme.failures).toHaveLength(100);
    expect(acme.failures[0]!.startDate).toBe(new Date(NOW.getTime() - 60_000).toISOString());
    expect(capped.notes).toContain("tenant acme_retail: only the newest 100 of 150 failed executions are listed");
  });
});
