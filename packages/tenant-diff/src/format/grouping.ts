import type { ChangeKind, FlowChange, ImpactedFlow, ImpactReport } from "../types.js";
import { tenantNeutralDiff, unifiedDiff } from "./unified-diff.js";

/**
 * One change made to the same template's flow in many tenants: either the same diff (up to the
 * tenant code), or a change whose only cause is the template file, with the same kind and flags.
 */
export interface SharedChange {
  envs: string[];
  templateKey: string;
  kind: ChangeKind;
  flags: string[];
  /** Causes every tenant of the group shares (typically the template). */
  causes: string[];
  /** Tenant codes, each once (a group can span environments). */
  tenants: string[];
  /** The first tenant's change, shown as the example. */
  example: FlowChange;
  diff: string;
  /** Unchanged flows downstream of this change, tenant code masked as `<tenant>` (e.g. `<tenant>.silver/usage`). */
  downstream: string[];
}

export interface TenantSection {
  env: string;
  tenant: string | null;
  counts: Record<ChangeKind | "impacted", number>;
  /** Changes not covered by a shared change, each with its diff. */
  changes: { change: FlowChange; diff: string }[];
  /** Template keys of this tenant's changes shown once as shared changes. */
  shared: FlowChange[];
  /** Impacted flows not explained by a shared change (those are listed with the shared change). */
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
  // First the same diff up to the tenant code (environments merged); then, among what is left,
  // changes produced by the template file alone, with the same kind and flags.
  const byDiff = groupBy(
    report.changes.filter((change) => change.tenant !== null),
    (change) => [change.templateKey, change.kind, change.flags.join(","), tenantNeutralDiff(diffs.get(change) ?? "", change.tenant)].join("\u0001"),
  );
  const manyTenants = (list: readonly FlowChange[]) => new Set(list.map((change) => change.tenant)).size >= minGroupSize;
  const groups = [...byDiff.values()].filter(manyTenants);
  const leftOver = [...byDiff.values()].filter((list) => !manyTenants(list)).flat();
  const byTemplateEdit = groupBy(
    leftOver.filter((change) => change.causes.length === 1 && change.causes[0] === change.template),
    (change) => [change.templateKey, change.kind, change.flags.join(",")].join("\u0001"),
  );
  groups.push(...[...byTemplateEdit.values()].filter(manyTenants));

  const sharedChanges = new Set<FlowChange>();
  const groupOfFlow = new Map<string, SharedChange>();
  const shared: SharedChange[] = [];
  for (const list of groups) {
    const example = list[0];
    if (!example) continue;
    for (const change of list) sharedChanges.add(change);
    shared.push({
      envs: [...new Set(list.map((change) => change.env))].sort(compareText),
      templateKey: example.templateKey,
      kind: example.kind,
      flags: example.flags,
      causes: example.causes.filter((file) => list.every((change) => change.causes.includes(file))),
      tenants: [...new Set(list.map((change) => change.tenant ?? ""))],
      example,
      diff: diffs.get(example) ?? "",
      downstream: [],
    });
    for (const change of list) groupOfFlow.set(`${change.env}\0${change.namespace}/${change.id}`, shared[shared.length - 1] as SharedChange);
  }
  // An impacted flow whose every upstream change belongs to one shared change is shown there, once.
  const explained = new Set<ImpactedFlow>();
  for (const flow of report.impacted) {
    const owners = new Set(flow.because.map((name) => groupOfFlow.get(`${flow.env}\0${name}`)));
    const [owner] = owners;
    if (owners.size !== 1 || owner === undefined || flow.tenant === null) continue;
    explained.add(flow);
    const masked = tenantNeutralDiff(`${flow.namespace}/${flow.id}`, flow.tenant).replace(/\u0000tenant\u0000/g, "<tenant>");
    if (!owner.downstream.includes(masked)) owner.downstream.push(masked);
  }
  for (const group of shared) group.downstream.sort(compareText);
  shared.sort((a, b) => b.tenants.length - a.tenants.length || compareText(a.templateKey, b.templateKey) || compareText(a.kind, b.kind));

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
    if (!explained.has(flow)) section.impacted.push(flow);
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

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
