import { needsAttention, worstFirst } from "./health.js";
import type { DailyRate, StatusReport, StatusResult, TenantStatus } from "./types.js";

/** The contract's JSON document, and nothing else. */
export function formatStatusJson(report: StatusReport): string {
  return JSON.stringify(report, null, 2);
}

/** `99.54%`, or `n/a` when nothing terminated. */
export function formatRate(rate: number | null): string {
  if (rate === null) return "n/a";
  const percent = ratePercent(rate);
  return `${percent === 100 ? "100" : percent.toFixed(2)}%`;
}

/** A rate as a percentage with two decimals; a rate below 1 never rounds up to 100. */
export function ratePercent(rate: number): number {
  if (rate >= 1) return 100;
  return Math.min(99.99, Math.round(rate * 10_000) / 100);
}

function windowLabel(report: StatusReport): string {
  const ms = Date.parse(report.window.to) - Date.parse(report.window.from);
  const minutes = Math.round(ms / 60_000);
  if (minutes % 1440 === 0) return minutes === 1440 ? "24h" : `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function failuresOf(tenant: TenantStatus): number {
  return tenant.executions.failed + tenant.executions.killed + tenant.executions.cancelled;
}

/** The fleet line: tenants in sync, executions, success rate, failures, missed schedules. */
export function summaryLine(report: StatusReport): string {
  const { summary } = report;
  const missed = report.tenants.reduce((total, t) => total + t.missedSchedules.length, 0);
  return `${summary.synced}/${summary.tenants} tenants in sync, ${plural(summary.executions, "execution")} in the last ${windowLabel(report)}, success rate ${formatRate(summary.successRate)}, ${plural(summary.failures, "failure")}, ${plural(missed, "missed schedule")}`;
}

const COLOURS = { red: "\u001b[31m", green: "\u001b[32m", yellow: "\u001b[33m", dim: "\u001b[2m", reset: "\u001b[0m" } as const;

/**
 * The terminal form: one row per tenant, then the failures and missed schedules. Colour only when
 * asked (a TTY); Kestra's values are stripped of control characters either way.
 */
export function formatStatusText(result: StatusResult, options: { colour?: boolean } = {}): string {
  const { report } = result;
  const paint = (colour: keyof typeof COLOURS, text: string) => (options.colour ? `${COLOURS[colour]}${text}${COLOURS.reset}` : text);
  const lines: string[] = [];
  lines.push(`flowops status: ${report.env} on Kestra ${clean(report.kestra.version)} at ${report.kestra.url}, ${report.window.from} to ${report.window.to}`);
  lines.push("");
  const header = ["TENANT", "SYNC", "FLOWS", "MISSING", "DRIFTED", "UNMANAGED", "RUNS", "SUCCESS", "FAILED", "RUNNING", "MISSED"];
  const rows = report.tenants.map((t) => [
    t.tenant ?? "(plain)",
    t.sync,
    String(t.flows.desired),
    String(t.flows.missing),
    String(t.flows.drifted),
    String(t.flows.unmanaged),
    String(t.executions.total),
    formatRate(t.successRate),
    String(failuresOf(t)),
    String(t.executions.running),
    String(t.missedSchedules.length),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const pad = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  lines.push(pad(header));
  report.tenants.forEach((tenant, index) => {
    const line = pad(rows[index]!);
    const colour = tenant.sync === "out-of-sync" || failuresOf(tenant) > 0 ? "red" : tenant.sync === "unknown" || tenant.missedSchedules.length > 0 ? "yellow" : "green";
    lines.push(paint(colour, line));
  });
  lines.push("");
  lines.push(`fleet: ${summaryLine(report)}`);
  const failures = report.tenants.flatMap((t) => t.failures.map((f) => ({ tenant: t.tenant, ...f })));
  if (failures.length > 0) {
    lines.push("", "failures:");
    for (const f of failures) lines.push(`  ${paint("red", f.state.padEnd(9))} ${f.startDate}  ${clean(f.namespace)}/${clean(f.flowId)}  ${f.url}`);
  }
  const missed = report.tenants.flatMap((t) => t.missedSchedules);
  if (missed.length > 0) {
    lines.push("", "missed schedules:");
    for (const m of missed) lines.push(`  ${paint("yellow", m.expectedAt)}  ${clean(m.namespace)}/${clean(m.flowId)} (trigger ${clean(m.triggerId)})`);
  }
  if (result.notes.length > 0) {
    lines.push("", ...result.notes.map((note) => paint("dim", `note: ${clean(note)}`)));
  }
  return lines.join("\n") + "\n";
}

/** The title of the issue the morning-report workflow keeps up to date. */
export const MORNING_REPORT_TITLE = "flowops morning report";

/**
 * The morning report: a verdict line, a per-tenant table worst first, the failures with links to
 * Kestra's UI, the missed schedules and a Mermaid chart of the daily success rate (GitHub renders
 * `xychart-beta`). Every value from Kestra is escaped for Markdown.
 */
export function formatStatusMarkdown(result: StatusResult): string {
  const { report } = result;
  const lines: string[] = [];
  const attention = report.tenants.filter(needsAttention);
  const outOfSync = report.tenants.filter((t) => t.sync === "out-of-sync").length;
  const unknown = report.tenants.filter((t) => t.sync === "unknown").length;
  const missed = report.tenants.reduce((total, t) => total + t.missedSchedules.length, 0);
  lines.push(`## ${MORNING_REPORT_TITLE}: ${md(report.env)}`, "");
  if (attention.length === 0) {
    lines.push(`✅ **All ${plural(report.tenants.length, "tenant")} in sync and healthy**: success rate ${formatRate(report.summary.successRate)} over ${plural(report.summary.executions, "execution")} in the last ${windowLabel(report)}.`);
  } else {
    const reasons = [
      outOfSync > 0 ? `${outOfSync} out of sync` : "",
      unknown > 0 ? `${unknown} with unknown sync` : "",
      report.summary.failures > 0 ? plural(report.summary.failures, "failed execution") : "",
      missed > 0 ? plural(missed, "missed schedule") : "",
    ].filter(Boolean);
    lines.push(`❌ **${attention.length} of ${plural(report.tenants.length, "tenant")} need${attention.length === 1 ? "s" : ""} attention**: ${reasons.join(", ")}; success rate ${formatRate(report.summary.successRate)} over ${plural(report.summary.executions, "execution")} in the last ${windowLabel(report)}.`);
  }
  lines.push("", `Kestra ${md(report.kestra.version)} at ${md(report.kestra.url)}, executions started from ${report.window.from} to ${report.window.to}.`, "");
  lines.push("| Tenant | Sync | Flows | Missing | Drifted | Unmanaged | Executions | Success rate | Failures | Running | Missed schedules |");
  lines.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const t of [...report.tenants].sort(worstFirst)) {
    const sync = t.sync === "synced" ? "✅ synced" : t.sync === "out-of-sync" ? "❌ out of sync" : "❔ unknown";
    lines.push(
      `| ${md(t.tenant ?? "(plain)")} | ${sync} | ${t.flows.desired} | ${t.flows.missing} | ${t.flows.drifted} | ${t.flows.unmanaged} | ${t.executions.total} | ${formatRate(t.successRate)} | ${failuresOf(t)} | ${t.executions.running} | ${t.missedSchedules.length} |`,
    );
  }
  const failures = [...report.tenants].sort(worstFirst).flatMap((t) => t.failures.map((f) => ({ tenant: t.tenant, ...f })));
  if (failures.length > 0) {
    lines.push("", "### Failures", "", "| Tenant | State | Flow | Started | Execution |", "| --- | --- | --- | --- | --- |");
    for (const f of failures) {
      lines.push(`| ${md(f.tenant ?? "(plain)")} | ${md(f.state)} | ${md(`${f.namespace}/${f.flowId}`)} | ${md(f.startDate)} | [${md(f.executionId)}](${linkTarget(f.url)}) |`);
    }
  }
  const missedRows = [...report.tenants].sort(worstFirst).flatMap((t) => t.missedSchedules.map((m) => ({ tenant: t.tenant, ...m })));
  if (missedRows.length > 0) {
    lines.push("", "### Missed schedules", "", "| Tenant | Flow | Trigger | Expected at |", "| --- | --- | --- | --- |");
    for (const m of missedRows) lines.push(`| ${md(m.tenant ?? "(plain)")} | ${md(`${m.namespace}/${m.flowId}`)} | ${md(m.triggerId)} | ${md(m.expectedAt)} |`);
  }
  if (result.daily) lines.push("", ...dailyChart(result.daily));
  if (result.notes.length > 0) lines.push("", ...result.notes.map((note) => `> ${md(note)}`));
  return lines.join("\n") + "\n";
}

/** A Mermaid `xychart-beta` line of the daily success rate; days without a terminated run are left out. */
function dailyChart(daily: readonly DailyRate[]): string[] {
  const days = daily.filter((d) => d.successRate !== null);
  if (days.length === 0) return ["### Daily success rate, last 7 days", "", "No execution terminated in the last 7 days."];
  const values = days.map((d) => ratePercent(d.successRate!));
  const floor = Math.max(0, Math.floor(Math.min(...values) - 1));
  return [
    "### Daily success rate, last 7 days",
    "",
    "```mermaid",
    "xychart-beta",
    '  title "Daily success rate (%)"',
    `  x-axis [${days.map((d) => `"${d.day.slice(5)}"`).join(", ")}]`,
    `  y-axis "success rate (%)" ${floor} --> 100`,
    `  line [${values.join(", ")}]`,
    "```",
  ];
}

/** Control characters out: a server's text never moves a terminal's cursor. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

/** Escapes a value for a Markdown table cell: no HTML, no pipes, no links or mentions from data. */
function md(text: string): string {
  return clean(text).replace(/[\\`*_{}[\]()<>#+!|@~]/g, (c) => `\\${c}`);
}

/** A link target safe inside `(...)`: only http(s), parentheses and spaces encoded. */
function linkTarget(url: string): string {
  if (!/^https?:\/\//.test(url)) return "#";
  return url.replace(/[()\s<>]/g, (c) => encodeURIComponent(c));
}
