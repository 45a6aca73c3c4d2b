export type {
  SourcePosition,
  RepositoryProblem,
  ValuePath,
  EnvironmentConfig,
  DeployPolicy,
  RuleSeverity,
  FlowopsConfig,
  Tenant,
  FlowTemplate,
  FlowRepository,
  RenderedFlow,
  RenderOptions,
  RenderResult,
  EnvRender,
  TenantRender,
  RenderStream,
  RenderPlacement,
  RenderStep,
  RenderStepStream,
} from "./types.js";
export { readRepository, RepositoryError, DEFAULT_READ_LIMITS, type ReadRepositoryOptions, type ReadLimits } from "./read.js";
export { GitError, GitRepository, type GitTreeEntry } from "./git.js";
export { buildRepository, isRepositoryInput, render, renderProblems, renderSteps, renderTenants, type RenderSelection, type RenderStreamOptions } from "./repository.js";
export { flowLocator } from "./render.js";
export { CONFIG_FILE, KESTRA_FLOW_SCHEMA_FILE, DEFAULT_NAMESPACE_PATTERN, DEFAULT_OWNERSHIP_LABELS, TENANT_LABEL, defaultConfig, normalizeConfig } from "./config.js";
export { parseWhen, evaluateWhen, pathsOf, ExpressionError, type WhenExpression } from "./expression.js";
export { parseYamlFile, MAX_FILE_BYTES, MAX_ALIAS_COUNT, type ParsedYamlFile } from "./yaml-file.js";
export { locateInYaml } from "./locate.js";
// Kestra's model is read by @flowops/flow-model; re-exported for render's dependants.
export { flowReferences, referenceKey, referenceTargets, type FlowReference } from "@flowops/flow-model";
export { tenantNamespaceRoots, namespaceOwner, isInNamespaceTree, isTenantNamespace, patternRoot } from "./tenant-namespaces.js";
