import type { LintResult } from "../types.js";

/** The DESIGN.md contract: `{ diagnostics: [{ rule, severity, message, file, line, column, tenants }], errorCount, warningCount }`. */
export function formatJson(result: LintResult): string {
  const document = {
    diagnostics: result.diagnostics.map(({ rule, severity, message, file, line, column, tenants }) => ({ rule, severity, message, file, line, column, tenants })),
    errorCount: result.errorCount,
    warningCount: result.warningCount,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
