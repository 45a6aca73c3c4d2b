export type {
  BotLogger,
  DeployOutcome,
  DeployRequest,
  DiagnosticSeverity,
  DriftKind,
  DriftOutcome,
  FlowDrift,
  FlowopsChecks,
  ImpactOutcome,
  ImpactSummary,
  LintDiagnostic,
  LintOutcome,
  RepositoryPolicy,
  TenantDeployResult,
} from "./types.js";
export { runCiPr, runCiDeploy, writeStepSummary, workflowCommandLogger, CiSetupError, type CiOptions } from "./actions.js";
export { createBotServer, consoleLogger, DEFAULT_CATCH_UP_INTERVAL_MS, DEFAULT_LEASE_TTL_MS, type BotServer, type BotServerOptions, type DeliveryRecord, type CatchUpRecord } from "./server.js";
export { runPullRequestCheck, IMPACT_COMMENT_KEY, type PullRequestCheckInput, type PullRequestCheckResult } from "./pull-request-check.js";
export { runMergeDeploy, deployUnderLease, type MergeDeployInput, type MergeDeployResult, type MergeDeployStatus, type LeasedDeployInput, type LeasedDeployResult } from "./merge-deploy.js";
export { runDriftPass, driftIssues, type DriftPassInput, type DriftRecord } from "./drift-pass.js";
export { DRIFT_LABEL, driftCheckName, driftFingerprint, driftIssueBody, driftIssueTitle, driftMarker, parseDriftMarker, driftTable, type DriftMarker, type DriftReportInput } from "./drift.js";
export { decideApproval, type ApprovalDecision, type ApprovalInput, type PullRequestReview } from "./approvals.js";
export {
  GitHubRepository,
  createGitHubClient,
  gitHubAppOctokit,
  DEFAULT_RESILIENCE,
  commentMarker,
  stickyCommentBodies,
  diagnosticsToAnnotations,
  CHECK_EXTERNAL_ID,
  CHECK_NAME,
  DEPLOYMENT_TASK,
  COMMENT_LIMIT,
  ANNOTATIONS_PER_REQUEST,
  type GitHubClient,
  type GitHubResilience,
  type CheckAnnotation,
  type MergedPullRequest,
  type StickyCommentResult,
  type SuccessfulDeployment,
  type EnvironmentClaim,
  type OpenIssue,
  type StartedCheckRun,
} from "./github.js";
export { routeWebhook, type WebhookRoute } from "./routing.js";
export { splitMarkdown } from "./split-markdown.js";
export { KeyedSerialQueue, Semaphore } from "./queue.js";
export { runBotServer, botOptionsFromEnv, BotConfigurationError } from "./serve.js";
export { policyFromConfig, readPolicyFromGit } from "./policy.js";
export { cloneAtCommit } from "./git.js";
export { flowopsChecks, type FlowopsChecksOptions } from "./flowops-checks.js";
export { trustedPolicyCommit, resolveDeployPolicy, UntrustedPolicyError, UnknownEnvironmentError, type TrustedPolicyCommit, type TrustedPolicyInput } from "./trusted-policy.js";
export { KestraTargets, KestraTargetRefusedError, KestraTargetsConfigError, type OperatorEnvironment, type RepositoryEnvironment } from "./kestra-targets.js";
export { childProcessEnv, withdrawSecrets, BOT_SECRET_VARIABLES } from "./child-env.js";
