import type { ImportReport } from "./types.js";

/** `import-report.md`: what was factored, what stayed tenant-specific, and the round trip. */
export function reportMarkdown(report: ImportReport): string {
  const lines: string[] = [];
  lines.push(`# Import report`, "", `Source: \`${report.source}\``, "");
  const { flows, equal } = report.verification;
  lines.push(`Round trip: **${equal} of ${flows}** imported flows render back document-equal (\`flowops render\`, ownership labels aside).`, "");
  lines.push(`Tenants (${report.tenants.length}): ${report.tenants.map((t) => `\`${t}\``).join(", ")}`, "");
  lines.push(`## Templates (${report.templates.length})`, "");
  lines.push("| template | tenants | vars (values that differ) | conditions (`$when`) | switched off for |", "| --- | --- | --- | --- | --- |");
  for (const t of report.templates) {
    const code = (list: string[]) => (list.length ? list.map((x) => `\`${x.replaceAll("|", "\\|")}\``).join(", ") : "");
    lines.push(`| \`${t.key}\` | ${t.tenants.length} | ${code(t.vars)} | ${code(t.conditions)} | ${code(t.switchedOff)} |`);
  }
  lines.push("");
  lines.push(`## Kept tenant-specific (${report.tenantOnly.length})`, "");
  if (report.tenantOnly.length === 0) lines.push("Nothing: every flow is rendered from a shared template.");
  for (const t of report.tenantOnly) lines.push(`- \`${t.namespace}/${t.id}\` (${t.tenant}) in \`${t.file}\`: ${t.reason}`);
  lines.push("");
  if (report.notes.length > 0) {
    lines.push("## Notes", "");
    for (const note of report.notes) lines.push(`- ${note}`);
    lines.push("");
  }
  return lines.join("\n");
}
