import type { Log, ReportingDescriptor, Result } from "sarif";
import type { LintResult, Rule, Severity } from "../types.js";
import { ALL_RULES } from "../registry.js";

const LEVEL: Record<Severity, Result.level> = { error: "error", warning: "warning", info: "note" };

export interface SarifOptions {
  /** Rules described in `tool.driver.rules`; default: every registered rule. */
  rules?: readonly Rule[];
  /** Version of the tool, for `tool.driver.version`. */
  version?: string;
}

/** A SARIF 2.1.0 log (GitHub code scanning reads it): one run, one result per diagnostic and tenant list. */
export function formatSarif(result: LintResult, options: SarifOptions = {}): string {
  const rules = options.rules ?? ALL_RULES;
  const descriptors: ReportingDescriptor[] = rules.map((rule) => ({
    id: rule.meta.id,
    name: rule.meta.id,
    shortDescription: { text: rule.meta.description },
    help: { text: `${rule.meta.description}. Documentation: ${rule.meta.docs}` },
    defaultConfiguration: { level: LEVEL[rule.meta.defaultSeverity] },
  }));
  const indexById = new Map(descriptors.map((descriptor, index) => [descriptor.id, index]));
  const results: Result[] = result.diagnostics.map((d) => {
    const ruleIndex = indexById.get(d.rule);
    return {
      ruleId: d.rule,
      ...(ruleIndex !== undefined ? { ruleIndex } : {}),
      level: LEVEL[d.severity],
      message: { text: d.tenants.length > 0 ? `${d.message} (tenants: ${d.tenants.join(", ")})` : d.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: d.file, uriBaseId: "%SRCROOT%" },
            region: { startLine: d.line, startColumn: d.column },
          },
        },
      ],
      ...(d.related
        ? {
            relatedLocations: d.related.map((r, id) => ({
              id,
              physicalLocation: { artifactLocation: { uri: r.file, uriBaseId: "%SRCROOT%" }, region: { startLine: r.line, startColumn: r.column } },
              message: { text: r.message },
            })),
          }
        : {}),
      ...(d.tenants.length > 0 ? { properties: { tenants: d.tenants } } : {}),
    };
  });
  const log: Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "flowops", ...(options.version ? { version: options.version } : {}), rules: descriptors } },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
