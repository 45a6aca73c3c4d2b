/**
 * `${path}` placeholders inside a string scalar. `$${` writes a literal `${`. Kestra's own
 * `{{ ... }}` expressions are plain text here.
 */
export type ScalarPart = { kind: "text"; text: string } | { kind: "path"; path: string[]; raw: string; offset: number };

export class PlaceholderError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const PATH_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$/;

/** Quick test before the full parse: most scalars have no `${` at all. */
export function hasPlaceholderSyntax(text: string): boolean {
  return text.includes("${");
}

/** Splits a scalar into text and placeholders; throws PlaceholderError with the offset of a malformed one. */
export function parsePlaceholders(text: string): ScalarPart[] {
  const parts: ScalarPart[] = [];
  let buffer = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      buffer += "${";
      i += 3;
      continue;
    }
    if (text.startsWith("${", i)) {
      const close = text.indexOf("}", i + 2);
      if (close < 0) throw new PlaceholderError(`unterminated placeholder "${text.slice(i, i + 40)}": add the closing "}" (or write "$\${" for a literal "\${")`, i);
      const raw = text.slice(i + 2, close).trim();
      if (!PATH_PATTERN.test(raw)) {
        throw new PlaceholderError(`"\${${raw}}" is not a placeholder path; use a dotted path such as \${tenant.code} or \${env.vars.bucket}`, i);
      }
      if (buffer) parts.push({ kind: "text", text: buffer });
      buffer = "";
      parts.push({ kind: "path", path: raw.split(".").map(internalized), raw, offset: i });
      i = close + 1;
      continue;
    }
    buffer += text[i];
    i++;
  }
  if (buffer) parts.push({ kind: "text", text: buffer });
  return parts;
}

/**
 * The same string as V8 keeps a property name (internalized): reads and stores keyed by it, run
 * for every render, then compare names by identity instead of looking the string up first.
 */
export function internalized(name: string): string {
  return Object.keys({ [name]: true })[0] ?? name;
}
