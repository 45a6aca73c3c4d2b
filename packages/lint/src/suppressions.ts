/** `# flowops-disable-next-line rule-a, rule-b` (no rule ids: every rule). */
const DIRECTIVE = /#\s*flowops-disable-next-line\b([^\n]*)/;

/** Rules silenced per 1-based line of a file: a set of rule ids, or `all`. */
export type Suppressions = ReadonlyMap<number, ReadonlySet<string> | "all">;

/** Reads the `flowops-disable-next-line` comments of a file. */
export function parseSuppressions(text: string): Suppressions {
  const out = new Map<number, Set<string> | "all">();
  if (!text.includes("flowops-disable-next-line")) return out;
  const lines = text.split(/\r?\n/);
  lines.forEach((lineText, index) => {
    const match = DIRECTIVE.exec(lineText);
    if (!match) return;
    const ids = (match[1] ?? "")
      .split(/--/)[0]!
      .split(/[\s,]+/)
      .filter((id) => id.length > 0);
    const target = index + 2;
    out.set(target, ids.length === 0 ? "all" : new Set(ids));
  });
  return out;
}

export function isSuppressed(suppressions: Suppressions, line: number, rule: string): boolean {
  const entry = suppressions.get(line);
  return entry === "all" || (entry !== undefined && entry.has(rule));
}
