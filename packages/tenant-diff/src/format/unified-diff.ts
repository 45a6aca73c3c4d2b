import { createTwoFilesPatch } from "diff";
import type { FlowChange } from "../types.js";

/** Unified diff (3 lines of context) of a change's rendered source, without the `Index`/`===` preamble. */
export function unifiedDiff(change: FlowChange): string {
  const name = `${change.namespace}/${change.id}.yaml`;
  const patch = createTwoFilesPatch(
    change.before === undefined ? "/dev/null" : `a/${name}`,
    change.after === undefined ? "/dev/null" : `b/${name}`,
    change.before ?? "",
    change.after ?? "",
    undefined,
    undefined,
    { context: 3 },
  );
  return patch
    .split("\n")
    .filter((line) => !/^={10,}$/.test(line))
    .join("\n")
    .trimEnd();
}

/** The diff with the tenant code masked, so identical changes of many tenants compare equal. */
export function tenantNeutralDiff(diff: string, tenant: string | null): string {
  if (tenant === null || tenant === "") return diff;
  const escaped = tenant.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return diff.replace(new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`, "g"), "\u0000tenant\u0000");
}

/** Keeps at most `maxLines` lines, saying how many were cut. */
export function capLines(text: string, maxLines: number): string {
  const lines = text.split("\n");
  if (lines.length <= maxLines) return text;
  return [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more lines`].join("\n");
}
