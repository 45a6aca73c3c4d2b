import { classifyFlowChange } from "./classify.js";
import { flowReferences, referenceMatches } from "@flowops/flow-model";
import type { ChangeKind, DiffableFlow, FlowChange, FlowClassification, ImpactedFlow, ImpactProblem, ImpactReport, ImpactSummary, RenderOutput } from "./types.js";

/** Where a change comes from: the changed input files and the inputs that feed each flow. */
export interface CauseSources {
  changedFiles: Iterable<string>;
  /** Input files that feed a flow on one side (template, tenant file, config, tenant vars schema). */
  inputsOf(flow: DiffableFlow, side: "base" | "head"): readonly string[];
}

export interface DiffRendersOptions {
  causes?: CauseSources;
  /** Labels of the two sides, as the report prints them (a ref name, a commit, `working tree`). */
  baseLabel?: string;
  headLabel?: string;
  /**
   * Head flows to search for downstream dependents of changed flows; default: `head.flows`.
   * Incremental impact passes the flows it rendered for that purpose.
   */
  downstreamCandidates?: readonly DiffableFlow[];
  scope?: ImpactReport["scope"];
  /** Files a flow of `tenant` reads besides its template (its tenant file), to tell which flows a problem touches. */
  tenantFilesOf?: (tenant: string) => readonly string[];
}

/** The identity of a deployed flow: environment, tenant, namespace and id. */
export function flowKey(flow: Pick<DiffableFlow, "env" | "tenant" | "namespace" | "id">): string {
  return `${flow.env}\0${flow.tenant ?? ""}\0${flow.namespace}\0${flow.id}`;
}

type SideProblem = NonNullable<RenderOutput["problems"]>[number];

/** A side's problems, de-duplicated, in the report's form. */
function sideProblems(problems: readonly SideProblem[], side: "base" | "head"): ImpactProblem[] {
  const seen = new Map<string, ImpactProblem>();
  for (const p of problems) {
    const problem: ImpactProblem = { side, code: p.code, message: p.message, file: p.file, line: p.line, column: p.column, ...(p.tenant ? { tenant: p.tenant } : {}), ...(p.env ? { env: p.env } : {}) };
    seen.set(JSON.stringify(problem), problem);
  }
  return [...seen.values()];
}

/** Whether a problem of one side may be why a flow is missing there: same template or tenant file, same tenant and env when stated. */
function touches(problem: ImpactProblem, flow: DiffableFlow, tenantFilesOf: (tenant: string) => readonly string[]): boolean {
  if (problem.tenant !== undefined && problem.tenant !== flow.tenant) return false;
  if (problem.env !== undefined && problem.env !== flow.env) return false;
  if (problem.file === flow.template) return true;
  return flow.tenant !== null && tenantFilesOf(flow.tenant).includes(problem.file);
}

/**
 * Compares two renders: matches flows by (env, tenant, namespace, id), classifies each, attaches
 * causes and flags, and lists unchanged flows downstream of changed ones. Pure. Problems of
 * either side are kept in the report: a flow that one side could not render because of them is
 * not called added or removed but `modified` with the `render-problem` flag, showing what the
 * other side renders.
 */
export function diffRenders(base: RenderOutput, head: RenderOutput, options: DiffRendersOptions = {}): ImpactReport {
  const baseLabel = options.baseLabel ?? "base";
  const headLabel = options.headLabel ?? "head";
  const tenantFilesOf = options.tenantFilesOf ?? ((tenant: string) => [`tenants/${tenant}.yaml`, `tenants/${tenant}.yml`]);
  const problems = [...sideProblems(base.problems ?? [], "base"), ...sideProblems(head.problems ?? [], "head")];
  const blocked = (flow: DiffableFlow, side: "base" | "head") => problems.some((problem) => problem.side === side && touches(problem, flow, tenantFilesOf));

  const baseByKey = indexByKey(base.flows);
  const headByKey = indexByKey(head.flows);
  const changedFiles = new Set(options.causes?.changedFiles ?? []);
  const changes: FlowChange[] = [];
  let unchanged = 0;

  for (const key of new Set([...baseByKey.keys(), ...headByKey.keys()])) {
    const before = baseByKey.get(key);
    const after = headByKey.get(key);
    const unrendered = (!before && after && blocked(after, "base")) || (before && !after && blocked(before, "head"));
    const classification: FlowClassification = unrendered ? { kind: "modified", flags: ["render-problem"], removedTriggers: [] } : classifyFlowChange(before, after);
    if (classification.kind === "unchanged") {
      unchanged += 1;
      continue;
    }
    const flow = (after ?? before) as DiffableFlow;
    const causes = new Set<string>();
    if (options.causes) {
      if (before) for (const file of options.causes.inputsOf(before, "base")) if (changedFiles.has(file)) causes.add(file);
      if (after) for (const file of options.causes.inputsOf(after, "head")) if (changedFiles.has(file)) causes.add(file);
    }
    changes.push({
      env: flow.env,
      tenant: flow.tenant,
      namespace: flow.namespace,
      id: flow.id,
      kind: classification.kind,
      causes: [...causes].sort(),
      flags: classification.flags,
      removedTriggers: classification.removedTriggers,
      templateKey: flow.templateKey,
      template: flow.template,
      ...(before ? { before: before.source } : {}),
      ...(after ? { after: after.source } : {}),
    });
  }
  changes.sort(compareFlows);

  const impacted = downstreamOf(changes, options.downstreamCandidates ?? head.flows);
  return {
    base: baseLabel,
    head: headLabel,
    summary: summarize(changes, impacted, unchanged),
    changes,
    impacted,
    scope: options.scope ?? { mode: "full" },
    problems,
  };
}

/** Changes whose behaviour can reach other flows (cosmetic ones cannot). */
const PROPAGATING: ReadonlySet<ChangeKind> = new Set(["added", "removed", "modified"]);

/**
 * Flows that trigger on, or call, a changed flow in the same environment and whose own behaviour
 * did not change: unchanged ones, and cosmetic ones (a comment edit does not make a reviewer
 * less interested in what a changed upstream does to the flow).
 */
export function downstreamOf(changes: readonly FlowChange[], candidates: readonly DiffableFlow[]): ImpactedFlow[] {
  const changedByEnv = new Map<string, FlowChange[]>();
  const changedKeys = new Set<string>();
  for (const change of changes) {
    if (!PROPAGATING.has(change.kind)) continue;
    changedKeys.add(flowKey(change));
    const list = changedByEnv.get(change.env);
    if (list) list.push(change);
    else changedByEnv.set(change.env, [change]);
  }
  const impacted = new Map<string, ImpactedFlow>();
  if (changedByEnv.size === 0) return [];
  for (const flow of candidates) {
    const key = flowKey(flow);
    const changedHere = changedByEnv.get(flow.env);
    if (!changedHere || changedKeys.has(key) || impacted.has(key)) continue;
    const because = new Set<string>();
    const links = new Map<string, ImpactedFlow["links"][number]>();
    // A namespace-wide Flow trigger is downstream of every changed flow of that namespace.
    for (const reference of flowReferences(flow.document, flow.namespace)) {
      if (reference.dynamic) continue;
      for (const change of changedHere) {
        if ((change.namespace === flow.namespace && change.id === flow.id) || !referenceMatches(reference, change.namespace, change.id)) continue;
        const target = `${change.namespace}/${change.id}`;
        because.add(target);
        links.set(`${target}\0${reference.kind}`, { flow: target, kind: reference.kind });
      }
    }
    if (because.size > 0) {
      impacted.set(key, {
        env: flow.env,
        tenant: flow.tenant,
        namespace: flow.namespace,
        id: flow.id,
        because: [...because].sort(),
        links: [...links.values()].sort((a, b) => (a.flow + a.kind < b.flow + b.kind ? -1 : 1)),
      });
    }
  }
  return [...impacted.values()].sort(compareFlows);
}

function summarize(changes: readonly FlowChange[], impacted: readonly ImpactedFlow[], unchanged: number): ImpactSummary {
  const count = (kind: ChangeKind): number => changes.filter((change) => change.kind === kind).length;
  const tenants = new Set([...changes, ...impacted].map((flow) => flow.tenant).filter((tenant) => tenant !== null));
  return { added: count("added"), removed: count("removed"), modified: count("modified"), cosmetic: count("cosmetic"), unchanged, tenants: tenants.size };
}

function indexByKey<F extends DiffableFlow>(flows: readonly F[]): Map<string, F> {
  const byKey = new Map<string, F>();
  for (const flow of flows) byKey.set(flowKey(flow), flow);
  return byKey;
}

/** Sort order of every list in a report: env, tenant, namespace, id. */
export function compareFlows(a: Pick<DiffableFlow, "env" | "tenant" | "namespace" | "id">, b: Pick<DiffableFlow, "env" | "tenant" | "namespace" | "id">): number {
  return (
    compareText(a.env, b.env) || compareText(a.tenant ?? "", b.tenant ?? "") || compareText(a.namespace, b.namespace) || compareText(a.id, b.id)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
