import type { RenderedFlow, RepositoryProblem } from "@flowops/render";

/** The parts of a rendered flow the differ reads: render output can be passed as is. */
export type DiffableFlow = Pick<RenderedFlow, "env" | "tenant" | "namespace" | "id" | "template" | "templateKey" | "document" | "source">;

/** What a render of one side produced: flows plus the problems that stopped some of them. */
export interface RenderOutput<F extends DiffableFlow = DiffableFlow> {
  flows: readonly F[];
  problems?: readonly RepositoryProblem[];
}

export type ChangeKind = "added" | "removed" | "modified" | "cosmetic";
export type Classification = ChangeKind | "unchanged";

/**
 * Flags for what reviewers care about most:
 * - `schedule`: the cron or timezone of a Schedule trigger changed (or a Schedule trigger came or went);
 * - `trigger`: a trigger was added, removed or changed;
 * - `trigger-removed`: at least one trigger was removed (a destructive change);
 * - `disabled`: the flow becomes disabled;
 * - `deleted`: the flow is no longer deployed;
 * - `task-type`: a task's or trigger's `type` changed, or a task or trigger of a type the flow did
 *   not use came or went (other objects with `id` and `type`, such as inputs, do not count);
 * - `task-type-renamed`: a task's or trigger's type moved from a legacy name to its current one
 *   (`io.kestra.core.tasks.log.Log` -> `io.kestra.plugin.core.log.Log`): the same plugin;
 * - `image`: a container image changed anywhere in the flow;
 * - `labels-only`: only the flow's labels changed;
 * - `render-problem`: one side could not render this flow (see the report's `problems`); the
 *   change shows what the other side renders, so a fix of a broken flow can be reviewed.
 */
export type ChangeFlag =
  | "schedule"
  | "trigger"
  | "trigger-removed"
  | "disabled"
  | "deleted"
  | "task-type"
  | "task-type-renamed"
  | "image"
  | "labels-only"
  | "render-problem";

/** A problem met while reading or rendering one side; the flows it touches are shown as far as they rendered. */
export interface ImpactProblem {
  side: "base" | "head";
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
  tenant?: string;
  env?: string;
}

export interface FlowClassification {
  kind: Classification;
  flags: ChangeFlag[];
  /** Ids of triggers present before and gone after. */
  removedTriggers: string[];
}

/** One flow whose rendered source differs between base and head. */
export interface FlowChange {
  env: string;
  tenant: string | null;
  namespace: string;
  id: string;
  kind: ChangeKind;
  /** Changed input files that feed this flow (template, tenant file, config, tenant vars schema). */
  causes: string[];
  flags: ChangeFlag[];
  removedTriggers: string[];
  /** Template key (head side when present, else base side). */
  templateKey: string;
  template: string;
  /** Rendered source on each side (absent for added / removed). */
  before?: string;
  after?: string;
}

/** An unchanged flow downstream of a changed one (Flow trigger or Subflow call). */
export interface ImpactedFlow {
  env: string;
  tenant: string | null;
  namespace: string;
  id: string;
  /** `<namespace>/<id>` of the changed flows it depends on. */
  because: string[];
  /** How it depends on each: triggered by it (`trigger`) or calling it (`subflow`). */
  links: { flow: string; kind: "trigger" | "subflow" }[];
}

export interface ImpactSummary {
  added: number;
  removed: number;
  modified: number;
  cosmetic: number;
  unchanged: number;
  /** Number of tenants with at least one changed or impacted flow. */
  tenants: number;
}

/** The impact of going from `base` to `head`; `impactToJson` gives the CLI's JSON contract. */
export interface ImpactReport {
  base: string;
  head: string;
  summary: ImpactSummary;
  changes: FlowChange[];
  impacted: ImpactedFlow[];
  /** How much was rendered: everything, or only what the changed files reach. */
  scope: { mode: "full" | "incremental"; reason?: string };
  /** Problems of either side (an impact with problems exits 1); empty when both sides render cleanly. */
  problems: ImpactProblem[];
}
