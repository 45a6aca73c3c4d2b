import type { FlowRepository, FlowTemplate, RenderedFlow, SourcePosition, Tenant, ValuePath } from "@flowops/render";
import type { FlowReference, ImageRef, PebbleReference, ScheduleRef, TaskRef, TriggerRef, TypedRef, ValuePart } from "@flowops/flow-model";
import type { KestraSchemaIndex } from "./kestra-schema.js";
import type { Leaf } from "./leaves.js";

/** Severity of a diagnostic. */
export type Severity = "error" | "warning" | "info";
/** A rule's configured level: a severity, or `off`. */
export type SeveritySetting = Severity | "off";

/** What a rule is: data (typescript-eslint style). */
export interface RuleMeta {
  /** Stable id from DESIGN.md, e.g. `duplicate-task-id`. */
  id: string;
  /** One line: what the rule catches. */
  description: string;
  defaultSeverity: Severity;
  /** Repository-relative path of the rule's README. */
  docs: string;
  /** Message templates keyed by message id; `{{name}}` is replaced by `data.name`. */
  messages: Record<string, string>;
}

/** A finding before positions and severities are applied. */
export interface FindingBase {
  messageId: string;
  data?: Record<string, string | number>;
}

/** A finding in a rendered flow, at a path of its document (and at a part of the string there, e.g. one Pebble reference). */
export interface FlowFinding extends FindingBase {
  path: ValuePath;
  within?: ValuePart;
}

/** A finding in one of a tenant's flows (cross-flow rules). */
export interface TenantFlowsFinding extends FlowFinding {
  flow: FlowSummary;
  /** The environments among the context's `envs` the finding is in; default: all of them. */
  envs?: readonly string[];
}

/**
 * What the cross-flow rules know of a rendered flow: its names and the flows it references, not its
 * document or source (the engine keeps one per flow until every tenant is rendered).
 */
export interface FlowSummary extends Pick<RenderedFlow, "env" | "tenant" | "namespace" | "id" | "template" | "templateKey" | "locate"> {
  /** The flow's Subflow calls and Flow trigger upstreams (`@flowops/flow-model`'s `flowReferences`). */
  references: readonly FlowReference[];
}

/** A finding in a file (template or tenant): at a path of its YAML value, or at a line and column. */
export interface FileFinding extends FindingBase {
  path?: ValuePath;
  within?: ValuePart;
  line?: number;
  column?: number;
}

/** Facts every rule may consult; computed once per lint run. */
export interface LintFacts {
  repository: FlowRepository;
  /**
   * Which tenant owns a namespace (render's `namespaceOwner`: the tenant's pattern root or the
   * `namespaces` its file lists), undefined for a namespace no tenant owns or a plain repository.
   */
  namespaceOwner: (namespace: string) => string | undefined;
  /** The pulled Kestra flow schema, when the repository has one. */
  kestraSchema?: KestraSchemaIndex;
  /** Extra flow validator (the schema from `@flowops/schemas`), when given. */
  flowValidator?: FlowValidator;
}

/**
 * What a flow rule's `visitFlow` or `checkFlow` is given for one flow. Read it while that flow is
 * visited: the engine hands a rule the same object for every flow, pointed at the flow in turn.
 */
export interface FlowRuleContext {
  flow: RenderedFlow;
  facts: LintFacts;
  /** The rule's options from `lint.rules` (`[severity, options]`); empty when none are given. */
  options: Readonly<Record<string, unknown>>;
  report(finding: FlowFinding): void;
}

export interface TenantFlowsRuleContext {
  /** The first of `envs`: the environment of `flows`' summaries. */
  env: string;
  /**
   * The environments this check stands for: the tenant deploys the same renders (`flows`) to each,
   * so the rule runs once for all of them; a finding is in each of them unless it names its own
   * (`TenantFlowsFinding.envs`: what differs between them is `namespacesByEnv`).
   */
  envs: readonly string[];
  /** Tenant code; null in a plain repository. */
  tenant: string | null;
  /** Every flow rendered for this tenant in these environments (deployable ones, duplicates left out). */
  flows: readonly FlowSummary[];
  /** For each of `envs` (at least): every namespace any flow of that environment is rendered into, whatever its tenant. */
  namespacesByEnv: ReadonlyMap<string, ReadonlySet<string>>;
  facts: LintFacts;
  report(finding: TenantFlowsFinding): void;
}

export interface TemplateRuleContext {
  template: FlowTemplate;
  facts: LintFacts;
  report(finding: FileFinding): void;
}

export interface TenantRuleContext {
  tenant: Tenant;
  facts: LintFacts;
  options: Readonly<Record<string, unknown>>;
  report(finding: FileFinding): void;
}

/**
 * What a flow rule visits, typescript-eslint style: the engine walks each rendered flow once (its
 * model read by `@flowops/flow-model`) and calls every rule's handlers, in this order: `flow`,
 * then each `task`, `trigger`, `typedNode`, `flowReference`, `schedule`, `image`,
 * `pebbleReference` and `scalar` (the scalars some rule reads, `leaves.ts`), then `flowExit`.
 */
export interface FlowVisitors {
  flow?(): void;
  task?(task: TaskRef): void;
  trigger?(trigger: TriggerRef): void;
  /** Every task, trigger, condition and task runner stating a `type`. */
  typedNode?(node: TypedRef): void;
  /** Subflow calls and Flow trigger upstreams, plugin defaults applied. */
  flowReference?(reference: FlowReference): void;
  schedule?(schedule: ScheduleRef): void;
  image?(image: ImageRef): void;
  /** `outputs.x` / `inputs.x` read in the flow's own Pebble expressions. */
  pebbleReference?(reference: PebbleReference): void;
  scalar?(leaf: Leaf): void;
  flowExit?(): void;
}

/**
 * A lint rule: `meta` plus checks over the contexts it needs. A rule with no check is fed by
 * repository problems (`RepositoryProblem.code` equals its id).
 */
export interface Rule {
  meta: RuleMeta;
  checkTemplate?(context: TemplateRuleContext): void;
  checkTenant?(context: TenantRuleContext): void;
  /** Handlers for the parts of each rendered flow the rule reads (preferred over `checkFlow`). */
  visitFlow?(context: FlowRuleContext): FlowVisitors;
  /** A check of a whole rendered flow, for rules that read it as one (the flow schema). */
  checkFlow?(context: FlowRuleContext): void;
  checkTenantFlows?(context: TenantFlowsRuleContext): void;
}

/** One error from a flow validator: a path into the flow document and a message. */
export interface FlowValidationError {
  path: ValuePath;
  message: string;
}

/** Validates one rendered flow document (e.g. against `@flowops/schemas`' flow schema). */
export type FlowValidator = (document: unknown) => FlowValidationError[];

/** One reported problem, as formatters print it and the DESIGN.md JSON contract describes. */
export interface Diagnostic extends SourcePosition {
  rule: string;
  severity: Severity;
  message: string;
  /** Tenants the finding concerns (sorted); empty for tenant-independent findings. */
  tenants: string[];
  /** Environments the finding was seen in, when it came from rendered flows. */
  envs?: string[];
  /**
   * Other places that explain the finding: for a finding caused by a tenant's value (reported at
   * the tenant file), the template lines that use that value.
   */
  related?: RelatedLocation[];
}

/** A place a diagnostic points to besides its own position (SARIF's relatedLocations). */
export interface RelatedLocation extends SourcePosition {
  message: string;
}

export interface LintResult {
  diagnostics: Diagnostic[];
  errorCount: number;
  warningCount: number;
  infoCount: number;
  /**
   * Milliseconds spent per rule id, plus `engine` for mapping and merging. Flow rules are timed on
   * the first 16 renders, then on one render in 16, scaled to all of them.
   */
  timings: Record<string, number>;
}
