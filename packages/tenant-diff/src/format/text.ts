import type { ImpactReport } from "../types.js";
import { countsText, destructiveItems, groupReport, plural } from "./grouping.js";
import { problemLines, PROBLEMS_NOTE } from "./problems.js";

export interface TextOptions {
  /** Print each flow's unified diff (default false). */
  diffs?: boolean;
  minGroupSize?: number;
}

/** The impact for a terminal: summary, destructive changes, shared changes, then per tenant. */
export function formatImpactText(report: ImpactReport, options: TextOptions = {}): string {
  const { summary } = report;
  const lines = [`flowops impact: ${report.base} -> ${report.head}${report.scope.mode === "incremental" ? " (incremental)" : ""}`];
  const problems = problemLines(report);
  if (problems.length > 0) {
    lines.push(`${plural(problems.length, "problem")}: ${PROBLEMS_NOTE}`, ...problems.map((line) => `  ${line}`), "");
  }
  if (report.changes.length === 0) {
    lines.push("No deployed flow changes.");
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    `${plural(report.changes.length, "flow change")}${summary.tenants > 0 ? ` in ${plural(summary.tenants, "tenant")}` : ""}: ${countsText({ ...summary, impacted: report.impacted.length })}; ${summary.unchanged} unchanged`,
  );
  const destructive = destructiveItems(report);
  if (destructive.length > 0) {
    lines.push("", "Destructive:");
    for (const item of destructive) {
      const detail = item.what === "trigger removed" ? ` (trigger ${item.detail})` : "";
      for (const flow of item.flows) lines.push(`  ${item.what.padEnd(16)} ${flow.namespace}/${flow.id}${detail}  [${flow.tenant ?? "-"}, ${flow.env}]`);
    }
  }
  const grouped = groupReport(report, options.minGroupSize ?? 2);
  if (grouped.shared.length > 0) {
    lines.push("", "Shared changes:");
    for (const shared of grouped.shared) {
      const flags = shared.flags.length > 0 ? ` [${shared.flags.join(", ")}]` : "";
      lines.push(`  ${shared.templateKey}: same change for ${plural(shared.tenants.length, "tenant")} (${shared.kind}${flags}, ${shared.envs.join(", ")}): ${shared.tenants.join(", ")}`);
      if (shared.causes.length > 0) lines.push(`    causes: ${shared.causes.join(", ")}`);
      if (shared.downstream.length > 0) lines.push(`    impacted downstream: ${shared.downstream.join(", ")}`);
      if (options.diffs) lines.push(indent(shared.diff, "    "));
    }
  }
  for (const section of grouped.tenants) {
    lines.push("", `${section.tenant ?? "(no tenant)"}${grouped.multipleEnvs ? ` (${section.env})` : ""}: ${countsText(section.counts)}`);
    for (const { change, diff } of section.changes) {
      const flags = change.flags.length > 0 ? ` [${change.flags.join(", ")}]` : "";
      lines.push(`  ${change.kind.padEnd(9)} ${change.namespace}/${change.id}${flags}${change.causes.length > 0 ? `  <- ${change.causes.join(", ")}` : ""}`);
      if (options.diffs) lines.push(indent(diff, "    "));
    }
    if (section.shared.length > 0) lines.push(`  shared    ${section.shared.map((change) => change.templateKey).join(", ")}`);
    for (const flow of section.impacted) lines.push(`  impacted  ${flow.namespace}/${flow.id}  <- ${flow.because.join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}
