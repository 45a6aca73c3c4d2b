import { createHash } from "node:crypto";
import { redact } from "@flowops/redact";
import type { DriftKind, FlowDrift } from "./types.js";

/** The label of drift issues: the lookup lists open issues with it (and the App as creator). */
export const DRIFT_LABEL = "flowops-drift";
/** Flows listed in an issue body; the rest are counted. */
export const DRIFT_ISSUE_FLOWS = 50;
/** Flows listed in a check run summary; the rest are counted. */
export const DRIFT_CHECK_FLOWS = 20;
/** GitHub refuses issue bodies longer than this. */
const ISSUE_BODY_LIMIT = 65_536;

/** The one open issue per environment that carries its drift, e.g. `flowops drift: staging`. */
export function driftIssueTitle(env: string): string {
  return `flowops drift: ${env}`;
}

/** The check run on the deployed commit, e.g. `flowops drift (staging)`. */
export function driftCheckName(env: string): string {
  return `flowops drift (${env})`;
}

/**
 * What identifies one drift, whatever order the plan listed it in: a hash over the sorted entries
 * (environment, namespace, id, kind, and the live source's hash or revision). Two passes that see
 * the same drift get the same fingerprint; another edit of a drifted flow changes it.
 */
export function driftFingerprint(env: string, drift: readonly FlowDrift[]): string {
  const lines = drift.map((d) => [env, d.namespace, d.id, d.kind, d.liveHash ?? (d.liveRevision === undefined ? "-" : `r${d.liveRevision}`)].join("\t")).sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 32);
}

/** What a drift issue remembers in its body, so the next pass (or another replica) knows what it reported. */
export interface DriftMarker {
  env: string;
  fingerprint: string;
  /** The deployed commit the drift was measured against. */
  sha: string;
  /** A self-heal of exactly this drift failed: it is not tried again until the drift changes. */
  healFailed: boolean;
}

export function driftMarker(marker: DriftMarker): string {
  return `<!-- flowops:drift env=${marker.env} fingerprint=${marker.fingerprint} sha=${marker.sha}${marker.healFailed ? " heal=failed" : ""} -->`;
}

const MARKER = /<!-- flowops:drift env=(\S+) fingerprint=([0-9a-f]+) sha=([0-9a-f]+)( heal=failed)? -->/;

/** The marker of an issue body, or null when it has none (or one of another environment). */
export function parseDriftMarker(body: string | null | undefined, env: string): DriftMarker | null {
  const match = MARKER.exec(body ?? "");
  if (!match || match[1] !== env) return null;
  return { env, fingerprint: match[2]!, sha: match[3]!, healFailed: match[4] !== undefined };
}

const KIND_TEXT: Record<DriftKind, string> = {
  changed: "changed in Kestra",
  missing: "missing from Kestra",
  "not-in-git": "in Kestra, no longer rendered by Git",
};

/** `2 changed in Kestra, 1 missing from Kestra`. */
export function driftCounts(drift: readonly FlowDrift[]): string {
  const counts = new Map<DriftKind, number>();
  for (const d of drift) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  return (["changed", "missing", "not-in-git"] as const)
    .filter((kind) => counts.has(kind))
    .map((kind) => `${counts.get(kind)} ${KIND_TEXT[kind]}`)
    .join(", ");
}

/** A Markdown table of at most `cap` drifted flows by namespace and id; past the cap, how many more. */
export function driftTable(drift: readonly FlowDrift[], cap: number, env: string): string {
  const sorted = [...drift].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.id.localeCompare(b.id));
  const rows = sorted.slice(0, cap).map((d) => {
    const revision = d.liveRevision === undefined ? "" : ` (revision ${d.liveRevision})`;
    return `| \`${cell(d.namespace)}\` | \`${cell(d.id)}\` | ${d.tenant === null ? "" : cell(d.tenant)} | ${KIND_TEXT[d.kind]}${revision} |`;
  });
  const more = sorted.length > cap ? [``, `… and ${sorted.length - cap} more (\`flowops plan --env ${env} --diff\` lists every one).`] : [];
  return ["| namespace | flow | tenant | drift |", "| --- | --- | --- | --- |", ...rows, ...more].join("\n");
}

export interface DriftReportInput {
  env: string;
  /** The deployed commit the drift was measured against. */
  sha: string;
  branch: string;
  drift: readonly FlowDrift[];
  selfHeal: boolean;
  prune: boolean;
  /** Flows a self-heal of this pass overwrote or deleted. */
  healed?: readonly FlowDrift[];
  /** Why this pass's self-heal did not finish. */
  healError?: string;
  at: Date;
}

/** The body of the drift issue: marker, verdict, the capped table, and what happens next. */
export function driftIssueBody(input: DriftReportInput, marker: DriftMarker): string {
  const { env, sha, drift } = input;
  const notInGit = drift.some((d) => d.kind === "not-in-git");
  const next = input.selfHeal
    ? input.healError
      ? `\`deploy.selfHeal\` is on, but the self-heal of this drift did not finish: ${input.healError}. It is tried again when the drift changes; a deploy of \`${env}\` overwrites it too.`
      : `\`deploy.selfHeal\` is on: flowops overwrites changed and missing flows with what Git renders${notInGit ? (input.prune ? " and deletes flows Git no longer renders" : "; flows Git no longer renders stay, because `deploy.prune` is off: delete them in Kestra, or turn `deploy.prune` on") : ""}.`
    : `\`deploy.selfHeal\` is off in \`flowops.config.yaml\` at \`${short(sha)}\`, so flowops only reports: the next deploy of \`${env}\` overwrites changed and missing flows with Git${notInGit ? (input.prune ? " and deletes flows Git no longer renders" : "; flows Git no longer renders stay while `deploy.prune` is off") : ""}. To keep a change made in Kestra, bring it into the templates through a pull request.`;
  const healed = input.healed?.length ? [``, `Self-heal at ${input.at.toISOString()} overwrote ${input.healed.length} flow(s); what is listed above is what remains.`] : [];
  const text = [
    driftMarker(marker),
    `**Kestra differs from Git in \`${env}\`:** ${driftCounts(drift)}.`,
    ``,
    `Compared at ${input.at.toISOString()} with \`${short(sha)}\`, the tip of \`${input.branch}\` and the last successful flowops deployment of \`${env}\`. Only flows with the ownership label are compared.`,
    ``,
    driftTable(drift, DRIFT_ISSUE_FLOWS, env),
    ...healed,
    ``,
    next,
    ``,
    `\`flowops plan --env ${env} --diff\` at \`${short(sha)}\` shows each difference. This issue is edited in place when the drift changes and closed once Kestra matches Git.`,
  ].join("\n");
  return fit(redact(text), ISSUE_BODY_LIMIT);
}

/** The summary of the drift check run (shorter than the issue: it links to it). */
export function driftCheckSummary(input: DriftReportInput, issueUrl: string | null): string {
  const lines = [`${driftCounts(input.drift)} in \`${input.env}\` at \`${short(input.sha)}\`.`, ``, driftTable(input.drift, DRIFT_CHECK_FLOWS, input.env)];
  if (issueUrl) lines.push(``, `Details and what happens next: ${issueUrl}`);
  return fit(redact(lines.join("\n")), 65_535);
}

/** The comment that closes a drift issue. */
export function driftGoneComment(input: { env: string; sha: string; at: Date; healed?: readonly FlowDrift[] }): string {
  const healed = input.healed?.length ? ` Self-heal overwrote ${input.healed.length} flow(s):\n\n${driftTable(input.healed, DRIFT_ISSUE_FLOWS, input.env)}` : "";
  return redact(`Drift gone at ${input.at.toISOString()}, \`${short(input.sha)}\`: Kestra matches Git in \`${input.env}\`.${healed}`);
}

/** Names come from Kestra's answers (a tenant label is free text): only name characters reach the issue, so no markup, link or @mention. */
function cell(text: string): string {
  return text.replace(/[^\w.-]/g, "_");
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

function fit(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 40)}\n\n… (cut at GitHub's limit)`;
}
