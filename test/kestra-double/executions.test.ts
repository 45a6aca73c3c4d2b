import { afterEach, describe, expect, it, vi } from "vitest";
import { historyExecutions, startKestraDouble } from "./index.js";
import type { KestraDouble, KestraDoubleOptions } from "./index.js";

// Real servers and Git on a shared, busy machine: generous time, no timed assertion.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

const NOW = new Date("2026-03-10T12:00:00Z");
const DAY = 86_400_000;
const running: KestraDouble[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.close()));
});

async function start(options: KestraDoubleOptions = {}): Promise<KestraDouble> {
  const double = await startKestraDouble({ now: () => NOW, ...options });
  running.push(double);
  double.seedExecutions([
    { id: "recent", namespace: "acme.bronze", flowId: "load", state: "SUCCESS", startDate: new Date(NOW.getTime() - DAY) },
    { id: "old", namespace: "acme.bronze", flowId: "load", state: "FAILED", startDate: new Date(NOW.getTime() - 10 * DAY) },
    { id: "deleted", namespace: "acme.bronze", flowId: "load", state: "FAILED", startDate: new Date(NOW.getTime() - DAY), deleted: true },
  ]);
  return double;
}

async function search(double: KestraDouble, query: string) {
  const response = await fetch(`${double.url}/api/v1/main/executions/search?${query}`);
  return { status: response.status, body: (await response.json()) as { results?: { id: string }[]; total?: number; message?: string } };
}

const ids = (body: { results?: { id: string }[] }) => body.results?.map((r) => r.id);

describe("executions/search follows KESTRA-EXECUTIONS.md §2", () => {
  it("searches the last 8 days unless a start is given; an endDate-only query never reaches older data", async () => {
    const double = await start();
    expect(ids((await search(double, "filters[namespace][PREFIX]=acme")).body)).toEqual(["recent"]);
    const endOnly = await search(double, `filters[endDate][LESS_THAN]=${encodeURIComponent(new Date(NOW.getTime() - 9 * DAY).toISOString())}`);
    expect(endOnly.status).toBe(422);
    expect(endOnly.body.message).toContain("Start date must be before End Date");
    const explicit = await search(double, `filters[startDate][GREATER_THAN_OR_EQUAL_TO]=${encodeURIComponent(new Date(NOW.getTime() - 11 * DAY).toISOString())}&sort=id:asc`);
    expect(ids(explicit.body)).toEqual(["old", "recent"]);
  });

  it("bounds the start date with endDate (the quirk), takes timeRange alone, and refuses both together", async () => {
    const double = await start();
    const from = encodeURIComponent(new Date(NOW.getTime() - 11 * DAY).toISOString());
    const to = encodeURIComponent(new Date(NOW.getTime() - 5 * DAY).toISOString());
    expect(ids((await search(double, `filters[startDate][GREATER_THAN_OR_EQUAL_TO]=${from}&filters[endDate][LESS_THAN]=${to}`)).body)).toEqual(["old"]);
    expect(ids((await search(double, "filters[timeRange][EQUALS]=PT48H")).body)).toEqual(["recent"]);
    expect((await search(double, `filters[timeRange][EQUALS]=P7D&filters[startDate][GREATER_THAN_OR_EQUAL_TO]=${from}`)).status).toBe(422);
  });

  it("answers 400 for a field executions do not support, 422 for a bad state, and counts a page past the end as 0", async () => {
    const double = await start();
    const unsupported = await search(double, "filters[triggerId][EQUALS]=x");
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.message).toContain("TRIGGER_ID is not supported for resource EXECUTION");
    expect((await search(double, "filters[state][IN]=FAILED,failed")).status).toBe(422);
    expect((await search(double, "size=1&page=1")).body.total).toBe(1);
    expect((await search(double, "size=1&page=5")).body).toEqual({ results: [], total: 0 });
  });

  it("reads legacy parameters on 1.x only without filters, ignores them in 2.0, and rejects an unknown sort field (500 in 1.x, 422 in 2.0)", async () => {
    const v1 = await start({ version: "1.0.3" });
    expect(ids((await search(v1, "namespace=nobody")).body)).toEqual([]);
    expect(ids((await search(v1, "namespace=nobody&filters[namespace][PREFIX]=acme")).body)).toEqual(["recent"]);
    expect((await search(v1, "sort=triggerId:asc")).status).toBe(500);
    const v2 = await start({ version: "2.0.0-SNAPSHOT" });
    expect(ids((await search(v2, "namespace=nobody")).body)).toEqual(["recent"]);
    expect((await search(v2, "sort=triggerId:asc")).status).toBe(422);
  });
});

describe("generated histories", () => {
  it("makes one execution per cron slot, in the flow's timezone, and leaves out the slots the outcome skips", () => {
    const executions = historyExecutions({
      flows: [{ namespace: "acme.bronze", flowId: "load", cron: "0 2 * * *", timezone: "Europe/Paris" }],
      from: new Date("2026-03-07T00:00:00Z"),
      to: new Date("2026-03-10T00:00:00Z"),
      outcome: (_flow, slot) => (slot.toISOString().startsWith("2026-03-08") ? undefined : "SUCCESS"),
    });
    expect(executions.map((e) => (e.trigger as { date: string }).date)).toEqual(["2026-03-07T01:00:00.000Z", "2026-03-09T01:00:00.000Z"]);
  });
});
