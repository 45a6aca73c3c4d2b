import type { ApprovalDecision } from "./approvals.js";
import type { DeployOutcome, ImpactOutcome, LintDiagnostic, LintOutcome, RepositoryPolicy } from "./types.js";

const LISTED_DIAGNOSTICS = 20;

export interface PullRequestReportInput {
  lint: LintOutcome;
  impact: ImpactOutcome | null;
  impactError: string | null;
  policy: RepositoryPolicy;
  baseRef: string;
  headSha: string;
  mergeBaseSha: string;
}

/** The one-line verdict of a PR check (also the check run's title). */
export function pullRequestTitle(input: Pick<PullRequestReportInput, "lint" | "impact" | "impactError">): string {
  const warnings = input.lint.diagnostics.filter((d) => d.severity === "warning").length;
  const lint = input.lint.errorCount > 0
    ? `${input.lint.errorCount} lint error${input.lint.errorCount === 1 ? "" : "s"}`
    : `no lint errors${warnings ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}`;
  if (input.impactError) return `${lint}; impact could not be computed`;
  if (!input.impact) return lint;
  const { added, removed, modified, cosmetic, tenants } = input.impact.summary;
  const changed = added + removed + modified + cosmetic;
  return changed === 0 ? `${lint}; no deployed flow changes` : `${lint}; ${changed} flow${changed === 1 ? "" : "s"} change in ${tenants} tenant${tenants === 1 ? "" : "s"}`;
}

/** The sticky PR comment: verdict, lint findings, the impact report, and the base policy. */
export function pullRequestComment(input: PullRequestReportInput): string {
  const failed = input.lint.errorCount > 0 || input.impactError !== null;
  const lines = [`### ${failed ? "❌" : "✅"} flowops: ${pullRequestTitle(input)}`, ""];
  if (input.lint.diagnostics.length > 0) lines.push(diagnosticsTable(input.lint.diagnostics), "");
  if (input.impactError) lines.push("**Impact could not be computed:**", "", "```text", input.impactError, "```", "");
  if (input.impact) lines.push(input.impact.markdown.trim(), "");
  const protectedTouched = (input.impact?.changedTenants ?? []).filter((tenant) => input.policy.protectedTenants.includes(tenant));
  if (protectedTouched.length > 0) {
    lines.push(`> ⚠️ This change touches protected tenant${protectedTouched.length === 1 ? "" : "s"}: ${protectedTouched.map((t) => `\`${t}\``).join(", ")}.`, "");
  }
  const approvals = input.policy.approvals;
  lines.push(
    "---",
    `<sub>Head \`${input.headSha.slice(0, 12)}\` compared with the merge base \`${input.mergeBaseSha.slice(0, 12)}\`. ` +
      `Merging into \`${input.policy.deployBranch}\` deploys to \`${input.policy.environments[0] ?? "the first environment"}\`` +
      ` after ${approvals} approval${approvals === 1 ? "" : "s"} (policy read from \`${input.baseRef}\`, not from this PR).</sub>`,
  );
  return lines.join("\n");
}

/** The check run's summary: counts only (the full report is in `text` and in the PR comment). */
export function pullRequestCheckSummary(input: PullRequestReportInput): string {
  const errors = input.lint.errorCount;
  const warnings = input.lint.diagnostics.filter((d) => d.severity === "warning").length;
  const infos = input.lint.diagnostics.filter((d) => d.severity === "info").length;
  const lines = ["| lint errors | warnings | notices |", "| ---: | ---: | ---: |", `| ${errors} | ${warnings} | ${infos} |`, ""];
  if (input.impact) {
    const s = input.impact.summary;
    lines.push(
      "| added | removed | modified | cosmetic | unchanged | tenants changed |",
      "| ---: | ---: | ---: | ---: | ---: | ---: |",
      `| ${s.added} | ${s.removed} | ${s.modified} | ${s.cosmetic} | ${s.unchanged} | ${s.tenants} |`,
    );
  }
  if (input.impactError) lines.push(`Impact could not be computed: ${input.impactError}`);
  if (input.lint.diagnostics.length > 0) lines.push("", diagnosticsTable(input.lint.diagnostics));
  return lines.join("\n");
}

function diagnosticsTable(diagnostics: readonly LintDiagnostic[]): string {
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...diagnostics].sort((a, b) => order[a.severity] - order[b.severity] || a.file.localeCompare(b.file) || a.line - b.line);
  const rows = sorted.slice(0, LISTED_DIAGNOSTICS).map((d) => {
    const tenants = d.tenants?.length ? ` (${d.tenants.length === 1 ? d.tenants[0] : `${d.tenants.length} tenants`})` : "";
    return `| ${d.severity} | \`${d.file}:${d.line}:${d.column}\` | ${escapeCell(d.message)}${tenants} | \`${d.rule}\` |`;
  });
  const more = sorted.length > LISTED_DIAGNOSTICS ? [`\n…and ${sorted.length - LISTED_DIAGNOSTICS} more: see the annotations of the \`flowops\` check.`] : [];
  return ["| severity | where | what | rule |", "| --- | --- | --- | --- |", ...rows, ...more].join("\n");
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

export interface DeployReportInput {
  env: string;
  sha: string;
  pullRequest: { number: number } | null;
  decision: ApprovalDecision;
  outcome: DeployOutcome | null;
  logUrl?: string;
}

/** The result comment on the merged PR (and the deploy job summary). */
export function deployReport(input: DeployReportInput): string {
  const { env, sha, decision, outcome } = input;
  const lines: string[] = [];
  if (!decision.allowed) {
    lines.push(`### ⛔ flowops: deploy of \`${sha.slice(0, 12)}\` to \`${env}\` refused`, "", decision.reason, "", "Nothing was deployed.");
  } else if (outcome) {
    const failed = outcome.perTenant.filter((t) => !t.ok);
    lines.push(
      outcome.ok
        ? `### ✅ flowops: deployed \`${sha.slice(0, 12)}\` to \`${env}\``
        : `### ❌ flowops: deploy of \`${sha.slice(0, 12)}\` to \`${env}\` failed for ${failed.length} tenant${failed.length === 1 ? "" : "s"}`,
      "",
      decision.reason,
      "",
    );
    if (outcome.perTenant.length > 0) {
      lines.push("| tenant | result | created | updated | deleted | unchanged |", "| --- | --- | ---: | ---: | ---: | ---: |");
      for (const t of outcome.perTenant) {
        const result = t.ok ? "✅ ok" : `❌ ${escapeCell(t.error ?? "failed")}`;
        lines.push(`| ${t.tenant ?? "(all)"} | ${result} | ${t.created ?? 0} | ${t.updated ?? 0} | ${t.deleted ?? 0} | ${t.unchanged ?? 0} |`);
      }
      lines.push("");
    }
    if (outcome.text.trim()) lines.push("<details><summary>Deploy log</summary>", "", "```text", outcome.text.trim(), "```", "", "</details>", "");
  }
  if (input.logUrl) lines.push(`<sub>[Workflow run](${input.logUrl})</sub>`);
  return lines.join("\n").trim();
}
