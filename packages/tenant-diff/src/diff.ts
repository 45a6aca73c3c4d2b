import { classifyFlowChange } from "./classify.js";
import { ImpactError } from "./errors.js";
import { flowReferences, referenceMatches } from "@flowops/flow-model";
import type { ChangeKind, DiffableFlow, FlowChange, ImpactedFlow, ImpactReport, ImpactSummary, RenderOutput } from "./types.js";

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
}

/** The identity of a deployed flow: environment, tenant, namespace and id. */
export function flowKey(flow: Pick<DiffableFlow, "env" | "tenant" | "namespace" | "id">): string {
  return `${flow.env}\0${flow.tenant ?? ""}\0${flow.namespace}\0${flow.id}`;
}

/** Throws an ImpactError when a side's render reported problems: a report must never drop tenants. */
export function assertRenderClean(output: RenderOutput, side: "base" | "head", label: string): void {
  const problems = output.problems ?? [];
  if (problems.length === 0) return;
  throw new ImpactError(
    `Cannot compute the impact: rendering the ${side} (${label}) reported ${problems.length} problem${problems.length === 1 ? "" : "s"}. Fix ${problems.length === 1 ? "it" : "them"} (\`flowops lint${side === "base" ? " --ref <base>" : ""}\` shows details) and run again.`,
    problems.slice(0, 20).map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.code}]${p.tenant ? ` (tenant ${p.tenant})` : ""}`),
  );
}

/**
 * Compares two renders: matches flows by (env, tenant, namespace, id), classifies each, attaches
 * causes and flags, and lists unchanged flows downstream of changed ones. Pure; throws an
 * ImpactError when either side has render problems.
 */
export function diffRenders(base: RenderOutput, head: RenderOutput, options: DiffRendersOptions = {}): ImpactReport {
  const baseLabel = options.baseLabel ?? "base";
  const headLabel = options.headLabel ?? "head";
  assertRenderClean(base, "base", baseLabel);
  assertRenderClean(head, "head", headLabel);

  const baseByKey = indexByKey(base.flows);
  const headByKey = indexByKey(head.flows);
  const changedFiles = new Set(options.causes?.changedFiles ?? []);
  const changes: FlowChange[] = [];
  let unchanged = 0;

  for (const key of new Set([...baseByKey.keys(), ...headByKey.keys()])) {
    const before = baseByKey.get(key);
    const after = headByKey.get(key);
    const classification = classifyFlowChange(before, after);
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
  };
}

/** Changes whose behaviour can reach other flows (cosmetic ones cannot). */
const PROPAGATING: ReadonlySet<ChangeKind> = new Set(["added", "removed", "modified"]);

/** Unchanged flows that trigger on, or call, a changed flow in the same environment. */
export function downstreamOf(changes: readonly FlowChange[], candidates: readonly DiffableFlow[]): ImpactedFlow[] {
  const changedByEnv = new Map<string, FlowChange[]>();
  const changedKeys = new Set<string>();
  for (const change of changes) {
    changedKeys.add(flowKey(change));
    if (!PROPAGATING.has(change.kind)) continue;
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
