import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from "yaml";
import { ExpressionError, parseWhen, pathsOf, type WhenExpression } from "./expression.js";
import { hasPlaceholderSyntax, internalized, parsePlaceholders, PlaceholderError, type ScalarPart } from "./placeholder.js";
import type { FlowTemplate, RepositoryProblem } from "./types.js";
import { MAX_ALIAS_COUNT, parseYamlFile, positionAt } from "./yaml-file.js";
import { lineEndAfter, lineStart, startsLine } from "./splice.js";
import { needsEscape } from "./yaml-text.js";

/** The key that makes a mapping conditional. */
export const WHEN_KEY = "$when";

/**
 * A template compiled once: the constant parts of the tree are plain frozen values shared by every
 * tenant; only the nodes on the way to a placeholder or a `$when` are visited per tenant. Each kind
 * of plan is made with the same fields in the same order (absent ones undefined): a render reads
 * them on every node, and one object shape per kind keeps those reads fast.
 */
export type NodePlan = ConstPlan | ScalarPlan | MapPlan | SeqPlan;

export interface ConstPlan {
  kind: "const";
  value: unknown;
  node: Node | null;
}

export interface ScalarPlan {
  kind: "scalar";
  node: Scalar;
  parts: ScalarPart[];
  /** The path when the whole scalar is one placeholder: the value keeps its type. */
  whole?: string[];
  /** For `|` block scalars: the header line (indicator and comment) and the content indentation. */
  block?: { indicator: string; headerRest: string; indent: string };
  /** The text range a rendered value replaces (a block scalar owns only its lines), computed once. */
  span: ScalarSpan;
  /** Whether the scalar's text parts hold a character double quotes must escape (see `needsEscape`). */
  textNeedsEscape: boolean;
  /**
   * What the rendered value and text depend on, when that is only tenant and environment values
   * (no `flow.*`): scalars with the same key render alike for one tenant in one environment, in
   * whichever template they stand. Undefined when the scalar reads `flow.*`.
   */
  memoKey: string | undefined;
}

export interface ScalarSpan {
  start: number;
  end: number;
  /** A block (`|`, `>`) scalar: rewritten values that are not literal blocks are double-quoted. */
  isBlock: boolean;
  /** The owned text ends in a newline, which a replacement must keep. */
  endsWithNewline: boolean;
}

export interface MapEntryPlan {
  key: string;
  pair: Pair;
  plan: NodePlan;
  /** Index of the pair in the mapping's items (and spans). */
  index: number;
}

/**
 * Where an item of a collection sits in the template text, and the range that removing it takes
 * out: its whole lines in block style, else (`- $when: x` on a dash line, flow style) the text up
 * to the next kept item. Computed once per template.
 */
export interface ItemSpan {
  start: number;
  end: number;
  /** Block items that begin their line are removed line by line. */
  lineStart?: number;
  lineEnd?: number;
}

export interface CollectionLayout {
  spans: ItemSpan[];
  /** Replaces the whole collection when every item is removed. */
  empty: { start: number; end: number; text: string };
  /** Whether every item carries a `$when` (or is one), so that all of them can go. */
  canEmpty: boolean;
}

export interface MapPlan {
  kind: "map";
  node: YAMLMap;
  when?: ConditionPlan;
  entries: MapEntryPlan[];
  layout: CollectionLayout;
  /**
   * The entries as parallel arrays, which a render walks without reading each entry's plan:
   * keys, the value of each constant entry, and the plan of each computed one (null for a constant).
   */
  keys: string[];
  constants: unknown[];
  computed: (ScalarPlan | MapPlan | SeqPlan | null)[];
}

/** A mapping's `$when`. */
export interface ConditionPlan {
  expression: WhenExpression;
  text: string;
  pair: Pair;
  index: number;
  /** Like `ScalarPlan.memoKey`: the expression's text when it reads no `flow.*`, else undefined. */
  memoKey: string | undefined;
}

export interface SeqPlan {
  kind: "seq";
  node: YAMLSeq;
  items: NodePlan[];
  layout: CollectionLayout;
  /** The items' values where they are constant (undefined where computed): a render copies it and fills in the rest. */
  constants: unknown[];
}

export interface CompiledTemplate extends FlowTemplate {
  lineCounter: LineCounter;
  root: MapPlan;
  /** Whether the template's source holds any placeholder or `$when` at all. */
  dynamic: boolean;
}

/**
 * The last compilation of each template path. Reading two sides of a change (impact) or the same
 * repository again (the bot) then parses only the templates whose text changed.
 */
const compileCache = new Map<string, { text: string; literal: boolean; result: ReturnType<typeof compileTemplateUncached> }>();

/** Compiles a template, reusing the previous compilation of the same path and text. */
export function compileTemplate(template: FlowTemplate, literal: boolean): { compiled?: CompiledTemplate; problems: RepositoryProblem[] } {
  const cached = compileCache.get(template.file);
  if (cached && cached.text === template.text && cached.literal === literal && cached.result.compiled?.key === template.key) return cached.result;
  const result = compileTemplateUncached(template, literal);
  compileCache.set(template.file, { text: template.text, literal, result });
  return result;
}

/**
 * Parses and compiles a template. In a plain repository (`literal`), placeholders and `$when`
 * are not template syntax: the file is one flow as written.
 */
function compileTemplateUncached(template: FlowTemplate, literal: boolean): { compiled?: CompiledTemplate; problems: RepositoryProblem[] } {
  const { parsed, problems } = parseYamlFile(template.file, template.text);
  if (!parsed) return { problems };
  const { document, lineCounter } = parsed;
  const contents = document.contents;
  const at = (offset: number) => positionAt(template.file, lineCounter, offset);
  if (!isMap(contents) || contents.flow) {
    return {
      problems: [
        {
          code: "yaml-syntax",
          ...at(contents?.range?.[0] ?? 0),
          message: isMap(contents)
            ? "a flow must be a block mapping (key: value lines), not a {...} flow mapping"
            : "a flow must be a YAML mapping with id, namespace and tasks",
        },
      ],
    };
  }
  const compileProblems: RepositoryProblem[] = [];
  const compiled: CompiledTemplate = { ...template, lineCounter, root: undefined as unknown as MapPlan, dynamic: false };
  const context = { compiled, literal, problems: compileProblems, at, doc: document };
  const root = compileNode(contents, context);
  if (compileProblems.length > 0) return { problems: compileProblems };
  compiled.root = root.kind === "map" ? root : mapPlan(contents, undefined, pairsAsConstEntries(contents, root), layoutOf(template.text, contents));
  compiled.dynamic = root.kind !== "const";
  return { compiled, problems: [] };
}

interface CompileContext {
  compiled: CompiledTemplate;
  literal: boolean;
  problems: RepositoryProblem[];
  at: (offset: number) => { file: string; line: number; column: number };
  doc: Document.Parsed;
}

function pairsAsConstEntries(node: YAMLMap, plan: NodePlan): MapEntryPlan[] {
  const value = (plan as ConstPlan).value as Record<string, unknown>;
  return node.items.map((pair, index) => {
    const key = keyOf(pair);
    const child = pair.value as Node | null;
    return { key, pair, plan: { kind: "const", value: value[key], node: child } satisfies ConstPlan, index };
  });
}

function mapPlan(node: YAMLMap, when: MapPlan["when"], entries: MapEntryPlan[], layout: CollectionLayout): MapPlan {
  const keys = entries.map((entry) => internalized(entry.key));
  const constants = entries.map((entry) => (entry.plan.kind === "const" ? entry.plan.value : undefined));
  const computed = entries.map((entry) => (entry.plan.kind === "const" ? null : entry.plan));
  return { kind: "map", node, when, entries, layout, keys, constants, computed };
}

function keyOf(pair: Pair): string {
  const key = pair.key as Node | null;
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function constPlan(value: unknown, node: Node | null): ConstPlan {
  return { kind: "const", value: deepFreeze(value), node };
}

function compileNode(node: Node | null, context: CompileContext): NodePlan {
  if (node === null) return { kind: "const", value: null, node };
  if (isAlias(node)) {
    return constPlan(node.toJS(context.doc, { maxAliasCount: MAX_ALIAS_COUNT }), node);
  }
  if (isScalar(node)) {
    if (context.literal || typeof node.value !== "string" || !hasPlaceholderSyntax(node.value)) {
      return { kind: "const", value: node.value, node };
    }
    return compileScalar(node, context);
  }
  if (isMap(node)) {
    let when: MapPlan["when"];
    const entries: MapEntryPlan[] = [];
    let dynamic = false;
    for (const [index, pair] of node.items.entries()) {
      if (!isPair(pair)) continue;
      const key = keyOf(pair);
      const keyNode = pair.key as Node | null;
      if (!context.literal && key === WHEN_KEY) {
        when = compileWhen(pair, index, context);
        dynamic = true;
        continue;
      }
      if (!context.literal && isScalar(keyNode) && typeof keyNode.value === "string" && hasPlaceholderSyntax(keyNode.value)) {
        context.problems.push({
          code: "unknown-placeholder",
          ...context.at(keyNode.range?.[0] ?? 0),
          message: `placeholders are not supported in keys ("${keyNode.value}"); put the varying part in a value`,
        });
      }
      const plan = compileNode(pair.value as Node | null, context);
      if (plan.kind !== "const") dynamic = true;
      entries.push({ key, pair, plan, index });
    }
    if (!dynamic) {
      return { kind: "const", value: Object.freeze(Object.fromEntries(entries.map((entry) => [entry.key, (entry.plan as ConstPlan).value]))), node };
    }
    const removable = node.items.map((_, index) => index === when?.index || entries.some((e) => e.index === index && isConditional(e.plan)));
    return mapPlan(node, when, entries, layoutOf(context.compiled.text, node, removable));
  }
  if (isSeq(node)) {
    const items = node.items.map((item) => compileNode(item as Node | null, context));
    if (items.every((item) => item.kind === "const")) {
      return { kind: "const", value: Object.freeze(items.map((item) => (item as ConstPlan).value)), node };
    }
    const constants = items.map((item) => (item.kind === "const" ? item.value : undefined));
    return { kind: "seq", node, items, layout: layoutOf(context.compiled.text, node, items.map(isConditional)), constants };
  }
  return { kind: "const", value: null, node };
}

function compileScalar(node: Scalar, context: CompileContext): NodePlan {
  const text = node.value as string;
  const offset = node.range?.[0] ?? 0;
  try {
    const parts = parsePlaceholders(text);
    const span = scalarSpan(context.compiled.text, node);
    const textNeedsEscape = parts.some((part) => part.kind === "text" && needsEscape(part.text));
    const only = parts.length === 1 ? parts[0] : undefined;
    const whole = only && only.kind === "path" ? only.path : undefined;
    const block = !whole && node.type === "BLOCK_LITERAL" ? blockLayout(context.compiled.text, offset) : undefined;
    return { kind: "scalar", node, parts, whole, block, span, textNeedsEscape, memoKey: scalarMemoKey(node, parts, span, block) };
  } catch (error) {
    if (!(error instanceof PlaceholderError)) throw error;
    context.problems.push({ code: "unknown-placeholder", ...context.at(offset), message: error.message });
    return { kind: "const", value: text, node };
  }
}

function scalarMemoKey(node: Scalar, parts: ScalarPart[], span: ScalarSpan, block: ScalarPlan["block"]): string | undefined {
  if (parts.some((part) => part.kind === "path" && part.path[0] === "flow")) return undefined;
  const written = parts.map((part) => (part.kind === "text" ? part.text : { path: part.raw }));
  return internalized(JSON.stringify([String(node.type), span.isBlock, span.endsWithNewline, block ? [block.indicator, block.headerRest, block.indent] : null, written]));
}

function scalarSpan(text: string, node: Scalar): ScalarSpan {
  const isBlock = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
  const start = node.range![0];
  let end = node.range![1];
  if (isBlock) {
    // A block scalar's range runs on to the indentation of the next line; it owns only its lines.
    // At the end of a file without a newline, its last line is content, and its own.
    const newline = text.lastIndexOf("\n", end - 1);
    if (newline >= start && /^[ \t]*$/.test(text.slice(newline + 1, end))) end = newline + 1;
  }
  return { start, end, isBlock, endsWithNewline: isBlock && text[end - 1] === "\n" };
}

/** The header (`|-  # comment`) and content indentation of a literal block scalar starting at `offset`. */
function blockLayout(text: string, offset: number): ScalarPlan["block"] {
  const headerEnd = text.indexOf("\n", offset);
  if (headerEnd < 0) return undefined;
  const header = text.slice(offset, headerEnd);
  const match = /^(\|[-+0-9]*)(.*)$/.exec(header);
  if (!match) return undefined;
  const rest = text.slice(headerEnd + 1);
  const contentLine = rest.split("\n").find((line) => line.trim() !== "");
  if (contentLine === undefined) return undefined;
  const indent = /^ */.exec(contentLine)![0];
  return { indicator: match[1]!, headerRest: match[2]!, indent };
}

function compileWhen(pair: Pair, index: number, context: CompileContext): MapPlan["when"] {
  const valueNode = pair.value as Node | null;
  const offset = valueNode?.range?.[0] ?? (pair.key as Node | null)?.range?.[0] ?? 0;
  const raw = isScalar(valueNode) ? valueNode.value : undefined;
  if (typeof raw === "boolean") return { expression: { kind: "literal", value: raw }, text: String(raw), pair, index, memoKey: internalized(`${WHEN_KEY}: ${String(raw)}`) };
  if (typeof raw !== "string" || raw.trim() === "") {
    context.problems.push({
      code: "invalid-when",
      ...context.at(offset),
      message: "$when needs an expression such as tenant.sources.aws or tenant.vars.tier == \"gold\"",
    });
    return undefined;
  }
  try {
    const expression = parseWhen(raw);
    const readsFlow = pathsOf(expression).some((path) => path[0] === "flow");
    return { expression, text: raw, pair, index, memoKey: readsFlow ? undefined : internalized(raw) };
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    const quoted = isScalar(valueNode) && (valueNode.type === "QUOTE_DOUBLE" || valueNode.type === "QUOTE_SINGLE") ? 1 : 0;
    context.problems.push({ code: "invalid-when", ...context.at(offset + quoted + error.index), message: `invalid $when: ${error.message}` });
    return undefined;
  }
}

function isConditional(plan: NodePlan): boolean {
  return plan.kind === "map" && plan.when !== undefined;
}

/** Where the items of a collection sit, and what removing them takes out (see ItemSpan). */
function layoutOf(text: string, node: YAMLMap | YAMLSeq, removable: boolean[] = []): CollectionLayout {
  const spans: ItemSpan[] = node.items.map((_, index) => {
    const start = itemStart(text, node, index);
    const end = itemEnd(node, index, start);
    if (!node.flow && startsLine(text, start)) return { start, end, lineStart: lineStart(text, start), lineEnd: lineEndAfter(text, end) };
    return { start, end };
  });
  const [start, end] = [node.range![0], node.range![1]];
  // A block collection's range takes in its last newline, which the next key still needs.
  const emptyText = (isMap(node) ? "{}" : "[]") + (!node.flow && text[end - 1] === "\n" ? "\n" : "");
  return { spans, empty: { start, end, text: emptyText }, canEmpty: removable.length > 0 && removable.length === spans.length && removable.every(Boolean) };
}

/** Where an item of a collection begins in the text: a pair's key, or a block sequence item's dash. */
export function itemStart(text: string, node: YAMLMap | YAMLSeq, index: number): number {
  const item = node.items[index] as Pair | Node | null;
  if (isMap(node)) return ((item as Pair).key as Node | null)?.range?.[0] ?? 0;
  const itemNode = item as Node | null;
  const start = itemNode?.range?.[0] ?? node.range![0];
  if (node.flow) return start;
  let i = start - 1;
  while (i >= 0 && (text[i] === " " || text[i] === "\t")) i--;
  return text[i] === "-" ? i : start;
}

function itemEnd(node: YAMLMap | YAMLSeq, index: number, start: number): number {
  const item = node.items[index] as Pair | Node | null;
  if (isMap(node)) return pairEnd(item as Pair);
  return (item as Node | null)?.range?.[1] ?? start + 1;
}

/** Where a pair's value ends (after the colon for an empty value). */
export function pairEnd(pair: Pair): number {
  const value = pair.value as Node | null;
  if (value?.range) return value.range[1];
  const key = pair.key as Node | null;
  return (key?.range?.[1] ?? 0) + 1;
}

/** Freezes a value and everything in it, so shared constant parts cannot be changed by a consumer. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
