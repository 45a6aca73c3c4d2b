/**
 * When two parsed flows mean the same thing. Key order never matters (a YAML mapping has none);
 * `description` texts are compared with whitespace runs collapsed, because Kestra shows them as
 * Markdown and a block scalar's style (`>-` or `|`), its line breaks and trailing newline are
 * layout, not meaning. Everything else must be deep-equal.
 */
export function documentsEquivalent(before: unknown, after: unknown): boolean {
  return valuesEquivalent(before, after, undefined);
}

function valuesEquivalent(a: unknown, b: unknown, key: string | undefined): boolean {
  if (a === b) return true;
  if (typeof a === "string" && typeof b === "string") {
    return key === "description" && normalizeProse(a) === normalizeProse(b);
  }
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    return a.every((item, index) => valuesEquivalent(item, b[index], undefined));
  }
  const aRecord = a as Record<string, unknown>;
  const bRecord = b as Record<string, unknown>;
  const aKeys = Object.keys(aRecord);
  if (aKeys.length !== Object.keys(bRecord).length) return false;
  return aKeys.every((k) => Object.hasOwn(bRecord, k) && valuesEquivalent(aRecord[k], bRecord[k], k));
}

function normalizeProse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The flow without some top-level keys (e.g. `labels`), for "only X changed" checks. */
export function withoutKeys(document: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...document };
  for (const key of keys) delete copy[key];
  return copy;
}
