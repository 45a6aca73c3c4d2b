/**
 * The small part of HCL's expression language a `kestra_flow` resource of the templatefile set-up
 * uses: strings with `${...}` interpolation, numbers, booleans, lists, objects, references to
 * `each.value`/`each.key`/`path.module`, and a few functions. Anything else is refused with its
 * reason, never guessed.
 */
export type HclExpression =
  | { kind: "literal"; value: string | number | boolean }
  | { kind: "template"; parts: (string | HclExpression)[] }
  | { kind: "list"; items: HclExpression[] }
  | { kind: "object"; entries: [string, HclExpression][] }
  | { kind: "call"; name: string; args: HclExpression[] }
  | { kind: "reference"; path: string[] };

export class HclSubsetError extends Error {
  constructor(
    message: string,
    /** Offset in the expression text where the problem is. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses one attribute value as hcl2json gives it: a string in HCL template syntax, or a literal. */
export function parseAttribute(value: unknown): HclExpression {
  if (typeof value === "number" || typeof value === "boolean") return { kind: "literal", value };
  if (typeof value !== "string") throw new HclSubsetError("a block or a map here is not supported (dynamic blocks and nested maps are out of the subset)", 0);
  return new Reader(value).template(undefined);
}

class Reader {
  at = 0;
  constructor(readonly text: string) {}

  /** Template text up to `end` (a quote) or the end of input. */
  template(end: string | undefined): HclExpression {
    const parts: (string | HclExpression)[] = [];
    let buffer = "";
    while (this.at < this.text.length) {
      const c = this.text[this.at]!;
      if (end !== undefined && c === end) break;
      if (this.text.startsWith("$${", this.at)) {
        buffer += "${";
        this.at += 3;
      } else if (this.text.startsWith("%%{", this.at)) {
        buffer += "%{";
        this.at += 3;
      } else if (this.text.startsWith("${", this.at)) {
        if (buffer) parts.push(buffer);
        buffer = "";
        this.at += 2;
        this.skipSpace();
        if (this.text[this.at] === "~") this.at++;
        parts.push(this.expression());
        this.skipSpace();
        if (this.text[this.at] === "~") this.at++;
        this.expect("}");
      } else if (this.text.startsWith("%{", this.at)) {
        throw new HclSubsetError("template directives (%{ }) in an attribute are not supported", this.at);
      } else if (end !== undefined && c === "\\") {
        const next = this.text[this.at + 1];
        const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
        if (next === undefined || !(next in escapes)) throw new HclSubsetError(`escape \\${next ?? ""} is not supported`, this.at);
        buffer += escapes[next];
        this.at += 2;
      } else {
        buffer += c;
        this.at++;
      }
    }
    if (buffer) parts.push(buffer);
    if (parts.length === 1 && typeof parts[0] !== "string") return parts[0]!;
    return { kind: "template", parts };
  }

  expression(): HclExpression {
    this.skipSpace();
    const start = this.at;
    const c = this.text[this.at];
    if (c === undefined) throw new HclSubsetError("expression expected", this.at);
    if (c === '"') {
      this.at++;
      const value = this.template('"');
      this.expect('"');
      return this.rejectOperators(value);
    }
    if (c === "[") {
      this.at++;
      const items: HclExpression[] = [];
      this.skipSpace(true);
      while (this.text[this.at] !== "]") {
        items.push(this.expression());
        this.skipSpace(true);
        if (this.text[this.at] === ",") this.at++;
        this.skipSpace(true);
        if (this.at >= this.text.length) throw new HclSubsetError("unterminated list", start);
      }
      this.at++;
      return { kind: "list", items };
    }
    if (c === "{") {
      this.at++;
      const entries: [string, HclExpression][] = [];
      this.skipSpace(true);
      while (this.text[this.at] !== "}") {
        const keyAt = this.at;
        let key: string;
        if (this.text[this.at] === '"') {
          const k = this.expression();
          if (k.kind !== "template" || k.parts.some((p) => typeof p !== "string")) throw new HclSubsetError("an object key must be a plain name or string", keyAt);
          key = k.parts.join("");
        } else {
          key = this.identifier();
        }
        this.skipSpace();
        if (this.text[this.at] !== "=" && this.text[this.at] !== ":") throw new HclSubsetError(`"=" expected after object key "${key}"`, this.at);
        this.at++;
        entries.push([key, this.expression()]);
        this.skipSpace(true);
        if (this.text[this.at] === ",") this.at++;
        this.skipSpace(true);
        if (this.at >= this.text.length) throw new HclSubsetError("unterminated object", start);
      }
      this.at++;
      return { kind: "object", entries };
    }
    if (c === "-" || /[0-9]/.test(c)) {
      const match = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.at));
      if (!match) throw new HclSubsetError("number expected", this.at);
      this.at += match[0].length;
      return this.rejectOperators({ kind: "literal", value: Number(match[0]) });
    }
    if (/[A-Za-z_]/.test(c)) {
      const name = this.identifier();
      if (name === "true" || name === "false") return { kind: "literal", value: name === "true" };
      this.skipSpace();
      if (this.text[this.at] === "(") {
        this.at++;
        const args: HclExpression[] = [];
        this.skipSpace(true);
        while (this.text[this.at] !== ")") {
          args.push(this.expression());
          this.skipSpace(true);
          if (this.text[this.at] === ",") this.at++;
          this.skipSpace(true);
          if (this.text.startsWith("...", this.at)) throw new HclSubsetError("argument expansion (...) is not supported", this.at);
          if (this.at >= this.text.length) throw new HclSubsetError(`unterminated call of ${name}()`, start);
        }
        this.at++;
        return this.rejectOperators({ kind: "call", name, args });
      }
      const path = [name];
      while (this.text[this.at] === ".") {
        this.at++;
        path.push(this.identifier());
      }
      if (this.text[this.at] === "[") throw new HclSubsetError(`indexing ${path.join(".")}[...] is not supported`, this.at);
      return this.rejectOperators({ kind: "reference", path });
    }
    throw new HclSubsetError(`"${c}" starts an expression outside the supported subset (operators, conditionals and for expressions are not supported)`, this.at);
  }

  private rejectOperators(expression: HclExpression): HclExpression {
    const save = this.at;
    this.skipSpace();
    const next = this.text[this.at];
    if (next !== undefined && /[-+*/%?<>!=&|]/.test(next) && !this.text.startsWith("=>", this.at)) {
      throw new HclSubsetError(`operator "${next}" is not supported in this subset`, this.at);
    }
    this.at = save;
    return expression;
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.at));
    if (!match) throw new HclSubsetError("name expected", this.at);
    this.at += match[0].length;
    return match[0];
  }

  private skipSpace(newlines = false): void {
    while (this.at < this.text.length) {
      const c = this.text[this.at]!;
      if (c === " " || c === "\t" || (newlines && (c === "\n" || c === "\r"))) this.at++;
      else if (newlines && c === "#") while (this.at < this.text.length && this.text[this.at] !== "\n") this.at++;
      else break;
    }
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.text[this.at] !== c) throw new HclSubsetError(`"${c}" expected`, this.at);
    this.at++;
  }
}

export type HclValue = string | number | boolean | HclValue[] | { [key: string]: HclValue } | TemplateFileCall;

/** `templatefile(path, vars)`, kept as a call: the importer reads the template, it does not paste text. */
export interface TemplateFileCall {
  templatefile: string;
  vars: Record<string, HclValue>;
}

export interface HclScope {
  each?: { key: string; value: string };
  /** Files under the module folder, for fileset(); module-relative, forward slashes. */
  files: readonly string[];
}

/** Evaluates a parsed expression in the supported subset. */
export function evaluateHcl(expression: HclExpression, scope: HclScope): HclValue {
  switch (expression.kind) {
    case "literal":
      return expression.value;
    case "template": {
      let text = "";
      for (const part of expression.parts) {
        if (typeof part === "string") text += part;
        else {
          const value = evaluateHcl(part, scope);
          if (typeof value === "object") throw new HclSubsetError("a list, object or templatefile() inside a string is not supported", 0);
          text += String(value);
        }
      }
      return text;
    }
    case "list":
      return expression.items.map((item) => evaluateHcl(item, scope));
    case "object":
      return Object.fromEntries(expression.entries.map(([key, value]) => [key, evaluateHcl(value, scope)]));
    case "reference":
      return reference(expression.path, scope);
    case "call":
      return call(expression.name, expression.args.map((arg) => evaluateHcl(arg, scope)), scope);
  }
}

function reference(path: string[], scope: HclScope): HclValue {
  const name = path.join(".");
  if (name === "path.module" || name === "path.root") return ".";
  if ((name === "each.value" || name === "each.key") && scope.each) return name === "each.value" ? scope.each.value : scope.each.key;
  if (path[0] === "each") throw new HclSubsetError(`${name} outside a for_each resource`, 0);
  throw new HclSubsetError(`reference ${name} is not supported (variables, locals and other resources are read by Terraform, not by the importer); write the value in place`, 0);
}

function str(value: HclValue, fn: string): string {
  if (typeof value === "object") throw new HclSubsetError(`${fn}() expects a string`, 0);
  return String(value);
}

function call(name: string, args: HclValue[], scope: HclScope): HclValue {
  const arity = (n: number) => {
    if (args.length !== n) throw new HclSubsetError(`${name}() takes ${n} argument(s), got ${args.length}`, 0);
  };
  switch (name) {
    case "templatefile": {
      arity(2);
      const vars = args[1];
      if (vars === null || typeof vars !== "object" || Array.isArray(vars) || "templatefile" in vars) throw new HclSubsetError("templatefile() variables must be an object written in place", 0);
      return { templatefile: normalise(str(args[0]!, name)), vars: vars as Record<string, HclValue> };
    }
    case "fileset": {
      arity(2);
      const dir = normalise(str(args[0]!, name));
      const pattern = globRegExp(str(args[1]!, name));
      const prefix = dir === "" ? "" : `${dir}/`;
      return scope.files.filter((f) => f.startsWith(prefix) && pattern.test(f.slice(prefix.length))).map((f) => f.slice(prefix.length)).sort();
    }
    case "toset":
      arity(1);
      if (!Array.isArray(args[0])) throw new HclSubsetError("toset() expects a list", 0);
      return [...new Set(args[0].map((v) => str(v, name)))].sort();
    case "format": {
      if (args.length === 0) throw new HclSubsetError("format() needs a format string", 0);
      const rest = args.slice(1);
      let i = 0;
      return str(args[0]!, name).replace(/%[sd%]/g, (spec) => {
        if (spec === "%%") return "%";
        if (i >= rest.length) throw new HclSubsetError("format(): more verbs than arguments", 0);
        return str(rest[i++]!, name);
      });
    }
    case "dirname": {
      arity(1);
      const path = str(args[0]!, name);
      const at = path.lastIndexOf("/");
      return at < 0 ? "." : path.slice(0, at);
    }
    case "basename":
      arity(1);
      return str(args[0]!, name).split("/").pop()!;
    case "trimsuffix": {
      arity(2);
      const [s, suffix] = [str(args[0]!, name), str(args[1]!, name)];
      return s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
    }
    case "trimprefix": {
      arity(2);
      const [s, prefix] = [str(args[0]!, name), str(args[1]!, name)];
      return s.startsWith(prefix) ? s.slice(prefix.length) : s;
    }
    case "replace": {
      arity(3);
      const [s, from, to] = [str(args[0]!, name), str(args[1]!, name), str(args[2]!, name)];
      if (from.startsWith("/") && from.endsWith("/")) throw new HclSubsetError("replace() with a regular expression is not supported", 0);
      return s.split(from).join(to);
    }
    case "lower":
      arity(1);
      return str(args[0]!, name).toLowerCase();
    case "upper":
      arity(1);
      return str(args[0]!, name).toUpperCase();
    default:
      throw new HclSubsetError(`function ${name}() is not supported (supported: templatefile, fileset, toset, format, dirname, basename, trimsuffix, trimprefix, replace, lower, upper)`, 0);
  }
}

/** `./flows/x` and `flows/x/` -> `flows/x`; `.` -> ``. */
function normalise(path: string): string {
  return path
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
}

/** Terraform's fileset() glob: `*` within a segment, `**` across segments, `?`, `{a,b}`. */
function globRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (pattern.startsWith("**/", i)) {
      source += "(?:.*/)?";
      i += 2;
    } else if (pattern.startsWith("**", i)) {
      source += ".*";
      i += 1;
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "{") {
      const close = pattern.indexOf("}", i);
      if (close < 0) throw new HclSubsetError(`fileset() pattern "${pattern}": unterminated {`, 0);
      source += `(?:${pattern.slice(i + 1, close).split(",").map(escapeRegExp).join("|")})`;
      i = close;
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
