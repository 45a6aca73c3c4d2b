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
}

/** Where the bot writes what it does; never given a credential. */
export interface BotLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
