import { readRepository, render } from "@flowops/render";
import type { FlowRepository } from "@flowops/render";
import { ImpactError } from "./errors.js";
import { resolveImpactRefs } from "./git.js";
import type { ImpactRefs } from "./git.js";
import { computeImpact } from "./impact.js";
import type { ImpactReport } from "./types.js";

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

/** The impact between two read repositories, rendered with `@flowops/render`. Pure (no I/O). */
export function impact(options: ImpactOptions): ImpactReport {
  return computeImpact({ ...options, render });
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
