import type { Diagnostic, LintResult, RelatedLocation } from "../types.js";

/** `a, b, c, +N` — at most `shown` tenant codes, then how many more. */
export function tenantList(tenants: readonly string[], shown = 3): string {
  if (tenants.length <= shown) return tenants.join(", ");
  return `${tenants.slice(0, shown).join(", ")}, +${tenants.length - shown}`;
}

/** `flows/gold/report.yaml:6:11 used here as ${tenant.schedule}; …` */
export function relatedList(related: readonly RelatedLocation[]): string {
  return related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`).join("; ");
}

export function formatDiagnosticLine(diagnostic: Diagnostic): string {
  const tenants = diagnostic.tenants.length > 0 ? ` (tenants: ${tenantList(diagnostic.tenants)})` : "";
  const related = (diagnostic.related ?? []).map((r) => `\n    ${r.file}:${r.line}:${r.column}: ${r.message}`).join("");
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.severity} ${diagnostic.message} [${diagnostic.rule}]${tenants}${related}`;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;

/** actionlint-style lines, one per diagnostic, and a summary line. */
export function formatText(result: LintResult): string {
  const lines = result.diagnostics.map(formatDiagnosticLine);
  const files = new Set(result.diagnostics.map((d) => d.file)).size;
  const summary =
    result.diagnostics.length === 0
      ? "No problems found."
      : `${plural(result.diagnostics.length, "problem")} (${plural(result.errorCount, "error")}, ${plural(result.warningCount, "warning")}${result.infoCount > 0 ? `, ${result.infoCount} info` : ""}) in ${plural(files, "file")}.`;
  return `${[...lines, summary].join("\n")}\n`;
}
