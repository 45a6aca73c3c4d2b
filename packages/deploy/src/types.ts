import type { RenderedFlow, RepositoryProblem } from "@flowops/render";

/**
 * A flow as it should be in Kestra: the fields of `RenderedFlow` that deploy reads, so tests and
 * other callers can build one from a YAML string.
 */
export type DesiredFlow = Pick<RenderedFlow, "env" | "tenant" | "namespace" | "id" | "document" | "source"> &
  Partial<Pick<RenderedFlow, "template" | "templateKey">>;

/** A namespace tree owned by one flowops tenant (null in a plain repository): `root` and `root.*`. */
export interface NamespaceScope {
  tenant: string | null;
  root: string;
}

export type FlowAction = "create" | "update" | "delete" | "unchanged";

/** What one flow needs, as decided by {@link plan}. */
export interface PlannedFlow {
  tenant: string | null;
  namespace: string;
  id: string;
  action: FlowAction;
  /** The rendered flow (create, update, unchanged). */
  desired?: DesiredFlow;
  /** Kestra's current revision and source (update, unchanged, delete). */
  liveRevision?: number;
  liveSource?: string;
  /**
   * True when the live source differs from what Git rendered at the last deploy (the baseline):
   * someone changed (or deleted) the flow outside Git. Undefined without a baseline.
   */
  drift?: boolean;
  /** Set when this flow cannot be written whatever the options. */
  conflict?: FlowConflict;
  /** Keys (`namespace/id`) of flows in this plan that must be written before this one. */
  dependsOn: string[];
}

/**
 * Why a desired flow cannot be written. `unmanaged`: Kestra holds a flow with its namespace and id
 * without the ownership label (made by hand, by Terraform); `flowops adopt` hands it over.
 */
export interface FlowConflict {
  kind: "unmanaged";
  message: string;
}

/** A flow found in a managed namespace without the ownership label: never changed or deleted. */
export interface UnmanagedFlow {
  tenant: string | null;
  namespace: string;
  id: string;
  revision?: number;
}

export interface DeployPolicyOptions {
  /** Delete managed flows that Git no longer renders. Default false. */
  prune?: boolean;
  /** Largest share (0..1) of the environment's managed flows one deploy may delete. Default 0.25. */
  maxDeleteShare?: number;
  /** The ownership label; default `managed-by: flowops`. */
  ownershipLabel?: { key: string; value: string };
}

/** The result of {@link plan}: pure data, no handles. */
export interface DeployPlan {
  env: string;
  kestra: { url: string; version: string; apiBase: string };
  /** Every desired or managed live flow, sorted by tenant, namespace, id. */
  flows: PlannedFlow[];
  unmanaged: UnmanagedFlow[];
  /** Managed flows changed or deleted outside Git since the baseline (needs a baseline). */
  drift: PlannedFlow[];
  /** Reasons this plan must not be applied, with or without force (render problems, empty desired set). */
  problems: PlanProblem[];
  scopes: NamespaceScope[];
  policy: { prune: boolean; maxDeleteShare: number; ownershipLabel: { key: string; value: string } };
  /** Managed flows Kestra holds in the scopes: the base of the mass-delete guard. */
  managedLiveCount: number;
  /** HTTP requests the plan sent (all reads). */
  requests: number;
}

/**
 * Why a plan must not be applied, whatever the options. Every kind carries a readable `message`;
 * callers decide by `kind`, never by the text.
 */
export type PlanProblem =
  /** The repository could not be read or rendered (a problem at a file, line and column). */
  | { kind: "repository"; message: string; problem: RepositoryProblem }
  /** Nothing is rendered for the environment: applying could only delete. */
  | { kind: "empty-desired"; message: string; env: string }
  /** Two rendered flows share one namespace and id. */
  | { kind: "duplicate-flow"; message: string; namespace: string; id: string }
  /** A desired flow was rendered for another environment than the plan's. */
  | { kind: "wrong-environment"; message: string; namespace: string; id: string; renderedFor: string }
  /** A desired flow lies outside its tenant's namespaces (the trust boundary, re-checked by deploy). */
  | { kind: "outside-tenant-namespaces"; message: string; namespace: string; id: string };

/** Per-flow outcome in the JSON contract (DESIGN.md, "The CLI contract"). */
export type ActionStatus = "planned" | "done" | "failed" | "skipped";

export interface ActionReport {
  tenant: string | null;
  namespace: string;
  id: string;
  action: FlowAction;
  status: ActionStatus;
  error?: string;
  /** Why a planned action is not carried out (skipped). */
  reason?: string;
  drift?: boolean;
  /** Set when the flow is blocked by a flow Kestra holds without the label: `flowops adopt` hands it over. */
  needsAdoption?: true;
  /** Unified diff from the live to the rendered source (plan with `diff`, updates only). */
  diff?: string;
}

export interface DeploySummary {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
  failed: number;
  skipped: number;
  unmanaged: number;
  drift: number;
  /** Write requests that succeeded (POST, PUT, DELETE); retries and failed writes not counted. */
  writes: number;
  /** Tenants with at least one failed action. */
  failedTenants: (string | null)[];
}

/** The JSON document of `flowops plan|deploy --format json`. */
export interface DeployReport {
  env: string;
  kestra: { url: string; version: string };
  actions: ActionReport[];
  summary: DeploySummary;
  unmanaged: UnmanagedFlow[];
  problems: string[];
}

/** Progress of {@link apply}, once per finished action. */
export interface DeployProgress {
  completed: number;
  total: number;
  action: ActionReport;
}

export type { RepositoryProblem };
