import type { LintResult } from "../types.js";

/**
 * The DESIGN.md contract: `{ diagnostics: [{ rule, severity, message, file, line, column, tenants }], errorCount, warningCount }`,
 * plus `related: [{ file, line, column, message }]` on a diagnostic that has other places to show.
 */
export function formatJson(result: LintResult): string {
  const document = {
    diagnostics: result.diagnostics.map(({ rule, severity, message, file, line, column, tenants, related }) => ({
      rule,
      severity,
      message,
      file,
      line,
      column,
      tenants,
      ...(related ? { related } : {}),
    })),
    errorCount: result.errorCount,
    warningCount: result.warningCount,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
