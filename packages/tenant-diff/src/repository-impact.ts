import { buildRepository, readRepository, render } from "@flowops/render";
import type { FlowRepository } from "@flowops/render";
import { ImpactError } from "./errors.js";
import { resolveImpactRefs } from "./git.js";
import type { ImpactRefs } from "./git.js";
import { computeImpact } from "./impact.js";
import { flowKey } from "./diff.js";
import type { FlowChange, ImpactReport } from "./types.js";

export interface ImpactOptions {
  baseRepo: FlowRepository;
  headRepo: FlowRepository;
  /** Files that differ between the two (repository-relative): causes and the incremental plan. */
  changedFiles: readonly string[];
  envs?: readonly string[];
  baseLabel?: string;
  headLabel?: string;
  /** Re-render only what the changed files reach (default true). */
  incremental?: boolean;
}

/**
 * The impact between two read repositories, rendered with `@flowops/render`. Pure (no I/O).
 * Causes are exact: when several changed inputs feed a changed flow, each is kept only if undoing
 * it alone would change that flow's rendered result.
 */
export function impact(options: ImpactOptions): ImpactReport {
  const report = computeImpact({ ...options, render });
  attributeCauses(report.changes, options.baseRepo, options.headRepo);
  return report;
}

/**
 * Narrows the causes of changes fed by several changed files, by counterfactual: render the
 * affected flows from the head with a cause put back as it was in the base; if a flow comes out the
 * same, that file did not produce its change. A flow reads exactly one template and one tenant
 * file, so all changed templates are put back in one counterfactual and all changed tenant files
 * in another; the config and the tenant vars schema get one each. Each counterfactual holds only
 * the files the affected flows read, so this costs little, and nothing when each change has one
 * cause. When every cause of a change would be dropped (each alone is enough), all are kept.
 */
function attributeCauses(changes: FlowChange[], baseRepo: FlowRepository, headRepo: FlowRepository): void {
  const candidates = changes.filter((change) => change.causes.length > 1);
  if (candidates.length === 0) return;
  const templateFile = new Map([...baseRepo.templates, ...headRepo.templates].map((template) => [template.key, template.file]));
  const tenantFile = new Map([...baseRepo.tenants, ...headRepo.tenants].map((tenant) => [tenant.code, tenant.file]));
  const tenantFiles = new Set(tenantFile.values());
  const wholeRepo = new Set([baseRepo.configFile, headRepo.configFile, baseRepo.config.tenantVarsSchema, headRepo.config.tenantVarsSchema]);
  const classOf = (file: string) => (wholeRepo.has(file) ? `file:${file}` : tenantFiles.has(file) ? "tenants" : "templates");

  const classes = new Map<string, { files: Set<string>; affected: Set<FlowChange> }>();
  for (const change of candidates) {
    for (const file of change.causes) {
      const key = classOf(file);
      let entry = classes.get(key);
      if (!entry) classes.set(key, (entry = { files: new Set(), affected: new Set() }));
      entry.files.add(file);
      entry.affected.add(change);
    }
  }

  const notCauses = new Map<FlowChange, Set<string>>();
  for (const [key, { files: reverted, affected }] of classes) {
    const files = new Map<string, string>();
    const copy = (path: string | undefined) => {
      const text = path === undefined ? undefined : headRepo.files.get(path);
      if (path !== undefined && text !== undefined) files.set(path, text);
    };
    copy(headRepo.configFile);
    copy(headRepo.config.tenantVarsSchema);
    for (const change of affected) {
      copy(templateFile.get(change.templateKey));
      if (change.tenant !== null) copy(tenantFile.get(change.tenant));
    }
    for (const file of reverted) {
      const baseText = baseRepo.files.get(file);
      if (baseText === undefined) files.delete(file);
      else files.set(file, baseText);
    }
    const counterfactual = buildRepository({ root: headRepo.root, files, hasTenantsFolder: headRepo.mode === "multi-tenant" });
    const list = [...affected];
    const tenants = [...new Set(list.map((change) => change.tenant).filter((tenant) => tenant !== null))];
    const rendered = render(counterfactual, {
      envs: [...new Set(list.map((change) => change.env))],
      templates: [...new Set(list.map((change) => change.templateKey))],
      ...(headRepo.mode === "multi-tenant" ? { tenants } : {}),
    });
    const sources = new Map(rendered.flows.map((flow) => [flowKey(flow), flow.source]));
    for (const change of list) {
      if (sources.get(flowKey(change)) !== change.after) continue;
      let set = notCauses.get(change);
      if (!set) notCauses.set(change, (set = new Set()));
      for (const file of change.causes) if (classOf(file) === key) set.add(file);
    }
  }
  for (const [change, dropped] of notCauses) {
    const kept = change.causes.filter((file) => !dropped.has(file));
    if (kept.length > 0) change.causes = kept;
  }
}

/**
 * `flowops impact --base REF [--head REF]`: resolves the refs (the base side is the merge base),
 * reads both sides (the head defaults to the working tree) and computes the impact. Every failure
 * to read a side is an ImpactError (exit 2), never a report with tenants missing.
 */
export async function impactOfRefs(options: {
  cwd: string;
  base: string;
  head?: string;
  envs?: readonly string[];
  incremental?: boolean;
}): Promise<{ report: ImpactReport; refs: ImpactRefs; baseRepo: FlowRepository; headRepo: FlowRepository }> {
  const refs = await resolveImpactRefs(options);
  const [baseRepo, headRepo] = await Promise.all([
    readSide(options.cwd, refs.baseCommit, refs.baseLabel),
    readSide(options.cwd, refs.headCommit, refs.headLabel),
  ]);
  const report = impact({
    baseRepo,
    headRepo,
    changedFiles: refs.changedFiles,
    baseLabel: refs.baseLabel,
    headLabel: refs.headLabel,
    ...(options.envs ? { envs: options.envs } : {}),
    ...(options.incremental !== undefined ? { incremental: options.incremental } : {}),
  });
  return { report, refs, baseRepo, headRepo };
}

async function readSide(cwd: string, ref: string | undefined, label: string): Promise<FlowRepository> {
  try {
    return await readRepository(ref === undefined ? { cwd } : { cwd, ref });
  } catch (error) {
    throw new ImpactError(`Cannot read the repository at ${label}: ${error instanceof Error ? error.message : String(error)}`, [], { cause: error });
  }
}
