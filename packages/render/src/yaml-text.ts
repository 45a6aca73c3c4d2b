/**
 * Writing values into YAML text. Every function returns text that YAML (1.1 and 1.2 parsers alike:
 * Kestra reads flows with Jackson's YAML parser) reads back as exactly the given value.
 */

const KEYWORDS_1_1_AND_1_2 = /^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|<<|=)$/;
const LONGEST_KEYWORD = 5;

/** Characters a plain-safe string may hold after its first: `[A-Za-z0-9_./@:+-]` (space handled apart). */
const PLAIN_BODY = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./@:+-") PLAIN_BODY[ch.charCodeAt(0)] = 1;
const SPACE = 0x20;
const COLON = 0x3a;

/**
 * True when `s` can stay a plain (unquoted) scalar in any context and still read back as this string:
 * it starts with `[A-Za-z_/]` (so no number, date, sexagesimal or `.inf` in YAML 1.1), holds only
 * `[A-Za-z0-9_./@:+-]` and single spaces between words, is no keyword of YAML 1.1 or 1.2, and has
 * no `: ` and no trailing `:`. One pass over the characters: this runs for every rendered value.
 */
export function isPlainSafe(s: string): boolean {
  const length = s.length;
  if (length === 0) return false;
  const first = s.charCodeAt(0);
  if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a) || first === 0x5f || first === 0x2f)) return false;
  for (let i = 1; i < length; i++) {
    const c = s.charCodeAt(i);
    if (c === SPACE) {
      // A space is allowed only between two words, never after a colon (`: `).
      if (i === length - 1 || s.charCodeAt(i + 1) === SPACE || s.charCodeAt(i - 1) === COLON) return false;
    } else if (c >= 128 || PLAIN_BODY[c] !== 1) return false;
  }
  if (s.charCodeAt(length - 1) === COLON) return false;
  return length > LONGEST_KEYWORD || !KEYWORDS_1_1_AND_1_2.test(s);
}

/**
 * Whether a string has a character double quotes must escape: `"`, backslash, C0 and C1 controls,
 * DEL, line and paragraph separators, BOM, U+FFFE, U+FFFF and any surrogate. One pass over the
 * UTF-16 units (this runs for every quoted value).
 */
export function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return true;
    if (c < 0x7f) continue;
    if (c <= 0x9f || c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** A double-quoted YAML scalar; every character that is not plainly printable is escaped. */
export function doubleQuoted(s: string): string {
  if (!needsEscape(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c === 0) out += "\\0";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c === 0x2028) out += "\\L";
    else if (c === 0x2029) out += "\\P";
    else if (c === 0xfeff || c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff)) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

/** A single-quoted scalar, or undefined when the string has characters single quotes cannot hold on one line. */
export function singleQuoted(s: string): string | undefined {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff)) {
      return undefined;
    }
  }
  return `'${s.replace(/'/g, "''")}'`;
}

/** A string in the style the template used where that style can hold it, else double-quoted. */
export function stringText(s: string, style: "PLAIN" | "QUOTE_SINGLE" | "QUOTE_DOUBLE" | string): string {
  if (style === "PLAIN" && isPlainSafe(s)) return s;
  if (style === "QUOTE_SINGLE") return singleQuoted(s) ?? doubleQuoted(s);
  return doubleQuoted(s);
}

/** Any JSON-like value as a one-line YAML flow node. */
export function flowText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return doubleQuoted(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return ".nan";
    if (value === Infinity) return ".inf";
    if (value === -Infinity) return "-.inf";
    if (Object.is(value, -0)) return "-0.0";
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(flowText).join(", ")}]`;
  if (value instanceof Date) return doubleQuoted(value.toISOString());
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${doubleQuoted(k)}: ${flowText(v)}`);
    return `{${entries.join(", ")}}`;
  }
  return doubleQuoted(String(value));
}

/**
 * A literal block scalar (`|` or `|-`) holding `s` at the given indentation, or undefined when
 * the string cannot be written that way without changing its value.
 */
export function literalBlock(s: string, header: string, indent: string): string | undefined {
  const keep = header.includes("-") ? "strip" : header.includes("+") ? "keep" : "clip";
  if (keep === "keep" || /[0-9]/.test(header)) return undefined;
  let body = s;
  if (keep === "clip") {
    if (!body.endsWith("\n") || body.endsWith("\n\n")) return undefined;
    body = body.slice(0, -1);
  } else if (body.endsWith("\n")) return undefined;
  const lines = body.split("\n");
  const first = lines.find((l) => l.length > 0);
  if (first === undefined || first.startsWith(" ") || first.startsWith("\t")) return undefined;
  if (lines[0] === "") return undefined;
  for (const ch of body) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && ch !== "\n" && ch !== "\t") || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff)) {
      return undefined;
    }
  }
  // Lines made only of spaces would be read as indentation, not content.
  if (lines.some((l) => l.length > 0 && l.trim() === "" )) return undefined;
  return header + "\n" + lines.map((l) => (l === "" ? "" : indent + l)).join("\n") + (keep === "clip" ? "\n" : "");
}
