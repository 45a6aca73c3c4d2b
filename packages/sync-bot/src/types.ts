import type { Diagnostic, Severity } from "@flowops/lint";
import type { ImpactSummary } from "@flowops/tenant-diff";

/**
 * The flowops work the bot runs (lint, impact, deploy, reading policy) is injected behind these
 * small interfaces, so the GitHub side does not depend on how the packages that do it are built.
 * `@flowops/cli` wires them to `@flowops/lint`, `@flowops/tenant-diff`, `@flowops/deploy` and
 * `@flowops/render`.
 */

export type DiagnosticSeverity = Severity;

/** One lint finding, as `flowops lint --format json` prints it (`tenants` may be left out: all, or not tenant-specific). */
export type LintDiagnostic = Omit<Diagnostic, "tenants" | "envs"> & { tenants?: string[] };

export interface LintOutcome {
  diagnostics: LintDiagnostic[];
  errorCount: number;
}

/** Counts of the impact report (`flowops impact --format json` → `summary`). */
export type { ImpactSummary };

export interface ImpactOutcome {
  /** The Markdown report (one-line verdict, per-tenant table, collapsed sections). */
  markdown: string;
  summary: ImpactSummary;
  /**
   * Tenant codes with at least one change, when known (used to flag protected tenants): the
   * tenant each changed flow was rendered for, and every tenant whose namespace tree a changed
   * flow writes into (a template may state another tenant's namespace).
   */
  changedTenants?: string[];
}

/** What one tenant's deploy did. `tenant` is null in a plain (single-tenant) repository. */
export interface TenantDeployResult {
  tenant: string | null;
  ok: boolean;
  created?: number;
  updated?: number;
  deleted?: number;
  unchanged?: number;
  /** Why the tenant failed; never holds a credential. */
  error?: string;
}

export interface DeployOutcome {
  ok: boolean;
  perTenant: TenantDeployResult[];
  /** Human-readable report of the deploy (plain text). */
  text: string;
}

/**
 * The policy part of `flowops.config.yaml`, always read from the base branch (never from the pull
 * request being checked or merged), so a PR cannot lower the bar for itself.
 */
export interface RepositoryPolicy {
  /** The branch whose pushes deploy (`deploy.branch`, default `main`). */
  deployBranch: string;
  /** Approvals a merged PR needs before its merge deploys (`deploy.approvals`). */
  approvals: number;
  /** GitHub logins that may deploy without approvals (`deploy.allowedPushers`). */
  allowedPushers: string[];
  /** Tenants the deploy treats with extra care (`deploy.protectedTenants`). */
  protectedTenants: string[];
  /** `deploy.prune`. */
  prune: boolean;
  /** `deploy.maxDeleteShare`: the share of managed flows one deploy may delete unless forced. */
  maxDeleteShare: number;
  /** `deploy.selfHeal`: the App overwrites drifted managed flows with what Git renders (else it only reports them). */
  selfHeal: boolean;
  /** Environment names in config order; the first is the one a merge deploys. */
  environments: string[];
}

export interface DeployRequest {
  /** The commit being deployed (checked out in the workspace). */
  sha: string;
  /** Policy read from the base branch before the merge. */
  policy: RepositoryPolicy;
  /**
   * The deploy branch before this push: what the previous deploy left in Kestra. A managed flow
   * whose live source differs from its render at this commit was changed outside Git (drift).
   */
  previousSha?: string;
}

/**
 * How a managed flow in Kestra differs from what Git renders at the deployed commit: `changed`
 * (its source was edited in Kestra), `missing` (deleted from Kestra), `not-in-git` (Kestra holds
 * it with the ownership label, Git no longer renders it: a delete candidate, removed only under
 * `deploy.prune`). Flows without the ownership label are never drift.
 */
export type DriftKind = "changed" | "missing" | "not-in-git";

export interface FlowDrift {
  tenant: string | null;
  namespace: string;
  id: string;
  kind: DriftKind;
  /** Kestra's revision of the live flow (changed, not-in-git). */
  liveRevision?: number;
  /** sha256 of the live source (changed, not-in-git): tells one drift from the next. */
  liveHash?: string;
}

export interface DriftOutcome {
  /** False when the environment could not be planned: `text` says why, and nothing is known about drift. */
  ok: boolean;
  /** Sorted by namespace and id. */
  drift: FlowDrift[];
  /** Why the plan failed (ok false); never holds a credential. */
  text?: string;
}

/** The flowops work the bot needs, injected by the caller. */
export interface FlowopsChecks {
  /** Reads the policy of the repository at `ref` (a commit sha or ref) of the Git repo in `workspace`. */
  readPolicy(workspace: string, ref: string): Promise<RepositoryPolicy>;
  /** Lints the working tree of `workspace`. */
  lint(workspace: string): Promise<LintOutcome>;
  /** Impact of `headSha` against `baseSha` (the merge base) in the Git repo in `workspace`. */
  impact(workspace: string, baseSha: string, headSha: string): Promise<ImpactOutcome>;
  /** Deploys the working tree of `workspace` to environment `env`. */
  deploy(workspace: string, env: string, request: DeployRequest): Promise<DeployOutcome>;
  /**
   * Plans environment `env` from the working tree of `workspace` (the deployed commit) against
   * Kestra, writing nothing, and returns where Kestra differs from Git (drift).
   */
  drift(workspace: string, env: string, request: DeployRequest): Promise<DriftOutcome>;
}

/** Where the bot writes what it does; never given a credential. */
export interface BotLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
