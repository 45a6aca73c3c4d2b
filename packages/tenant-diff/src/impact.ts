import { flowReferences } from "@flowops/flow-model";
import { parse } from "yaml";
import { diffRenders, flowKey } from "./diff.js";
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
  // A file that could not be read is missing from templates/tenants: its problems go with the
  // side's render problems, so its flows are shown as not rendered rather than as removals.
  const withRepositoryProblems = (repo: R, output: RenderOutput): RenderOutput => ({ flows: output.flows, problems: [...(repo.problems ?? []), ...(output.problems ?? [])] });
  const tenantFilesOf = (tenant: string) => [headRepo, baseRepo].flatMap((repo) => [`${repo.config.tenantsDir}/${tenant}.yaml`, `${repo.config.tenantsDir}/${tenant}.yml`]);
  const plan: RenderPlan =
    options.incremental === false ? { mode: "full", reason: "incremental rendering off" } : planIncrementalRender(options.changedFiles, baseRepo, headRepo);
  const causes = {
    changedFiles: options.changedFiles,
    inputsOf: (flow: DiffableFlow, side: "base" | "head") => flowInputs(side === "base" ? baseRepo : headRepo, flow),
  };
  const renderOptions = envs ? { envs } : {};

  if (plan.mode === "full") {
    return diffRenders(withRepositoryProblems(baseRepo, render(baseRepo, renderOptions)), withRepositoryProblems(headRepo, render(headRepo, renderOptions)), {
      causes,
      tenantFilesOf,
      ...labels,
      scope: { mode: "full", reason: plan.reason },
    });
  }

  const base = withRepositoryProblems(baseRepo, renderRequests(render, baseRepo, plan.requests, renderOptions));
  const head = withRepositoryProblems(headRepo, renderRequests(render, headRepo, plan.requests, renderOptions));
  const first = diffRenders(base, head, { causes, tenantFilesOf, ...labels, scope: { mode: "incremental", reason: plan.reason } });
  if (first.changes.length === 0) return first;

  // Downstream flows may come from templates nobody touched: render the head templates that can
  // name a changed flow, for the changed tenants when their references stay inside the tenant,
  // for every tenant otherwise.
  const propagating = first.changes.filter((change) => change.kind !== "cosmetic");
  const changedIds = new Set(propagating.map((change) => change.id));
  const changedTenants = [...new Set(propagating.map((change) => change.tenant).filter((tenant) => tenant !== null))];
  const tenantScoped = headRepo.mode === "multi-tenant" && (headRepo.config.namespacePattern ?? DEFAULT_NAMESPACE_PATTERN).startsWith("${tenant.code}.");
  const local: string[] = [];
  const global: string[] = [];
  for (const template of headRepo.templates) {
    const reach = templateReach(template.text, changedIds);
    if (reach === "tenant" && tenantScoped) local.push(template.key);
    else if (reach !== "none") global.push(template.key);
  }
  const dependentRequests: RenderRequest[] = [];
  if (global.length > 0) dependentRequests.push({ templates: global });
  if (local.length > 0 && changedTenants.length > 0) dependentRequests.push({ templates: local, tenants: changedTenants });
  const alreadyRendered = new Set(head.flows.map(flowKey));
  const extra = dependentRequests.length > 0 ? renderRequests(render, headRepo, dependentRequests, renderOptions) : { flows: [], problems: [] };
  const candidates = [...head.flows, ...extra.flows.filter((flow) => !alreadyRendered.has(flowKey(flow)))];
  return diffRenders(base, { flows: head.flows, problems: [...(head.problems ?? []), ...(extra.problems ?? [])] }, {
    causes,
    tenantFilesOf,
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

const DEFAULT_NAMESPACE_PATTERN = "${tenant.code}.${flow.folder}";
const OWN_TENANT_NAMESPACE = /^\$\{tenant\.code\}(\.|$)/;

/** Stands for the template's own namespace, which only rendering knows. */
const OWN_NAMESPACE = "\u0000own";
/** Flow trigger types, whose upstreams may name a whole namespace without any `flowId`. */
const FLOW_TRIGGER_TEXT = /io\.kestra\.(plugin\.core\.trigger|core\.models\.triggers\.types)\.Flow\b/;

/**
 * Whether a template's flow references (flow-model's: Flow trigger upstreams by flow or by
 * namespace, legacy conditions, Subflow and ForEachItem tasks, plugin defaults applied) can name
 * one of `ids`: `none`; `tenant` when every such reference points into the tenant's own namespaces
 * (`${tenant.code}...` or none, i.e. its own namespace); `any` otherwise. A reference built from
 * placeholders, a namespace-wide upstream, or text that does not parse may name anything.
 */
export function templateReach(text: string, ids: ReadonlySet<string>): "none" | "tenant" | "any" {
  const flowTrigger = FLOW_TRIGGER_TEXT.test(text);
  if (!text.includes("flowId") && !flowTrigger) return "none";
  // Fast path, no parse: no Flow trigger, and every `flowId:` value is a plain literal naming none of the ids.
  const literal = /^["']?([A-Za-z0-9_.-]+)["']?\s*[,}]*\s*(#.*)?$/;
  const values = [...text.matchAll(/flowId["']?\s*:(.*)$/gm)].map((match) => literal.exec((match[1] ?? "").trim())?.[1]);
  if (!flowTrigger && values.length > 0 && values.every((value) => value !== undefined && !ids.has(value))) return "none";
  let document: unknown;
  try {
    document = parse(text, { uniqueKeys: false, maxAliasCount: 100 });
  } catch {
    return "any";
  }
  let reach: "none" | "tenant" | "any" = "none";
  const references = flowReferences(document, OWN_NAMESPACE);
  for (const reference of references) {
    const byPlaceholder = reference.flowId !== undefined && (reference.flowId.includes("${") || reference.flowId.includes("{{"));
    const named = reference.flowId === undefined || reference.namespaceMatch !== "equals" || byPlaceholder || ids.has(reference.flowId);
    if (!named) continue;
    const local = reference.namespaceMatch === "equals" && (reference.namespace === OWN_NAMESPACE || OWN_TENANT_NAMESPACE.test(reference.namespace));
    if (!local) return "any";
    reach = "tenant";
  }
  // The text names flowId somewhere the model does not show (a comment, a block scalar, an
  // unknown type): nothing to fear from comments, but a key spelled differently would be missed.
  if (references.length === 0 && /^\s*-?\s*["']?flowId["']?\s*:/m.test(text)) return "any";
  return reach;
}
