export { lintRepository, lintExitCode, type LintOptions } from "./engine.js";
export { ALL_RULES, ruleById } from "./registry.js";
export { FORMATTERS, formatLintResult, isLintFormat, type LintFormat } from "./formatters/index.js";
export { formatText, formatDiagnosticLine } from "./formatters/text.js";
export { formatJson } from "./formatters/json.js";
export { formatGithub } from "./formatters/github.js";
export { formatSarif, type SarifOptions } from "./formatters/sarif.js";
export { PULLED_KESTRA_SCHEMA_PATH, ajvErrorsToValidationErrors } from "./kestra-schema.js";
export { KESTRA_CORE_TYPES, KESTRA_TYPE_ALIASES } from "@flowops/flow-model";
export type {
  Diagnostic,
  FlowValidationError,
  FlowSummary,
  FlowValidator,
  LintResult,
  RelatedLocation,
  Rule,
  RuleMeta,
  Severity,
  SeveritySetting,
} from "./types.js";
