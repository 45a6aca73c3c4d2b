import { afterEach, describe, expect, it, vi } from "vitest";
import { startKestraDouble } from "../../../test/kestra-double/index.js";
import type { KestraDouble, KestraDoubleOptions } from "../../../test/kestra-double/index.js";
import { KestraClient } from "./client.js";
import { countExecutions, executionUiUrl, latestExecutions, listExecutions, normaliseExecution, parseKestraInstant, searchExecutions } from "./executions.js";
import { listTriggers, normaliseTrigger } from "./triggers.js";

// Real servers and Git on a shared, busy machine: generous time, no timed assertion.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

const NOW = new Date("2026-03-10T12:00:00Z");
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);
const running: KestraDouble[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.close()));
});

async function start(options: KestraDoubleOptions = {}): Promise<{ double: KestraDouble; client: KestraClient }> {
  const double = await startKestraDouble({ now: () => NOW, ...options });
  running.push(double);
  double.seedExecutions([
    { id: "ok1", namespace: "acme.bronze", flowId: "load", state: "SUCCESS", startDate: ago(2) },
    { id: "ok2", namespace: "acme.silver", flowId: "clean", state: "WARNING", startDate: ago(3) },
    { id: "bad1", namespace: "acme.bronze", flowId: "load", state: "FAILED", startDate: ago(4) },
    { id: "bad2", namespace: "acme.bronze", flowId: "load", state: "KILLED", startDate: ago(5) },
    { id: "run1", namespace: "acme", flowId: "top", state: "RUNNING", startDate: ago(1) },
    { id: "other", namespace: "acme2.bronze", flowId: "load", state: "FAILED", startDate: ago(2) },
    { id: "old", namespace: "acme.bronze", flowId: "load", state: "FAILED", startDate: ago(24 * 10) },
    { id: "test", namespace: "acme.bronze", flowId: "load", state: "FAILED", startDate: ago(2), kind: "TEST" },
  ]);
  return { double, client: new KestraClient({ url: double.url }) };
}

const lastDay = { from: ago(24), to: NOW };

describe.each(["1.0.3", "2.0.0-SNAPSHOT", "0.21.0"])("execution search on Kestra %s", (version) => {
  it("counts exactly with size=1 per namespace tree and state bucket, never a sibling tree, never TEST runs", async () => {
    const { client, double } = await start({ version });
    expect(await countExecutions(client, { window: lastDay, namespacePrefix: "acme" })).toBe(5);
    expect(await countExecutions(client, { window: lastDay, namespacePrefix: "acme", states: ["FAILED", "KILLED", "CANCELLED"] })).toBe(2);
    expect(await countExecutions(client, { window: lastDay, namespacePrefix: "acme", states: ["SUCCESS"] })).toBe(1);
    if (version !== "0.21.0") expect(await countExecutions(client, { window: lastDay, namespacePrefix: "acme", notState: "SUCCESS" })).toBe(4);
    else await expect(countExecutions(client, { window: lastDay, notState: "SUCCESS" })).rejects.toThrow(/cannot be excluded/);
    expect(double.requests.filter((r) => r.path.endsWith("/executions/search")).every((r) => new URLSearchParams(r.query).get("size") === "1")).toBe(true);
  });

  it("reads an explicit window older than Kestra's default 8 days", async () => {
    const { client } = await start({ version });
    const old = await searchExecutions(client, { window: { from: ago(24 * 11), to: ago(24 * 9) }, namespacePrefix: "acme" });
    expect(old.results.map((e) => e.id)).toEqual(["old"]);
  });

  it("lists newest first, pages until the total, and stops at the page cap saying so", async () => {
    const { client } = await start({ version });
    const all = await listExecutions(client, { window: lastDay, namespacePrefix: "acme" }, { pageSize: 2 });
    expect(all).toMatchObject({ total: 5, complete: true });
    expect(all.executions.map((e) => e.id)).toEqual(["run1", "ok1", "ok2", "bad1", "bad2"]);
    const capped = await listExecutions(client, { window: lastDay, namespacePrefix: "acme" }, { pageSize: 2, maxPages: 1 });
    expect(capped).toMatchObject({ total: 5, complete: false });
    expect(capped.executions).toHaveLength(2);
    const one = await listExecutions(client, { window: lastDay, namespace: "acme.bronze", flowId: "load", states: ["FAILED", "KILLED"] });
    expect(one.executions.map((e) => [e.id, e.state])).toEqual([["bad1", "FAILED"], ["bad2", "KILLED"]]);
    expect(one.executions[0]!.endDate).toBeDefined();
  });
});

describe("response shapes", () => {
  it("reads 1.x executions (with task runs) and 2.0 light executions alike", async () => {
    const v1 = await start({ version: "1.0.3" });
    const v2 = await start({ version: "2.0.0-SNAPSHOT" });
    const raw1 = (await (await fetch(`${v1.double.url}/api/v1/main/executions/search?filters[namespace][PREFIX]=acme&size=1&sort=id:asc`)).json()) as { results: Record<string, unknown>[] };
    const raw2 = (await (await fetch(`${v2.double.url}/api/v1/main/executions/search?filters[namespace][PREFIX]=acme&size=1&sort=id:asc`)).json()) as { results: Record<string, unknown>[] };
    expect(raw1.results[0]).toHaveProperty("taskRunList");
    expect(raw2.results[0]).not.toHaveProperty("taskRunList");
    expect(normaliseExecution(raw1.results[0])).toEqual(normaliseExecution(raw2.results[0]));
  });

  it("takes the start from the first history entry when startDate is absent, and refuses rows without an id", () => {
    expect(normaliseExecution({ id: "e", namespace: "n", flowId: "f", state: { current: "CREATED", histories: [{ state: "CREATED", date: "2026-01-01T00:00:00Z" }] } })).toMatchObject({ startDate: "2026-01-01T00:00:00Z" });
    expect(normaliseExecution({ namespace: "n", flowId: "f", state: { current: "SUCCESS" } })).toBeUndefined();
  });

  it("reads instants with nanoseconds and zone suffixes", () => {
    expect(parseKestraInstant("2026-03-10T12:00:00.123456789Z")).toBe(Date.parse("2026-03-10T12:00:00.123Z"));
    expect(parseKestraInstant("2026-03-10T13:00:00+01:00[Europe/Paris]")).toBe(NOW.getTime() + 0 * HOUR);
  });
});

describe("latest executions and UI links", () => {
  it("asks executions/latest for many flows in one request from 0.24, and reports it missing before", async () => {
    const { client, double } = await start({ version: "1.0.3" });
    const latest = await latestExecutions(client, [{ namespace: "acme.bronze", id: "load" }, { namespace: "acme", id: "top" }]);
    expect(latest?.get("acme.bronze/load")).toMatchObject({ id: "ok1", state: "SUCCESS" });
    expect(latest?.has("acme/top")).toBe(false);
    expect(double.requests.filter((r) => r.path.endsWith("/executions/latest"))).toHaveLength(1);
    const old = await start({ version: "0.23.4" });
    expect(await latestExecutions(old.client, [{ namespace: "acme.bronze", id: "load" }])).toBeUndefined();
    expect(old.double.requests.some((r) => r.path.endsWith("/latest"))).toBe(false);
  });

  it("links executions in Kestra's UI with the tenant segment from 0.23 and without it before", async () => {
    const modern = await start({ version: "1.0.3" });
    expect(executionUiUrl(modern.client, await modern.client.serverInfo(), { id: "e1", namespace: "acme.bronze", flowId: "load" })).toBe(`${modern.double.url}/ui/main/executions/acme.bronze/load/e1`);
    const legacy = await start({ version: "0.22.6" });
    expect(executionUiUrl(legacy.client, await legacy.client.serverInfo(), { id: "e1", namespace: "acme.bronze", flowId: "load" })).toBe(`${legacy.double.url}/ui/executions/acme.bronze/load/e1`);
  });
});

const SCHEDULED = (id: string, namespace = "acme.bronze") =>
  `id: ${id}\nnamespace: ${namespace}\ntriggers:\n  - id: nightly\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 2 * * *"\n    timezone: Europe/Paris\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;

describe.each(["1.0.3", "2.0.0-SNAPSHOT"])("trigger search on Kestra %s", (version) => {
  it("reads schedule triggers with their runtime state, within the namespace tree, paging by total", async () => {
    const { client, double } = await start({ version });
    double.seedFlow(SCHEDULED("load"));
    double.seedFlow(SCHEDULED("sync"));
    double.seedFlow(SCHEDULED("load", "acme2.bronze"));
    double.setTriggerState({ namespace: "acme.bronze", flowId: "sync", triggerId: "nightly", disabled: true, nextExecutionDate: "2026-03-11T01:00:00Z", date: "2026-03-10T01:00:00Z" });
    const { triggers, complete } = await listTriggers(client, { namespacePrefix: "acme", pageSize: 1 });
    expect(complete).toBe(true);
    expect(triggers).toEqual([
      expect.objectContaining({ namespace: "acme.bronze", flowId: "load", triggerId: "nightly", type: "io.kestra.plugin.core.trigger.Schedule", cron: "0 2 * * *", timezone: "Europe/Paris", disabled: false, backfilling: false }),
      expect.objectContaining({ flowId: "sync", disabled: true, nextExecutionDate: "2026-03-11T01:00:00Z", lastDate: "2026-03-10T01:00:00Z" }),
    ]);
  });
});

describe("trigger rows", () => {
  it("reads a running backfill, a YAML-disabled trigger and a row whose trigger left the flow", () => {
    expect(normaliseTrigger({ abstractTrigger: { id: "t", type: "x.Schedule", cron: "* * * * *", disabled: true }, triggerContext: { namespace: "n", flowId: "f", triggerId: "t", disabled: false, backfill: { paused: false } } })).toMatchObject({ disabled: true, backfilling: true });
    expect(normaliseTrigger({ trigger: null, state: { namespace: "n", flowId: "f", triggerId: "t", disabled: false, backfill: { paused: true } } })).toMatchObject({ backfilling: false, disabled: false });
    expect(normaliseTrigger({ trigger: null, state: { namespace: "n", flowId: "f", triggerId: "t", disabled: false } })!.type).toBeUndefined();
    expect(normaliseTrigger({ state: { namespace: "n" } })).toBeUndefined();
  });
});
