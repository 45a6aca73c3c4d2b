export { DEFAULT_MAX_DELETE_SHARE, DEFAULT_OWNERSHIP_LABEL, isManaged, labelValue, plan, readLiveFlows } from "./plan.js";
export type { LiveFlows, PlanOptions } from "./plan.js";
export { DeployRefusedError, apply, checkGuards, planReport } from "./apply.js";
export type { ApplyOptions, DeployRefusal } from "./apply.js";
export { formatProgress, formatReportJson, formatReportText } from "./format.js";
export { baselineAt, deployInputs } from "./environment.js";
export { BaselineUnreadableError, deployEnvironment, planEnvironment } from "./deploy-environment.js";
export { adoptEnvironment, adoptionCandidates, formatAdoptionText } from "./adopt.js";
export type { AdoptEnvironmentOptions, AdoptionCandidate, AdoptionChange, AdoptionReport, AdoptionStatus } from "./adopt.js";
export type { DeployEnvironmentOptions, EnvironmentDeployment } from "./deploy-environment.js";
export type { DeployInputs } from "./environment.js";
export { namespaceScopes, outsideOwnTree, scopesFromDesired, searchPrefixes } from "./scope.js";
export { runInDependencyOrder } from "./dependencies.js";
export type { GraphNode, NodeOutcome } from "./dependencies.js";
export { KestraApiError, KestraClient, KestraConfigError, kestraClientFromEnvironment } from "@flowops/kestra";
export type {
  ActionReport,
  ActionStatus,
  DeployPlan,
  DeployPolicyOptions,
  DeployProgress,
  DeployReport,
  DeploySummary,
  DesiredFlow,
  FlowAction,
  FlowConflict,
  NamespaceScope,
  PlannedFlow,
  PlanProblem,
  UnmanagedFlow,
} from "./types.js";
