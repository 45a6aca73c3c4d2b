import type { ImpactReport } from "../types.js";

/**
 * The report's problems as lines, `side: file:line:col: message [code] (tenants)`, one problem
 * seen for many tenants once.
 */
export function problemLines(report: Pick<ImpactReport, "problems" | "base" | "head">): string[] {
  const grouped = new Map<string, { text: string; tenants: Set<string>; envs: Set<string> }>();
  for (const problem of report.problems) {
    const text = `${problem.side} (${problem.side === "base" ? report.base : report.head}): ${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.code}]`;
    let entry = grouped.get(text);
    if (!entry) grouped.set(text, (entry = { text, tenants: new Set(), envs: new Set() }));
    if (problem.tenant) entry.tenants.add(problem.tenant);
    if (problem.env) entry.envs.add(problem.env);
  }
  return [...grouped.values()].map(({ text, tenants }) => {
    const list = [...tenants].sort();
    return tenants.size === 0 ? text : `${text} (${list.length === 1 ? "tenant" : "tenants"} ${list.slice(0, 8).join(", ")}${list.length > 8 ? `, … ${list.length - 8} more` : ""})`;
  });
}

/** The sentence that says what the problems mean for the report. */
export const PROBLEMS_NOTE = "the flows they touch are shown as far as each side renders (flag render-problem); `flowops lint` shows details";
