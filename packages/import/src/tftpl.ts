/**
 * Terraform template files (`*.yaml.tftpl`, the `templatefile()` language): a scanner, a faithful
 * evaluator of the subset the importer supports (`${name}`, `%{ if }`/`%{ else }`/`%{ endif }`,
 * `~` strip markers, `$${` and `%%{` escapes), and the conversion into a flowops template.
 */

export class TemplateSubsetError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token =
  | { kind: "text"; text: string; offset: number }
  | { kind: "interpolation"; name: string; offset: number; stripBefore: boolean; stripAfter: boolean }
  | { kind: "if"; condition: Condition; source: string; offset: number; end: number; stripBefore: boolean; stripAfter: boolean }
  | { kind: "else" | "endif"; offset: number; end: number; stripBefore: boolean; stripAfter: boolean };

export type Condition =
  | { kind: "var"; name: string }
  | { kind: "literal"; value: string | number | boolean }
  | { kind: "not"; operand: Condition }
  | { kind: "binary"; op: "==" | "!=" | "&&" | "||"; left: Condition; right: Condition };

/** Splits a template into text, interpolations and directives; `%{ for }` and anything else is refused. */
export function scanTemplate(text: string): Token[] {
  const tokens: Token[] = [];
  let buffer = "";
  let bufferStart = 0;
  let i = 0;
  const flush = () => {
    if (buffer) tokens.push({ kind: "text", text: buffer, offset: bufferStart });
    buffer = "";
  };
  while (i < text.length) {
    if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      if (!buffer) bufferStart = i;
      buffer += text.slice(i, i + 3);
      i += 3;
      continue;
    }
    const isInterpolation = text.startsWith("${", i);
    if (isInterpolation || text.startsWith("%{", i)) {
      const close = text.indexOf("}", i + 2);
      if (close < 0) throw new TemplateSubsetError(`unterminated ${isInterpolation ? "${" : "%{"}`, i);
      let inner = text.slice(i + 2, close);
      const stripBefore = inner.startsWith("~");
      const stripAfter = inner.endsWith("~");
      inner = inner.slice(stripBefore ? 1 : 0, stripAfter ? inner.length - 1 : inner.length).trim();
      flush();
      if (isInterpolation) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(inner)) {
          throw new TemplateSubsetError(`\${${inner}} is not supported: only a variable name can be interpolated (functions, operators and attribute access are out of the subset)`, i);
        }
        tokens.push({ kind: "interpolation", name: inner, offset: i, stripBefore, stripAfter });
      } else {
        const keyword = /^[a-z]+/.exec(inner)?.[0] ?? "";
        if (keyword === "for" || keyword === "endfor") {
          throw new TemplateSubsetError("%{ for } is not supported: a loop cannot be factored into one flow template; write the items out or give each its own var", i);
        }
        if (keyword === "if") {
          const source = inner.slice(2).trim();
          tokens.push({ kind: "if", condition: parseCondition(source, i), source, offset: i, end: close + 1, stripBefore, stripAfter });
        } else if ((keyword === "else" || keyword === "endif") && inner === keyword) {
          tokens.push({ kind: keyword, offset: i, end: close + 1, stripBefore, stripAfter });
        } else {
          throw new TemplateSubsetError(`directive %{ ${inner} } is not supported (only if, else and endif)`, i);
        }
      }
      i = close + 1;
      bufferStart = i;
      continue;
    }
    if (!buffer) bufferStart = i;
    buffer += text[i];
    i++;
  }
  flush();
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "if") depth++;
    else if (token.kind === "endif" && --depth < 0) throw new TemplateSubsetError("%{ endif } without %{ if }", token.offset);
    else if (token.kind === "else" && depth === 0) throw new TemplateSubsetError("%{ else } without %{ if }", token.offset);
  }
  if (depth !== 0) throw new TemplateSubsetError("%{ if } without %{ endif }", tokens.findLast((t) => t.kind === "if")!.offset);
  return tokens;
}

/** Evaluates a template with one resource's variables, as Terraform's templatefile() does. */
export function evaluateTemplate(tokens: readonly Token[], vars: Readonly<Record<string, unknown>>): string {
  let out = "";
  const active: boolean[] = [];
  let stripNext = false;
  const on = () => active.every(Boolean);
  for (const token of tokens) {
    const stripBefore = token.kind !== "text" && token.stripBefore;
    if (stripBefore) out = out.replace(/\s+$/, "");
    if (token.kind === "text") {
      if (on()) out += unescape(stripNext ? token.text.replace(/^\s+/, "") : token.text);
      stripNext = false;
      continue;
    }
    if (token.kind === "interpolation") {
      if (on()) {
        if (!(token.name in vars)) throw new TemplateSubsetError(`variable ${token.name} is not given to templatefile()`, token.offset);
        out += String(vars[token.name]);
      }
    } else if (token.kind === "if") active.push(truthy(evaluateCondition(token.condition, vars, token.offset), token.offset));
    else if (token.kind === "else") active.push(!active.pop()!);
    else active.pop();
    stripNext = token.stripAfter;
  }
  return out;
}

function unescape(text: string): string {
  return text.replaceAll("$${", () => "${").replaceAll("%%{", () => "%{");
}

function truthy(value: unknown, offset: number): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw new TemplateSubsetError(`condition is ${JSON.stringify(value)}, not a boolean (Terraform refuses it too); compare it, e.g. x == 1`, offset);
}

function evaluateCondition(condition: Condition, vars: Readonly<Record<string, unknown>>, offset: number): unknown {
  switch (condition.kind) {
    case "literal":
      return condition.value;
    case "var":
      if (!(condition.name in vars)) throw new TemplateSubsetError(`variable ${condition.name} is not given to templatefile()`, offset);
      return vars[condition.name];
    case "not":
      return !truthy(evaluateCondition(condition.operand, vars, offset), offset);
    case "binary": {
      const left = evaluateCondition(condition.left, vars, offset);
      if (condition.op === "&&") return truthy(left, offset) && truthy(evaluateCondition(condition.right, vars, offset), offset);
      if (condition.op === "||") return truthy(left, offset) || truthy(evaluateCondition(condition.right, vars, offset), offset);
      const right = evaluateCondition(condition.right, vars, offset);
      // Terraform compares values of one type; "1" == 1 is false there too.
      const equal = left === right;
      return condition.op === "==" ? equal : !equal;
    }
  }
}

/** Parses `src_cloud_aws == 1`, `!x`, `a && (b || c == "x")`. */
export function parseCondition(source: string, offset: number): Condition {
  const tokens = source.match(/\s*(==|!=|&&|\|\||[()!]|"(?:[^"\\]|\\.)*"|-?[0-9]+(?:\.[0-9]+)?|[A-Za-z_][A-Za-z0-9_]*|\S)/g) ?? [];
  const list = tokens.map((t) => t.trim());
  let at = 0;
  const fail = (why: string): never => {
    throw new TemplateSubsetError(`%{ if ${source} }: ${why} (supported: names, literals, ==, !=, !, &&, ||, parentheses)`, offset);
  };
  const primary = (): Condition => {
    const token = list[at++];
    if (token === undefined) return fail("condition ends early");
    if (token === "!") return { kind: "not", operand: primary() };
    if (token === "(") {
      const inner = or();
      if (list[at++] !== ")") fail('")" expected');
      return inner;
    }
    if (token.startsWith('"')) return { kind: "literal", value: JSON.parse(token) as string };
    if (/^-?[0-9]/.test(token)) return { kind: "literal", value: Number(token) };
    if (token === "true" || token === "false") return { kind: "literal", value: token === "true" };
    if (/^[A-Za-z_]/.test(token)) {
      if (list[at] === "(" || list[at] === ".") fail(`${token}${list[at]} is not supported`);
      return { kind: "var", name: token };
    }
    return fail(`unexpected "${token}"`);
  };
  const comparison = (): Condition => {
    const left = primary();
    const op = list[at];
    if (op === "==" || op === "!=") {
      at++;
      return { kind: "binary", op, left, right: primary() };
    }
    return left;
  };
  const and = (): Condition => {
    let left = comparison();
    while (list[at] === "&&") {
      at++;
      left = { kind: "binary", op: "&&", left, right: comparison() };
    }
    return left;
  };
  const or = (): Condition => {
    let left = and();
    while (list[at] === "||") {
      at++;
      left = { kind: "binary", op: "||", left, right: and() };
    }
    return left;
  };
  const result = or();
  if (at < list.length) fail(`unexpected "${list[at]}"`);
  return result;
}

/** Where a template variable goes in flowops: a render-context path, and how a 0/1 flag reads. */
export interface VariableTarget {
  path: string;
  /** A source flag: Terraform's 1/0 becomes true/false in the tenant file. */
  flag?: boolean;
}

/** Writes a condition in flowops `$when` syntax. */
export function conditionToWhen(condition: Condition, target: (name: string) => VariableTarget, offset: number): string {
  const write = (c: Condition, top: boolean): string => {
    switch (c.kind) {
      case "literal":
        return JSON.stringify(c.value);
      case "var":
        return target(c.name).path;
      case "not":
        return `!${write(c.operand, false)}`;
      case "binary": {
        if (c.op === "==" || c.op === "!=") {
          const flagSide = c.left.kind === "var" && target(c.left.name).flag ? c.left : c.right.kind === "var" && target(c.right.name).flag ? c.right : undefined;
          if (flagSide && flagSide.kind === "var") {
            const other = flagSide === c.left ? c.right : c.left;
            if (other.kind !== "literal" || ![0, 1, true, false].includes(other.value as number | boolean)) {
              throw new TemplateSubsetError(`a source flag (${flagSide.name}) can only be compared with 0, 1, true or false`, offset);
            }
            const set = other.value === 1 || other.value === true;
            const positive = c.op === "==" ? set : !set;
            return positive ? target(flagSide.name).path : `!${target(flagSide.name).path}`;
          }
          return `${write(c.left, false)} ${c.op} ${write(c.right, false)}`;
        }
        const text = `${write(c.left, false)} ${c.op} ${write(c.right, false)}`;
        return top ? text : `(${text})`;
      }
    }
  };
  return write(condition, true);
}

/** The variable names a template reads (interpolations and conditions). */
export function templateVariables(tokens: readonly Token[]): Set<string> {
  const names = new Set<string>();
  const visit = (c: Condition) => {
    if (c.kind === "var") names.add(c.name);
    else if (c.kind === "not") visit(c.operand);
    else if (c.kind === "binary") {
      visit(c.left);
      visit(c.right);
    }
  };
  for (const token of tokens) {
    if (token.kind === "interpolation") names.add(token.name);
    if (token.kind === "if") visit(token.condition);
  }
  return names;
}

/** The template's text with directives blanked and interpolations kept, same lines: YAML errors point at the .tftpl line. */
export function skeletonText(text: string, tokens: readonly Token[]): string {
  let out = text;
  for (const token of tokens) {
    if (token.kind === "if" || token.kind === "else" || token.kind === "endif") {
      out = out.slice(0, token.offset) + " ".repeat(token.end - token.offset) + out.slice(token.end);
    }
  }
  return out;
}

/**
 * Converts a template into flowops syntax: `${name}` -> `${<path>}`, and each `%{ if }` block that
 * stands on lines of its own and holds whole list items (mappings) or keys with a mapping value
 * -> `$when` in those mappings (`%{ else }` -> the negation). Anything else is refused with its offset.
 */
export function convertTemplate(text: string, tokens: readonly Token[], target: (name: string) => VariableTarget): string {
  const lines = splitLines(text);
  const lineOf = (offset: number) => lines.findIndex((l) => offset >= l.start && offset < l.start + l.text.length + 1);
  const directiveLines = new Set<number>();
  interface Block {
    when: string;
    from: number;
    to: number;
    offset: number;
  }
  const blocks: Block[] = [];
  const stack: { when: string; from: number; offset: number }[] = [];
  for (const token of tokens) {
    if (token.kind !== "if" && token.kind !== "else" && token.kind !== "endif") continue;
    const line = lineOf(token.offset);
    const l = lines[line]!;
    const own = l.text.slice(0, token.offset - l.start).trim() === "" && l.text.slice(token.end - l.start).trim() === "";
    if (!own) throw new TemplateSubsetError("a %{ } directive must stand on a line of its own to become a $when", token.offset);
    directiveLines.add(line);
    if (token.kind === "if") {
      stack.push({ when: conditionToWhen(token.condition, target, token.offset), from: line + 1, offset: token.offset });
    } else {
      const open = stack.pop()!;
      blocks.push({ when: open.when, from: open.from, to: line - 1, offset: open.offset });
      if (token.kind === "else") stack.push({ when: negate(open.when), from: line + 1, offset: token.offset });
    }
  }
  // Where `$when` lines go: before a line (list item: into the item; key: its first child line).
  const itemWhen = new Map<number, string[]>();
  const childWhen = new Map<number, { indent: string; when: string[] }>();
  let rootWhen: string[] = [];
  const contentLines = lines.map((_, i) => i).filter((i) => !directiveLines.has(i) && isContent(lines[i]!.text));
  for (const block of blocks) {
    const inside = contentLines.filter((i) => i >= block.from && i <= block.to);
    if (inside.length === 0) continue;
    if (inside[0] === contentLines[0] && inside[inside.length - 1] === contentLines[contentLines.length - 1] && indentOf(lines[inside[0]!]!.text) === 0) {
      rootWhen.push(block.when);
      continue;
    }
    const first = lines[inside[0]!]!.text;
    const indent = indentOf(first);
    const fail = (why: string): never => {
      throw new TemplateSubsetError(`the %{ if } block ${why}; it must wrap whole list items that are mappings, or keys whose value is a mapping`, block.offset);
    };
    const starts = inside.filter((i) => indentOf(lines[i]!.text) === indent);
    if (inside.some((i) => indentOf(lines[i]!.text) < indent)) fail("ends outside the level it starts at");
    if (/^\s*- /.test(first)) {
      for (const i of starts) {
        const item = lines[i]!.text.slice(indent);
        if (!item.startsWith("- ")) fail("mixes list items with other lines");
        if (!/^- +[^\s#'"{[][^:#]*:( |$)/.test(item) && !/^- +["'][^"']*["']:( |$)/.test(item)) fail("holds a list item that is not a mapping");
        itemWhen.set(i, [...(itemWhen.get(i) ?? []), block.when]);
      }
    } else {
      for (const i of starts) {
        const line = lines[i]!.text;
        if (!/^\s*[^\s#-][^#]*:\s*(#.*)?$/.test(line)) fail("holds a key with a value on its own line (a scalar cannot carry a $when)");
        const next = contentLines.find((j) => j > i);
        if (next === undefined || next > block.to || indentOf(lines[next]!.text) <= indent) fail("holds a key without a nested value");
        if (/^\s*- /.test(lines[next!]!.text)) fail("holds a key whose value is a list (a list cannot carry a $when; wrap its items)");
        const entry = childWhen.get(next!) ?? { indent: " ".repeat(indentOf(lines[next!]!.text)), when: [] };
        entry.when.push(block.when);
        childWhen.set(next!, entry);
      }
    }
  }
  let out = "";
  if (rootWhen.length > 0) out += `$when: ${joinWhen(rootWhen)}\n`;
  for (let i = 0; i < lines.length; i++) {
    if (directiveLines.has(i)) continue;
    let line = convertInterpolations(lines[i]!, tokens, target);
    const child = childWhen.get(i);
    if (child) out += `${child.indent}$when: ${joinWhen(child.when)}\n`;
    const item = itemWhen.get(i);
    if (item) {
      const indent = indentOf(line);
      const dash = /^(\s*- +)/.exec(line)![1]!;
      line = `${" ".repeat(indent)}- $when: ${joinWhen(item)}\n${" ".repeat(dash.length)}${line.slice(dash.length)}`;
    }
    out += line + (lines[i]!.newline ? "\n" : "");
  }
  rootWhen = [];
  return out;
}

/** The `$when` value as YAML text: quoted where a plain scalar would read otherwise (`!` starts a tag). */
function joinWhen(list: string[]): string {
  const expression = list.length === 1 ? list[0]! : list.map((w) => `(${w})`).join(" && ");
  return /^[!&*|>'"%@`{[\-?:,#]/.test(expression) || / #|: /.test(expression) ? `'${expression.replaceAll("'", "''")}'` : expression;
}

function negate(when: string): string {
  return /^!?[A-Za-z_][A-Za-z0-9_.-]*$/.test(when) ? (when.startsWith("!") ? when.slice(1) : `!${when}`) : `!(${when})`;
}

function convertInterpolations(line: { text: string; start: number }, tokens: readonly Token[], target: (name: string) => VariableTarget): string {
  let text = "";
  let at = 0;
  for (const token of tokens) {
    if (token.kind !== "interpolation") continue;
    const local = token.offset - line.start;
    if (local < 0 || local >= line.text.length) continue;
    if (token.stripBefore || token.stripAfter) throw new TemplateSubsetError("a ~ strip marker on an interpolation is not supported", token.offset);
    const close = line.text.indexOf("}", local);
    // A source flag written into the text keeps Terraform's 1/0: it reads from vars, not from sources.
    const variable = target(token.name);
    text += line.text.slice(at, local) + `\${${variable.flag ? `tenant.vars.${token.name}` : variable.path}}`;
    at = close + 1;
  }
  return (text + line.text.slice(at)).replaceAll("%%{", () => "%{");
}

function splitLines(text: string): { text: string; start: number; newline: boolean }[] {
  const lines: { text: string; start: number; newline: boolean }[] = [];
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf("\n", start);
    if (end < 0) {
      if (start < text.length) lines.push({ text: text.slice(start), start, newline: false });
      break;
    }
    lines.push({ text: text.slice(start, end), start, newline: true });
    start = end + 1;
  }
  return lines;
}

function isContent(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== "" && !trimmed.startsWith("#");
}

function indentOf(line: string): number {
  return /^ */.exec(line)![0].length;
}
