import type { FlowChange, ImpactReport } from "../types.js";
import { countsText, destructiveItems, groupReport, plural } from "./grouping.js";
import type { DestructiveItem, SharedChange, TenantSection } from "./grouping.js";
import { capLines } from "./unified-diff.js";
import { problemLines, PROBLEMS_NOTE } from "./problems.js";
import { formatGraphMermaid, impactGraph } from "../graph.js";

/** GitHub's limit for one issue or pull request comment. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /** Largest output in characters (default 65,536); the tail is cut, never the verdict or table head. */
  budget?: number;
  /** Identical changes of one template in at least this many tenants are shown once (default 2). */
  minGroupSize?: number;
  /** Lines of one flow's diff shown before cutting it (default 120). */
  maxDiffLines?: number;
  /** The command that prints the full report, named when something is left out. */
  fullReportCommand?: string;
  /** Draw each tenant's impacted flows and what impacts them as a Mermaid graph (default true). */
  graphs?: boolean;
}

/**
 * The impact as a pull request comment: a one-line verdict, a per-tenant table, destructive
 * changes first, changes shared by many tenants once, then one collapsed section per tenant with
 * a unified diff per flow. Stays within `budget` characters and says what it left out.
 */
export function formatImpactMarkdown(report: ImpactReport, options: MarkdownOptions = {}): string {
  const budget = options.budget ?? GITHUB_COMMENT_LIMIT;
  const grouped = groupReport(report, options.minGroupSize ?? 2);
  const maxDiffLines = options.maxDiffLines ?? 120;
  const noteReserve = Math.min(900, Math.floor(budget / 4));
  const limit = budget - noteReserve;
  const out = new OutputBudget(limit);

  out.force(`${verdict(report)}\n\n<sub>base \`${report.base}\` → head \`${report.head}\`${report.scope.mode === "incremental" ? " · rendered incrementally" : ""}</sub>\n`);
  const problems = problemLines(report);
  if (problems.length > 0) {
    out.force(`\n### ⚠️ ${plural(problems.length, "render problem")}\n\n${PROBLEMS_NOTE}.\n\n`);
    const shown = out.addAll(problems.slice(0, 30).map((line) => `- \`${line.replaceAll("`", "'")}\`\n`));
    if (shown < problems.length) out.force(`- … ${plural(problems.length - shown, "more problem")} (see \`flowops lint\`)\n`);
  }
  if (report.changes.length === 0 && report.impacted.length === 0) return out.text();

  const withEnv = grouped.multipleEnvs;
  out.force(`\n| Tenant |${withEnv ? " Env |" : ""} Added | Modified | Removed | Cosmetic | Impacted |\n|---|${withEnv ? "---|" : ""}--:|--:|--:|--:|--:|\n`);
  const rows = grouped.tenants.map(
    (s) => `| ${tenantName(s.tenant)} |${withEnv ? ` ${s.env} |` : ""} ${s.counts.added} | ${s.counts.modified} | ${s.counts.removed} | ${s.counts.cosmetic} | ${s.counts.impacted} |\n`,
  );
  const shownRows = out.addAll(rows);
  if (shownRows < rows.length) out.force(`| … ${plural(rows.length - shownRows, "more tenant")} |${withEnv ? " |" : ""} | | | | |\n`);

  const destructive = destructiveItems(report);
  if (destructive.length > 0) {
    out.force(`\n### ⚠️ Destructive changes\n\n`);
    const shown = out.addAll(destructive.map((item) => `- ${destructiveLine(item)}\n`));
    if (shown < destructive.length) out.force(`- … ${plural(destructive.length - shown, "more destructive change")} (see the JSON report)\n`);
  }

  // Each block also has a compact form (no diffs) used when the full one no longer fits; the
  // first block whose compact form does not fit either ends the comment.
  const omitted: string[] = [];
  const shortened: string[] = [];
  const blocks: { name: string; text: string; compact?: string }[] = [];
  if (grouped.shared.length > 0) {
    blocks.push({ name: "", text: `\n### Changes shared by many tenants\n` });
    for (const shared of grouped.shared) {
      blocks.push({ name: `\`${shared.templateKey}\` (shared)`, text: sharedBlock(shared, maxDiffLines), compact: sharedBlock(shared, 0) });
    }
  }
  const sections = grouped.tenants.filter((section) => section.changes.length > 0 || section.impacted.length > 0);
  if (sections.length > 0) {
    blocks.push({ name: "", text: `\n### Per tenant\n` });
    for (const section of sections) {
      const graph = options.graphs !== false && section.impacted.length > 0 ? formatGraphMermaid(impactGraph(report, section), { highlight: changedKeys(report, section) }) : undefined;
      const name = `${tenantName(section.tenant)}${withEnv ? ` (${section.env})` : ""}`;
      blocks.push({ name, text: tenantBlock(section, withEnv, maxDiffLines, graph), compact: tenantBlock(section, withEnv, 0, undefined) });
    }
  }
  let cut = false;
  for (const block of blocks) {
    if (!cut && out.add(block.text)) continue;
    if (!cut && block.compact !== undefined && out.add(block.compact)) {
      shortened.push(block.name);
      continue;
    }
    cut = true;
    if (block.name) omitted.push(block.name);
  }
  if (omitted.length > 0 || out.cutAnything) {
    const list = (names: string[]) => `${names.slice(0, 8).join(", ")}${names.length > 8 ? ` and ${names.length - 8} more` : ""}`;
    const how = options.fullReportCommand ? ` Run \`${options.fullReportCommand}\` for the full report.` : "";
    const parts = [
      shortened.length > 0 ? `diffs of ${list(shortened)} left out` : "",
      omitted.length > 0 ? `details of ${list(omitted)} left out` : "",
      omitted.length === 0 && shortened.length === 0 ? "some rows left out" : "",
    ].filter(Boolean);
    const note = `\n> [!NOTE]\n> Cut to stay under ${budget.toLocaleString("en-US")} characters: ${parts.join("; ")}.${how}\n`;
    out.force(note.length <= noteReserve ? note : `\n> [!NOTE]\n> Cut to stay under the size limit: ${plural(omitted.length + shortened.length, "section")} shortened or left out.\n`);
  }
  const text = out.text();
  // Safety net for pathological inputs (thousands of forced lines): never exceed the budget.
  return text.length <= budget ? text : `${text.slice(0, Math.max(0, budget - 40))}\n\n… (cut at the size limit)\n`;
}

function verdict(report: ImpactReport): string {
  const { summary } = report;
  const behavioural = summary.added + summary.removed + summary.modified;
  const destructive = destructiveItems(report).reduce((sum, item) => sum + item.flows.length, 0);
  const impacted = report.impacted.length > 0 ? `; ${report.impacted.length} downstream impacted` : "";
  if (report.changes.length === 0) return `**flowops impact: no deployed flow changes.**`;
  const inTenants = summary.tenants > 0 ? ` in ${plural(summary.tenants, "tenant")}` : "";
  if (behavioural === 0) return `**flowops impact: no behaviour change**: ${plural(summary.cosmetic, "flow")}${inTenants} change only in comments or layout.`;
  const counts = countsText({ added: summary.added, modified: summary.modified, removed: summary.removed, cosmetic: summary.cosmetic });
  const warning = destructive > 0 ? `⚠️ ${destructive} destructive; ` : "";
  return `**flowops impact: ${plural(report.changes.length, "flow change")}${inTenants}**: ${warning}${counts}${impacted}.`;
}

function destructiveLine(item: DestructiveItem): string {
  const tenants = item.flows.map((flow) => flow.tenant).filter((tenant): tenant is string => tenant !== null);
  const what = item.what === "trigger removed" ? `**trigger removed** (\`${item.detail}\`)` : `**${item.what}**`;
  if (tenants.length <= 1) {
    const flow = item.flows[0] as FlowChange;
    return `${what}: \`${flow.namespace}/${flow.id}\`${flow.tenant ? ` (${flow.tenant}, ${flow.env})` : ` (${flow.env})`}${causesText(flow.causes)}`;
  }
  const names = tenants.slice(0, 12).map((tenant) => `\`${tenant}\``).join(", ");
  return `${what}: \`${item.templateKey}\` for ${plural(tenants.length, "tenant")} in ${item.env}: ${names}${tenants.length > 12 ? `, … ${tenants.length - 12} more` : ""}`;
}

function sharedBlock(shared: SharedChange, maxDiffLines: number): string {
  const names = shared.tenants.slice(0, 30).map((tenant) => `\`${tenant}\``).join(", ");
  const more = shared.tenants.length > 30 ? `, … ${shared.tenants.length - 30} more` : "";
  const downstream =
    shared.downstream.length > 0
      ? `\nImpacted downstream (in the tenants that have them): ${shared.downstream.slice(0, 20).map((name) => `\`${name}\``).join(", ")}${shared.downstream.length > 20 ? `, … ${shared.downstream.length - 20} more` : ""}\n`
      : "";
  return [
    `\n<details><summary><code>${shared.templateKey}</code>: same change for ${plural(shared.tenants.length, "tenant")} (${shared.kind}${shared.flags.length > 0 ? `: ${shared.flags.join(", ")}` : ""}; ${shared.envs.join(", ")})</summary>\n`,
    maxDiffLines > 0
      ? `\nTenants: ${names}${more}${causesText(shared.causes)}. Diff for \`${shared.example.tenant}\`:\n\n${fenced(capLines(shared.diff, maxDiffLines))}\n`
      : `\nTenants: ${names}${more}${causesText(shared.causes)}. (Diff left out for size.)\n`,
    downstream,
    `</details>\n`,
  ].join("");
}

function changedKeys(report: ImpactReport, section: TenantSection): string[] {
  return report.changes.filter((change) => change.tenant === section.tenant && change.env === section.env).map((change) => `${change.namespace}/${change.id}`);
}

function tenantBlock(section: TenantSection, withEnv: boolean, maxDiffLines: number, graph: string | undefined): string {
  const title = `${section.tenant === null ? "flows" : `<code>${section.tenant}</code>`}${withEnv ? ` (${section.env})` : ""}: ${countsText(section.counts)}`;
  const parts = [`\n<details><summary>${title}</summary>\n`];
  if (maxDiffLines === 0 && section.changes.length > 0) parts.push(`\n(Diffs left out for size.)\n\n`);
  for (const { change, diff } of section.changes) {
    const flags = change.flags.length > 0 ? ` · ${change.flags.map((flag) => `\`${flag}\``).join(", ")}` : "";
    parts.push(
      maxDiffLines > 0
        ? `\n**${change.kind}** \`${change.namespace}/${change.id}\`${flags}${causesText(change.causes)}\n\n${fenced(capLines(diff, maxDiffLines))}\n`
        : `- **${change.kind}** \`${change.namespace}/${change.id}\`${flags}${causesText(change.causes)}\n`,
    );
  }
  if (section.shared.length > 0) {
    parts.push(`\nShared changes (above): ${section.shared.map((change) => `\`${change.templateKey}\``).join(", ")}\n`);
  }
  if (section.impacted.length > 0) {
    parts.push(`\nImpacted downstream:\n`);
    for (const flow of section.impacted) parts.push(`- \`${flow.namespace}/${flow.id}\` because ${flow.because.map((name) => `\`${name}\``).join(", ")} changed\n`);
    if (graph) parts.push(`\n\`\`\`mermaid\n${graph}\`\`\`\n`);
  }
  parts.push(`\n</details>\n`);
  return parts.join("");
}

function causesText(causes: readonly string[]): string {
  return causes.length > 0 ? ` · from ${causes.map((file) => `\`${file}\``).join(", ")}` : "";
}

function tenantName(tenant: string | null): string {
  return tenant === null ? "(no tenant)" : `\`${tenant}\``;
}

/** A diff in a fence longer than any backtick run inside it. */
function fenced(diff: string): string {
  const longest = Math.max(2, ...[...diff.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}diff\n${diff}\n${fence}`;
}

/** Appends text while it fits; `force` always appends (the verdict and table head are never cut). */
class OutputBudget {
  private readonly parts: string[] = [];
  private size = 0;
  cutAnything = false;
  constructor(private readonly limit: number) {}
  force(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }
  add(text: string): boolean {
    if (this.size + text.length > this.limit) {
      this.cutAnything = true;
      return false;
    }
    this.force(text);
    return true;
  }
  /** Adds items in order until one does not fit; returns how many were added. */
  addAll(texts: readonly string[]): number {
    let count = 0;
    for (const text of texts) {
      if (!this.add(text)) break;
      count += 1;
    }
    return count;
  }
  text(): string {
    return this.parts.join("");
  }
}
