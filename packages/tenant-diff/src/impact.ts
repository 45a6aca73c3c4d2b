import { assertRenderClean, diffRenders, flowKey } from "./diff.js";
import { flowInputs, planIncrementalRender } from "./inputs.js";
import type { RenderPlan, RenderRequest, RepositoryInputs } from "./inputs.js";
import type { DiffableFlow, ImpactReport, RenderOutput } from "./types.js";

/** `render(repo, { envs, tenants, templates })` from `@flowops/render`, or anything with its shape. */
export type RenderFunction<R extends RepositoryInputs> = (
  repo: R,
  options: { envs?: readonly string[]; tenants?: readonly string[]; templates?: readonly string[] },
) => RenderOutput;

export interface ComputeImpactOptions<R extends RepositoryInputs> {
  baseRepo: R;
  headRepo: R;
  /** Files that differ between base and head (repository-relative); needed for causes and the incremental plan. */
  changedFiles: readonly string[];
  render: RenderFunction<R>;
  envs?: readonly string[];
  baseLabel?: string;
  headLabel?: string;
  /** Re-render only what the changed files reach (default true); false renders everything. */
  incremental?: boolean;
}

/**
 * The impact of going from `baseRepo` to `headRepo`. With `incremental` (the default) only the
 * (tenant, template) pairs that the changed files reach are rendered, plus, on the head side, the
 * templates that may depend on a changed flow (to find downstream flows); the plan falls back to a
 * full render whenever it cannot decide. In an incremental report `summary.unchanged` counts the
 * re-rendered flows only.
 */
export function computeImpact<R extends RepositoryInputs>(options: ComputeImpactOptions<R>): ImpactReport {
  const { baseRepo, headRepo, render, envs } = options;
  const labels = { baseLabel: options.baseLabel ?? "base", headLabel: options.headLabel ?? "head" };
  // A file that could not be read is missing from templates/tenants: refuse rather than report removals.
  assertRenderClean({ flows: [], problems: baseRepo.problems ?? [] }, "base", labels.baseLabel);
  assertRenderClean({ flows: [], problems: headRepo.problems ?? [] }, "head", labels.headLabel);
  const plan: RenderPlan =
    options.incremental === false ? { mode: "full", reason: "incremental rendering off" } : planIncrementalRender(options.changedFiles, baseRepo, headRepo);
  const causes = {
    changedFiles: options.changedFiles,
    inputsOf: (flow: DiffableFlow, side: "base" | "head") => flowInputs(side === "base" ? baseRepo : headRepo, flow),
  };
  const renderOptions = envs ? { envs } : {};

  if (plan.mode === "full") {
    return diffRenders(render(baseRepo, renderOptions), render(headRepo, renderOptions), {
      causes,
      ...labels,
      scope: { mode: "full", reason: plan.reason },
    });
  }

  const base = renderRequests(render, baseRepo, plan.requests, renderOptions);
  const head = renderRequests(render, headRepo, plan.requests, renderOptions);
  const first = diffRenders(base, head, { causes, ...labels, scope: { mode: "incremental", reason: plan.reason } });
  if (first.changes.length === 0) return first;

  // Downstream flows may come from templates nobody touched: render, for every tenant, the head
  // templates whose text can name a changed flow.
  const changedIds = new Set(first.changes.filter((change) => change.kind !== "cosmetic").map((change) => change.id));
  const dependents = headRepo.templates.filter((template) => mayReferenceFlows(template.text, changedIds)).map((template) => template.key);
  const alreadyRendered = new Set(head.flows.map(flowKey));
  const extra = dependents.length > 0 ? renderRequests(render, headRepo, [{ templates: dependents }], renderOptions) : { flows: [], problems: [] };
  const candidates = [...head.flows, ...extra.flows.filter((flow) => !alreadyRendered.has(flowKey(flow)))];
  return diffRenders(base, { flows: head.flows, problems: [...(head.problems ?? []), ...(extra.problems ?? [])] }, {
    causes,
    ...labels,
    downstreamCandidates: candidates,
    scope: { mode: "incremental", reason: plan.reason },
  });
}

/** Renders the union of some requests (each one `render` call), flows de-duplicated by identity. */
export function renderRequests<R extends RepositoryInputs>(
  render: RenderFunction<R>,
  repo: R,
  requests: readonly RenderRequest[],
  baseOptions: { envs?: readonly string[] } = {},
): RenderOutput {
  const flows = new Map<string, DiffableFlow>();
  const problems: NonNullable<RenderOutput["problems"]>[number][] = [];
  for (const request of requests) {
    const output = render(repo, {
      ...baseOptions,
      ...(request.tenants ? { tenants: request.tenants } : {}),
      ...(request.templates ? { templates: request.templates } : {}),
    });
    for (const flow of output.flows) flows.set(flowKey(flow), flow);
    problems.push(...(output.problems ?? []));
  }
  return { flows: [...flows.values()], problems };
}

/** True when a template can reference one of the ids (named in its text, or a `flowId` built from placeholders). */
function mayReferenceFlows(text: string, ids: ReadonlySet<string>): boolean {
  if (!/flowId/.test(text)) return false;
  if (/flowId["']?\s*:[^\n]*\$\{/.test(text)) return true;
  for (const id of ids) if (text.includes(id)) return true;
  return false;
}
