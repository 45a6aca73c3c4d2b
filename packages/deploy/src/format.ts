import type { ActionReport, DeployProgress, DeployReport } from "./types.js";

const SYMBOL: Record<ActionReport["action"], string> = { create: "+", update: "~", delete: "-", unchanged: "=" };
const VERB: Record<ActionReport["action"], [planned: string, done: string]> = {
  create: ["create", "created"],
  update: ["update", "updated"],
  delete: ["delete", "deleted"],
  unchanged: ["unchanged", "unchanged"],
};

/** The report as the JSON document of `--format json` (DESIGN.md, "The CLI contract"). */
export function formatReportJson(report: DeployReport): string {
  return JSON.stringify(report, null, 2);
}

/**
 * A readable plan or deploy report, grouped by tenant with counts; unchanged flows are counted,
 * not listed. `mode` says whether actions are planned (plan) or carried out (deploy).
 */
export function formatReportText(report: DeployReport, mode: "plan" | "deploy" = report.actions.some((a) => a.status === "done") ? "deploy" : "plan"): string {
  const lines: string[] = [];
  const title = mode === "plan" ? "Plan" : "Deploy";
  lines.push(`${title} for environment ${report.env} — Kestra ${report.kestra.version} at ${report.kestra.url}`);
  for (const problem of report.problems) lines.push(`  ! ${problem}`);
  const byTenant = new Map<string, ActionReport[]>();
  for (const action of report.actions) {
    const tenant = action.tenant ?? "(no tenant)";
    byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), action]);
  }
  for (const [tenant, actions] of byTenant) {
    lines.push("");
    lines.push(`${tenant}: ${counts(actions, mode)}`);
    for (const action of actions) {
      if (action.action === "unchanged") continue;
      lines.push(`  ${SYMBOL[action.action]} ${describe(action, mode)}`);
      if (action.diff) for (const line of action.diff.split("\n")) lines.push(`      ${line}`);
    }
  }
  if (report.unmanaged.length > 0) {
    lines.push("");
    lines.push(`Unmanaged flows in managed namespaces (no ownership label; never changed or deleted): ${report.unmanaged.length}`);
    for (const flow of report.unmanaged) lines.push(`  ? ${flow.namespace}/${flow.id}${flow.tenant ? ` (tenant ${flow.tenant})` : ""}`);
  }
  const s = report.summary;
  lines.push("");
  const totals = [counts(report.actions, mode)];
  if (s.drift > 0) totals.push(`${s.drift} drifted`);
  if (s.unmanaged > 0) totals.push(`${s.unmanaged} unmanaged`);
  lines.push(`Total: ${totals.join(", ")}${mode === "deploy" ? ` (${s.writes} write requests)` : ""}.`);
  const tenants = s.failedTenants.map((t) => t ?? "(no tenant)").join(", ");
  const held = report.actions.filter((a) => a.needsAdoption).length;
  const retryable = report.actions.some((a) => a.status === "failed" && !a.needsAdoption);
  if (s.failedTenants.length > 0) {
    if (mode === "plan") lines.push(`Tenants with blocked flows: ${tenants}.`);
    else lines.push(`Failed tenants: ${tenants}. Other tenants were deployed${retryable ? "; re-run to retry" : ""}.`);
  }
  if (held > 0) {
    lines.push(
      `${held} flow${held === 1 ? " is" : "s are"} held in Kestra without the ownership label; re-running will not help. Run \`flowops adopt --env ${report.env}\` to review the difference and hand ${held === 1 ? "it" : "them"} over.`,
    );
  }
  return lines.join("\n") + "\n";
}

/** One line per finished action, for progress on a terminal: `[12/40] ~ updated acme.bronze/load`. */
export function formatProgress(progress: DeployProgress): string {
  const action = progress.action;
  return `[${progress.completed}/${progress.total}] ${SYMBOL[action.action]} ${describe(action, "deploy")}`;
}

function describe(action: ActionReport, mode: "plan" | "deploy"): string {
  const [planned, done] = VERB[action.action];
  const name = `${action.namespace}/${action.id}`;
  const drift = action.drift ? " (drift: changed outside Git)" : "";
  if (action.status === "failed") return `${planned} ${name} ${mode === "plan" ? "BLOCKED" : "FAILED"}: ${action.error ?? "unknown error"}`;
  if (action.status === "skipped") return `${planned} ${name} skipped: ${action.reason ?? ""}`;
  return `${mode === "plan" ? planned : done} ${name}${drift}`;
}

function counts(actions: ActionReport[], mode: "plan" | "deploy"): string {
  // A deploy counts what it did; a plan counts what it would do.
  const n = (kind: ActionReport["action"]) => actions.filter((a) => a.action === kind && (mode === "plan" ? a.status !== "failed" && a.status !== "skipped" : a.status === "done")).length;
  const failed = actions.filter((a) => a.status === "failed").length;
  const skipped = actions.filter((a) => a.status === "skipped").length;
  const parts = mode === "plan" ? [`${n("create")} to create`, `${n("update")} to update`, `${n("delete")} to delete`] : [`${n("create")} created`, `${n("update")} updated`, `${n("delete")} deleted`];
  parts.push(`${n("unchanged")} unchanged`);
  if (skipped > 0) parts.push(`${skipped} skipped`);
  if (failed > 0) parts.push(`${failed} failed`);
  return parts.join(", ");
}
