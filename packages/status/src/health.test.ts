import { describe, expect, it } from "vitest";
import { formatRate, formatStatusMarkdown, formatStatusText } from "./format.js";
import { expectedSlots, parseSince, slotsWithoutRun, successRate, summarize, syncOf, worstFirst } from "./health.js";
import type { StatusResult, TenantStatus } from "./types.js";

const counts = { success: 0, warning: 0, failed: 0, killed: 0, cancelled: 0 };

function tenant(code: string, overrides: Partial<TenantStatus> = {}): TenantStatus {
  return {
    tenant: code,
    sync: "synced",
    flows: { desired: 1, live: 1, missing: 0, drifted: 0, unmanaged: 0 },
    executions: { total: 0, success: 0, warning: 0, failed: 0, killed: 0, cancelled: 0, running: 0 },
    successRate: null,
    failures: [],
    missedSchedules: [],
    ...overrides,
  };
}

describe("success rate", () => {
  it.each([
    [{ ...counts, success: 98, warning: 1, failed: 1 }, 0.99],
    [{ ...counts, success: 1, killed: 1, cancelled: 2 }, 0.25],
    [{ ...counts, warning: 3 }, 1],
    [counts, null],
  ])("%o -> %s (warning counts as success; RETRIED, SKIPPED and running do not count)", (input, expected) => {
    expect(successRate(input)).toBe(expected);
  });

  it("sums the fleet, and stays null when nothing terminated anywhere", () => {
    const fleet = summarize([
      tenant("a", { executions: { total: 5, success: 3, warning: 0, failed: 1, killed: 0, cancelled: 0, running: 1 } }),
      tenant("b", { sync: "out-of-sync", executions: { total: 2, success: 1, warning: 0, failed: 0, killed: 0, cancelled: 1, running: 0 } }),
    ]);
    expect(fleet).toEqual({ tenants: 2, synced: 1, executions: 7, successRate: 4 / 6, failures: 2 });
    expect(summarize([tenant("quiet")]).successRate).toBeNull();
  });

  it("never shows a rate below 100% as 100%", () => {
    expect(formatRate(0.99999)).toBe("99.99%");
    expect(formatRate(1)).toBe("100%");
    expect(formatRate(0.9954)).toBe("99.54%");
    expect(formatRate(null)).toBe("n/a");
  });
});

describe("--since", () => {
  it.each([
    ["24h", 86_400_000],
    ["90m", 5_400_000],
    ["7d", 604_800_000],
    ["90d", 7_776_000_000],
  ])("reads %s", (text, ms) => expect(parseSince(text)).toBe(ms));
  it.each(["0h", "2w", "24", "1.5h", "-1d", "91d", ""])("refuses %j", (text) => expect(parseSince(text)).toBeUndefined());
});

describe("sync", () => {
  it("is out of sync on a missing or drifted flow, not on unmanaged flows alone; unknown wins", () => {
    expect(syncOf({ missing: 0, drifted: 0 }, false)).toBe("synced");
    expect(syncOf({ missing: 1, drifted: 0 }, false)).toBe("out-of-sync");
    expect(syncOf({ missing: 0, drifted: 2 }, false)).toBe("out-of-sync");
    expect(syncOf({ missing: 0, drifted: 0 }, true)).toBe("unknown");
  });
});

describe("schedules", () => {
  it("lists the slots a cron expected in a window, in its timezone", () => {
    const slots = expectedSlots({ cron: "0 2 * * *", timezone: "Europe/Paris" }, new Date("2026-03-08T00:00:00Z"), new Date("2026-03-10T00:59:00Z"));
    expect(slots?.map((d) => d.toISOString())).toEqual(["2026-03-08T01:00:00.000Z", "2026-03-09T01:00:00.000Z"]);
    expect(expectedSlots({ cron: "not a cron" }, new Date(0), new Date(1))).toBeUndefined();
    expect(expectedSlots({ cron: "0 2 * * *", timezone: "Mars/Olympus" }, new Date(0), new Date(1))).toBeUndefined();
  });

  it("calls a slot missed when no run started from a minute before it to the next slot", () => {
    const slots = ["2026-03-08T01:00:00Z", "2026-03-09T01:00:00Z", "2026-03-10T01:00:00Z"].map((s) => new Date(s));
    const starts = [Date.parse("2026-03-08T00:59:30Z"), Date.parse("2026-03-10T03:00:00Z")];
    expect(slotsWithoutRun(slots, starts, Date.parse("2026-03-10T06:00:00Z")).map((d) => d.toISOString())).toEqual(["2026-03-09T01:00:00.000Z"]);
    expect(slotsWithoutRun(slots.slice(0, 1), [Date.parse("2026-03-08T00:58:00Z")], Date.parse("2026-03-08T02:00:00Z"))).toHaveLength(1);
  });
});

describe("formats", () => {
  const failing = tenant("beta", {
    executions: { total: 3, success: 1, warning: 0, failed: 2, killed: 0, cancelled: 0, running: 0 },
    successRate: 1 / 3,
    failures: [{ namespace: "beta.bronze", flowId: "load|x<img>", executionId: "e1", state: "FAILED", startDate: "2026-03-10T02:00:00Z", url: "https://k.example.com/ui/main/executions/beta.bronze/load/e1" }],
  });
  const result: StatusResult = {
    report: {
      env: "production",
      kestra: { url: "https://k.example.com", version: "1.0.3" },
      window: { from: "2026-03-09T07:30:00.000Z", to: "2026-03-10T07:30:00.000Z" },
      tenants: [tenant("alpha", { successRate: 1, executions: { total: 1, success: 1, warning: 0, failed: 0, killed: 0, cancelled: 0, running: 0 } }), failing, tenant("gamma", { sync: "out-of-sync" })],
      summary: { tenants: 3, synced: 2, executions: 4, successRate: 0.5, failures: 2 },
    },
    notes: [],
    requests: 0,
  };

  it("orders tenants worst first: sync problems, then failures, then the lowest success rate", () => {
    expect([...result.report.tenants].sort(worstFirst).map((t) => t.tenant)).toEqual(["gamma", "beta", "alpha"]);
  });

  it("escapes Kestra's values in Markdown, so a flow id cannot break the table or inject HTML", () => {
    const markdown = formatStatusMarkdown(result);
    expect(markdown).toContain("beta.bronze/load\\|x\\<img\\>");
    expect(markdown).not.toContain("<img>");
    expect(markdown).toContain("❌ **2 of 3 tenants need attention**: 1 out of sync, 2 failed executions;");
  });

  it("colours rows only when asked, and strips control characters from server text", () => {
    const evil: StatusResult = { ...result, report: { ...result.report, kestra: { url: "https://k.example.com", version: "1.0.3\u001b[2J" } } };
    expect(formatStatusText(evil)).not.toContain("\u001b");
    const coloured = formatStatusText(result, { colour: true });
    expect(coloured).toContain("\u001b[31mbeta");
    expect(coloured).toContain("\u001b[32malpha");
  });
});
