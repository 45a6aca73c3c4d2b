import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";
import type { KestraClient } from "@flowops/kestra";
import { DeployRefusedError } from "./apply.js";
import { runInDependencyOrder } from "./dependencies.js";
import { planEnvironment } from "./deploy-environment.js";
import type { DeployEnvironmentOptions } from "./deploy-environment.js";
import { sourceDiff } from "./source-diff.js";
import type { DeployPlan } from "./types.js";

/**
 * How the live flow differs from what Git renders: `labels-only` when the two documents are equal
 * once the labels Git adds are set aside (adopting changes nothing a user would see), `source`
 * otherwise.
 */
export type AdoptionChange = "labels-only" | "source";

export type AdoptionStatus = "planned" | "adopted" | "failed";

/** A flow Kestra holds without the ownership label whose namespace and id Git renders. */
export interface AdoptionCandidate {
  tenant: string | null;
  namespace: string;
  id: string;
  change: AdoptionChange;
  /** Unified diff from the live to the rendered source. */
  diff: string;
  /** Labels the rendered source adds or changes (`key: value`). */
  labelsAdded: string[];
  status: AdoptionStatus;
  error?: string;
}

/** The JSON document of `flowops adopt --format json`. */
export interface AdoptionReport {
  env: string;
  kestra: { url: string; version: string };
  flows: AdoptionCandidate[];
  summary: { candidates: number; labelsOnly: number; adopted: number; failed: number };
}

export interface AdoptEnvironmentOptions extends Pick<DeployEnvironmentOptions, "repository" | "env" | "kestra"> {
  /** Write the rendered sources (with the labels). Without it, only show what adopting would do. */
  write?: boolean;
  /** Writes in flight at once. Default 4. */
  concurrency?: number;
}

/**
 * Hands flows that Kestra holds without the ownership label (made by hand, by Terraform) over to
 * flowops, for the ones whose namespace and id Git renders in this environment: shows each one's
 * diff from live to rendered and, with `write`, replaces it with the rendered source, labels
 * included. Unlabelled flows Git does not render are left alone. Refuses (before any write) when
 * the repository does not render cleanly.
 */
export async function adoptEnvironment(options: AdoptEnvironmentOptions): Promise<AdoptionReport> {
  const { plan, client } = await planEnvironment({ ...options, prune: false });
  if (plan.problems.length > 0) {
    throw new DeployRefusedError(plan.problems.some((p) => p.kind === "empty-desired") ? "empty" : "problems", `adopt refused: ${plan.problems.map((p) => p.message).join("; ")}`);
  }
  const flows = await adoptionCandidates(plan, client);
  if (options.write) await adopt(plan, flows, client, options.concurrency ?? 4);
  return {
    env: plan.env,
    kestra: { url: plan.kestra.url, version: plan.kestra.version },
    flows,
    summary: {
      candidates: flows.length,
      labelsOnly: flows.filter((f) => f.change === "labels-only").length,
      adopted: flows.filter((f) => f.status === "adopted").length,
      failed: flows.filter((f) => f.status === "failed").length,
    },
  };
}

/** The plan's flows blocked by an unlabelled live flow, each compared with its live source. */
export async function adoptionCandidates(plan: DeployPlan, client: KestraClient): Promise<AdoptionCandidate[]> {
  const held = plan.flows.filter((f) => f.conflict?.kind === "unmanaged" && f.desired);
  const sources = await client.getFlowSources(held.map((f) => ({ namespace: f.namespace, id: f.id })));
  const candidates: AdoptionCandidate[] = [];
  for (const flow of held) {
    const live = sources.get(`${flow.namespace}/${flow.id}`);
    // Gone since the plan: nothing to adopt; the next deploy creates it.
    if (live === undefined) continue;
    const rendered = flow.desired!.source;
    const comparison = compareApartFromLabels(live, flow.desired!.document);
    candidates.push({
      tenant: flow.tenant,
      namespace: flow.namespace,
      id: flow.id,
      change: comparison.equal ? "labels-only" : "source",
      diff: sourceDiff(`${flow.namespace}/${flow.id}.yaml`, live, rendered),
      labelsAdded: comparison.labelsAdded,
      status: "planned",
    });
  }
  return candidates;
}

async function adopt(plan: DeployPlan, flows: AdoptionCandidate[], client: KestraClient, concurrency: number): Promise<void> {
  const sources = new Map(plan.flows.filter((f) => f.desired).map((f) => [`${f.namespace}/${f.id}`, f.desired!.source]));
  const nodes = flows.map((flow) => ({ key: `${flow.namespace}/${flow.id}`, value: flow, after: [] }));
  await runInDependencyOrder(
    nodes,
    concurrency,
    async ({ key, value: flow }) => {
      try {
        await client.updateFlow(flow.namespace, flow.id, sources.get(key)!);
        flow.status = "adopted";
        return { ok: true };
      } catch (error) {
        flow.status = "failed";
        flow.error = error instanceof Error ? error.message : String(error);
        return { ok: false, error: flow.error };
      }
    },
    () => undefined,
  );
}

/**
 * Whether a live source and a rendered document say the same once labels are set aside, and which
 * labels the rendered one adds or changes. A live source that does not parse is a `source` change.
 */
function compareApartFromLabels(liveSource: string, rendered: Record<string, unknown>): { equal: boolean; labelsAdded: string[] } {
  const renderedLabels = labelMap(rendered.labels);
  let live: unknown;
  try {
    live = parseYaml(liveSource, { uniqueKeys: false, maxAliasCount: 100 });
  } catch {
    return { equal: false, labelsAdded: Object.entries(renderedLabels).map(([k, v]) => `${k}: ${v}`) };
  }
  const liveLabels = live && typeof live === "object" ? labelMap((live as Record<string, unknown>).labels) : {};
  const labelsAdded = Object.entries(renderedLabels)
    .filter(([key, value]) => liveLabels[key] !== value)
    .map(([key, value]) => `${key}: ${value}`);
  const labelsKept = Object.entries(liveLabels).every(([key, value]) => renderedLabels[key] === value);
  const withoutLabels = (document: unknown) => {
    if (!document || typeof document !== "object" || Array.isArray(document)) return document;
    const { labels: _labels, ...rest } = document as Record<string, unknown>;
    return rest;
  };
  return { equal: labelsKept && isDeepStrictEqual(withoutLabels(live), withoutLabels(rendered)), labelsAdded };
}

/** Kestra labels in either form (a map, or a list of `{key, value}`) as a map of strings. */
function labelMap(labels: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(labels)) {
    for (const label of labels as { key?: unknown; value?: unknown }[]) if (label && typeof label.key === "string") out[label.key] = String(label.value);
  } else if (labels && typeof labels === "object") {
    for (const [key, value] of Object.entries(labels as Record<string, unknown>)) out[key] = String(value);
  }
  return out;
}

/** A readable adoption report: per flow, what adopting changes, and the diff when it is more than labels. */
export function formatAdoptionText(report: AdoptionReport, written: boolean): string {
  const lines = [`Adopt for environment ${report.env} — Kestra ${report.kestra.version} at ${report.kestra.url}`];
  if (report.flows.length === 0) {
    lines.push("", "No flow to adopt: Kestra holds no unlabelled flow with a namespace and id that Git renders here.");
    return lines.join("\n") + "\n";
  }
  for (const flow of report.flows) {
    const who = `${flow.namespace}/${flow.id}${flow.tenant ? ` (tenant ${flow.tenant})` : ""}`;
    const status = flow.status === "adopted" ? "adopted" : flow.status === "failed" ? `FAILED: ${flow.error ?? "unknown error"}` : written ? "not written" : "to adopt";
    lines.push("");
    if (flow.change === "labels-only") lines.push(`  ${who}: ${status}; same flow, only labels added (${flow.labelsAdded.join(", ")})`);
    else {
      lines.push(`  ${who}: ${status}; the live source differs from Git (adopting replaces it with Git's):`);
      for (const line of flow.diff.split("\n")) lines.push(`      ${line}`);
    }
  }
  const s = report.summary;
  lines.push("");
  if (written) lines.push(`Total: ${s.adopted} adopted, ${s.failed} failed, of ${s.candidates} (${s.labelsOnly} with only labels added).`);
  else lines.push(`Total: ${s.candidates} to adopt (${s.labelsOnly} with only labels added). Nothing was written; re-run with --yes to write Git's source with the ownership labels.`);
  return lines.join("\n") + "\n";
}
