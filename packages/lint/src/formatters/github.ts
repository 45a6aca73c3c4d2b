import type { Severity, LintResult } from "../types.js";
import { relatedList, tenantList } from "./text.js";

const COMMAND: Record<Severity, string> = { error: "error", warning: "warning", info: "notice" };

/** Escapes a workflow command's message (GitHub's `escapeData`). */
function escapeData(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a workflow command's property (GitHub's `escapeProperty`). */
function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** GitHub Actions workflow commands: `::error file=..,line=..,col=..,title=..::message`, one per diagnostic. */
export function formatGithub(result: LintResult): string {
  return result.diagnostics
    .map((d) => {
      const tenants = d.tenants.length > 0 ? ` (tenants: ${tenantList(d.tenants, 10)})` : "";
      // An annotation has one place; the related ones (the template lines) go in its text.
      const related = d.related ? ` [${relatedList(d.related)}]` : "";
      const properties = [`file=${escapeProperty(d.file)}`, `line=${d.line}`, `col=${d.column}`, `title=${escapeProperty(`flowops ${d.rule}`)}`].join(",");
      return `::${COMMAND[d.severity]} ${properties}::${escapeData(d.message + tenants + related)}\n`;
    })
    .join("");
}
