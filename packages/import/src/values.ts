/** Structural equality of parsed YAML values (plain data: no functions, no cycles). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a as object);
  const bk = Object.keys(b as object);
  if (ak.length !== bk.length) return false;
  for (const key of ak) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Writes a literal `${` as `$${`, so the renderer leaves it as text. */
export function escapePlaceholders(text: string): string {
  return text.includes("${") ? text.replaceAll("${", () => "$${") : text;
}

/** The same value with every string escaped for a template (map keys are not substituted, so they stay). */
export function escapeValue(value: unknown): unknown {
  if (typeof value === "string") return escapePlaceholders(value);
  if (Array.isArray(value)) return value.map(escapeValue);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeValue(v)]));
  return value;
}

/**
 * camelCase from key-path segments: `["AWS_REGION", "value"]` -> `awsRegionValue`. Always a valid
 * placeholder path segment (starts with a letter).
 */
export function camelName(segments: readonly string[]): string {
  const words = segments.flatMap((s) => s.split(/[^A-Za-z0-9]+/)).filter(Boolean);
  const text = words
    .map((word, i) => {
      const w = word === word.toUpperCase() ? word.toLowerCase() : word;
      return i === 0 ? w[0]!.toLowerCase() + w.slice(1) : w[0]!.toUpperCase() + w.slice(1);
    })
    .join("");
  if (text === "") return "value";
  return /^[A-Za-z]/.test(text) ? text : `v${text}`;
}
