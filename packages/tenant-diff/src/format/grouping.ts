import type { ChangeKind, FlowChange, ImpactedFlow, ImpactReport } from "../types.js";
import { tenantNeutralDiff, unifiedDiff } from "./unified-diff.js";

/** One change made identically (up to the tenant code) to the same template's flow in many tenants. */
export interface SharedChange {
  env: string;
  templateKey: string;
  kind: ChangeKind;
  flags: string[];
  /** Causes every tenant of the group shares (typically the template). */
  causes: string[];
  tenants: string[];
  /** The first tenant's change, shown as the example. */
  example: FlowChange;
  diff: string;
}

export interface TenantSection {
  env: string;
  tenant: string | null;
  counts: Record<ChangeKind | "impacted", number>;
  /** Changes not covered by a shared change, each with its diff. */
  changes: { change: FlowChange; diff: string }[];
  /** Template keys of this tenant's changes shown once as shared changes. */
  shared: FlowChange[];
  impacted: ImpactedFlow[];
}

export interface GroupedReport {
  shared: SharedChange[];
  tenants: TenantSection[];
  multipleEnvs: boolean;
}

/** Groups a report for display: identical per-template changes across tenants, then per-tenant sections. */
export function groupReport(report: ImpactReport, minGroupSize: number): GroupedReport {
  const diffs = new Map<FlowChange, string>(report.changes.map((change) => [change, unifiedDiff(change)]));
  const candidates = new Map<string, FlowChange[]>();
  for (const change of report.changes) {
    if (change.tenant === null) continue;
    // Causes stay out of the key: a tenant file edited for another reason must not split a group.
    const key = [change.env, change.templateKey, change.kind, change.flags.join(","), tenantNeutralDiff(diffs.get(change) ?? "", change.tenant)].join("\u0001");
    const list = candidates.get(key);
    if (list) list.push(change);
    else candidates.set(key, [change]);
  }
  const sharedChanges = new Set<FlowChange>();
  const shared: SharedChange[] = [];
  for (const list of candidates.values()) {
    const example = list[0];
    if (!example || list.length < minGroupSize) continue;
    for (const change of list) sharedChanges.add(change);
    shared.push({
      env: example.env,
      templateKey: example.templateKey,
      kind: example.kind,
      flags: example.flags,
      causes: example.causes.filter((file) => list.every((change) => change.causes.includes(file))),
      tenants: list.map((change) => change.tenant ?? ""),
      example,
      diff: diffs.get(example) ?? "",
    });
  }
  shared.sort((a, b) => b.tenants.length - a.tenants.length || compareText(a.templateKey, b.templateKey) || compareText(a.env, b.env));

  const sections = new Map<string, TenantSection>();
  const sectionOf = (env: string, tenant: string | null): TenantSection => {
    const key = `${env}\0${tenant ?? ""}`;
    let section = sections.get(key);
    if (!section) {
      section = { env, tenant, counts: { added: 0, removed: 0, modified: 0, cosmetic: 0, impacted: 0 }, changes: [], shared: [], impacted: [] };
      sections.set(key, section);
    }
    return section;
  };
  for (const change of report.changes) {
    const section = sectionOf(change.env, change.tenant);
    section.counts[change.kind] += 1;
    if (sharedChanges.has(change)) section.shared.push(change);
    else section.changes.push({ change, diff: diffs.get(change) ?? "" });
  }
  for (const flow of report.impacted) {
    const section = sectionOf(flow.env, flow.tenant);
    section.counts.impacted += 1;
    section.impacted.push(flow);
  }
  const tenants = [...sections.values()].sort((a, b) => compareText(a.tenant ?? "", b.tenant ?? "") || compareText(a.env, b.env));
  const multipleEnvs = new Set([...report.changes, ...report.impacted].map((flow) => flow.env)).size > 1;
  return { shared, tenants, multipleEnvs };
}

/** A destructive change for the "destructive first" block. */
export interface DestructiveItem {
  what: "removed" | "disabled" | "trigger removed";
  env: string;
  templateKey: string;
  /** Removed trigger ids, for `trigger removed`. */
  detail: string;
  flows: FlowChange[];
}

/** Removals, newly disabled flows and removed triggers, grouped by (what, env, template, detail). */
export function destructiveItems(report: ImpactReport): DestructiveItem[] {
  const items = new Map<string, DestructiveItem>();
  const add = (what: DestructiveItem["what"], change: FlowChange, detail: string): void => {
    const key = [what, change.env, change.templateKey, detail].join("\0");
    const item = items.get(key);
    if (item) item.flows.push(change);
    else items.set(key, { what, env: change.env, templateKey: change.templateKey, detail, flows: [change] });
  };
  for (const change of report.changes) {
    if (change.kind === "removed") add("removed", change, "");
    if (change.flags.includes("disabled")) add("disabled", change, "");
    if (change.removedTriggers.length > 0) add("trigger removed", change, change.removedTriggers.join(", "));
  }
  const order = { removed: 0, disabled: 1, "trigger removed": 2 };
  return [...items.values()].sort((a, b) => order[a.what] - order[b.what] || compareText(a.templateKey, b.templateKey) || compareText(a.env, b.env));
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function countsText(counts: Partial<Record<ChangeKind | "impacted", number>>): string {
  const parts = (["added", "modified", "removed", "cosmetic", "impacted"] as const).filter((kind) => (counts[kind] ?? 0) > 0).map((kind) => `${counts[kind]} ${kind}`);
  return parts.length > 0 ? parts.join(", ") : "no change";
}

/** Locale-independent ordering, so output is byte-identical everywhere. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
