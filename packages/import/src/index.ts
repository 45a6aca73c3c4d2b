export type { ImportProblem, ImportReport, ImportResult, SourceFile, TemplateReport, TenantOnlyFlow } from "./types.js";
export { importFlows, type ImportFlowsOptions } from "./flows.js";
export { namespaceMatcher, type NamespaceMatch } from "./namespace-pattern.js";
export { verifyRoundTrip, type ExpectedFlow, type RoundTrip } from "./verify.js";
export { readFlowFolder, readTerraformFolder, isFreshFolder, writeFiles, MAX_IMPORT_BYTES, MAX_IMPORT_FILES } from "./files.js";
export { reportMarkdown } from "./report.js";
export { importTerraform, type ImportTerraformOptions } from "./terraform.js";
export { checkNewTenantCode, draftTenant, missingRequiredFields, tenantFileFor, checkNewTenant, setPath, type NewTenantInput, type RequiredField } from "./tenant-file.js";
