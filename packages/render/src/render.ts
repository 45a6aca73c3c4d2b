import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { evaluateWhen } from "./expression.js";
import { parsePlaceholders, type ScalarPart } from "./placeholder.js";
import { applyEdits, lineEndAfter, lineStart, startsLine, type TextEdit } from "./splice.js";
import { origins, WHEN_KEY, type CompiledTemplate, type MapPlan, type NodePlan, type ScalarPlan, type SeqPlan } from "./template.js";
import type {
  EnvironmentConfig,
  FlowopsConfig,
  RenderedFlow,
  RepositoryProblem,
  SourcePosition,
  Tenant,
  ValuePath,
} from "./types.js";
import { doubleQuoted, flowText, isPlainSafe, literalBlock, stringText } from "./yaml-text.js";
import { positionAt } from "./yaml-file.js";

const REMOVED = Symbol("removed");
type Evaluated = unknown;

/** What one render of one template sees. */
export interface RenderScope {
  env: EnvironmentConfig;
  tenant: Tenant | null;
  config: FlowopsConfig;
  namespacePattern: ScalarPart[];
  ownershipLabels: boolean;
  problems: RepositoryProblem[];
}

interface EvaluationState {
  template: CompiledTemplate;
  scope: RenderScope;
  context: Record<string, unknown>;
}

/** Renders one template for one tenant and environment; undefined when `$when` or a switch leaves it out. */
export function renderTemplate(template: CompiledTemplate, scope: RenderScope): RenderedFlow | undefined {
  const { tenant } = scope;
  const switches = tenant?.flows[template.key];
  if (switches?.enabled === false) return undefined;
  const stated = statedIdAndNamespace(template, scope);
  if (!stated) return undefined;
  const flowFacts: Record<string, unknown> = { id: stated.id, folder: template.folder.split("/").join(".") };
  const context: Record<string, unknown> = {
    tenant: tenant?.values ?? {},
    env: { name: scope.env.name, vars: scope.env.vars },
    flow: flowFacts,
  };
  const state: EvaluationState = { template, scope, context };
  const namespace = stated.namespace !== undefined ? evaluateStatedNamespace(stated.namespace, state) : substitute(scope.namespacePattern, state, undefined);
  flowFacts.namespace = namespace;
  Object.freeze(flowFacts);

  const edits: TextEdit[] = [];
  const body = tenant ? evaluate(template.root, state, edits) : template.root.kind === "map" ? constRoot(template) : undefined;
  if (body === REMOVED || body === undefined) return undefined;
  const document: Record<string, unknown> = {};
  const root = template.root.node;
  const firstItem = root.items[0];
  const insertAt = firstItem ? lineStart(template.text, itemStart(template.text, root, 0)) : template.text.length;
  let header = "";
  if (stated.id === undefined || !("id" in (body as object))) {
    header += `id: ${stringText(stated.idValue, "PLAIN")}\n`;
    document.id = stated.idValue;
  }
  if (stated.namespace === undefined) {
    header += `namespace: ${stringText(namespace, "PLAIN")}\n`;
    document.namespace = namespace;
  }
  Object.assign(document, body as object);
  if (switches?.disabled === true && document.disabled !== true) {
    const existing = template.root.entries.find((e) => e.key === "disabled");
    if (existing && existing.plan.kind === "const" && existing.pair.value) {
      const node = existing.pair.value as Node;
      edits.push({ start: node.range![0], end: node.range![1], text: "true" });
    } else if (!existing) {
      header += "disabled: true\n";
    } else {
      report(state, existing.pair.value as Node, "namespace-pattern", "`disabled` is computed by a placeholder and also switched by the tenant file; keep one");
    }
    document.disabled = true;
  }
  if (header) edits.push({ start: insertAt, end: insertAt, text: header });
  if (scope.ownershipLabels) addOwnershipLabels(document, state, edits);
  origins.set(document, { node: root, template });
  Object.freeze(document);
  const source = applyEdits(template.text, edits);
  return new RenderedFlowRecord(scope.env.name, tenant?.code ?? null, namespace, stated.idValue, template, document, source);
}

class RenderedFlowRecord implements RenderedFlow {
  readonly template: string;
  readonly templateKey: string;
  constructor(
    readonly env: string,
    readonly tenant: string | null,
    readonly namespace: string,
    readonly id: string,
    private readonly compiled: CompiledTemplate,
    readonly document: Readonly<Record<string, unknown>>,
    readonly source: string,
  ) {
    this.template = compiled.file;
    this.templateKey = compiled.key;
  }

  locate(path: ValuePath): SourcePosition {
    return locateRendered(this.document, this.compiled, path);
  }

  toJSON() {
    const { env, tenant, namespace, id, template, templateKey, source } = this;
    return { env, tenant, namespace, id, template, templateKey, source };
  }
}

/** Walks rendered values and their template nodes together to find where `path` was written. */
function locateRendered(document: unknown, template: CompiledTemplate, path: ValuePath): SourcePosition {
  let value: unknown = document;
  let offset = template.root.node.range?.[0] ?? 0;
  for (const segment of path) {
    const origin = value !== null && typeof value === "object" ? origins.get(value) : undefined;
    if (!origin) break;
    let child: Node | null | undefined;
    if (isMap(origin.node)) {
      const pair = origin.node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      child = pair.value as Node | null;
      offset = child?.range?.[0] ?? (pair.key as Node).range?.[0] ?? offset;
    } else if (isSeq(origin.node) && typeof segment === "number") {
      const index = origin.indexMap ? origin.indexMap[segment] : segment;
      child = index === undefined ? undefined : (origin.node.items[index] as Node | null | undefined);
      if (child?.range) offset = child.range[0];
    }
    if (!child) break;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return positionAt(template.file, template.lineCounter, offset);
}

function constRoot(template: CompiledTemplate): Record<string, unknown> {
  return Object.fromEntries(template.root.entries.map((e) => [e.key, (e.plan as { value?: unknown }).value]));
}

interface StatedNames {
  /** The id as written in the template, if it states one. */
  id?: string;
  idValue: string;
  /** The namespace entry's plan, if the template states one. */
  namespace?: NodePlan;
}

function statedIdAndNamespace(template: CompiledTemplate, scope: RenderScope): StatedNames | undefined {
  const idEntry = template.root.entries.find((e) => e.key === "id");
  const namespaceEntry = template.root.entries.find((e) => e.key === "namespace");
  let id: string | undefined;
  if (idEntry) {
    if (idEntry.plan.kind !== "const" || typeof idEntry.plan.value !== "string") {
      scope.problems.push({
        code: "id-matches-file",
        ...nodePosition(template, idEntry.pair.value as Node | null),
        message: `a flow id must be a constant string; drop the id line to use the file name "${template.fileId}"`,
        ...tenantEnv(scope),
      });
      return undefined;
    }
    id = idEntry.plan.value;
  }
  if (!scope.tenant && (!idEntry || !namespaceEntry)) {
    scope.problems.push({
      code: "flow-schema",
      ...nodePosition(template, template.root.node),
      message: `a flow in a plain repository must state its ${!idEntry ? "id" : "namespace"} (add "${!idEntry ? `id: ${template.fileId}` : "namespace: company.team"}")`,
      ...tenantEnv(scope),
    });
    return undefined;
  }
  return { ...(id !== undefined ? { id } : {}), idValue: id ?? template.fileId, ...(namespaceEntry ? { namespace: namespaceEntry.plan } : {}) };
}

function evaluateStatedNamespace(plan: NodePlan, state: EvaluationState): string {
  if (plan.kind === "const") return String(plan.value);
  const value = evaluate(plan, state, []);
  return typeof value === "string" ? value : String(value);
}

function tenantEnv(scope: RenderScope): { tenant?: string; env?: string } {
  return { ...(scope.tenant ? { tenant: scope.tenant.code } : {}), env: scope.env.name };
}

function nodePosition(template: CompiledTemplate, node: Node | null | undefined) {
  return positionAt(template.file, template.lineCounter, node?.range?.[0] ?? 0);
}

function report(state: EvaluationState, node: Node | null | undefined, code: string, message: string, offsetInNode = 0): void {
  const position = positionAt(state.template.file, state.template.lineCounter, (node?.range?.[0] ?? 0) + offsetInNode);
  state.scope.problems.push({ code, ...position, message, ...tenantEnv(state.scope) });
}

function lookup(context: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = context;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function evaluate(plan: NodePlan, state: EvaluationState, edits: TextEdit[]): Evaluated | typeof REMOVED {
  switch (plan.kind) {
    case "const":
      return plan.value;
    case "scalar":
      return evaluateScalar(plan, state, edits);
    case "map":
      return evaluateMap(plan, state, edits);
    case "seq":
      return evaluateSeq(plan, state, edits);
  }
}

function missingPlaceholder(state: EvaluationState, plan: ScalarPlan, part: { raw: string; offset: number }): void {
  const quoted = plan.node.type === "QUOTE_DOUBLE" || plan.node.type === "QUOTE_SINGLE" ? 1 : 0;
  const offset = plan.node.type === "PLAIN" || quoted ? part.offset + quoted : 0;
  report(
    state,
    plan.node,
    "unknown-placeholder",
    `\${${part.raw}} is not defined for ${state.scope.tenant ? `tenant ${state.scope.tenant.code}` : "this flow"} in ${state.scope.env.name}; define it in the tenant file (or env vars), or guard this mapping with $when`,
    offset,
  );
}

function evaluateScalar(plan: ScalarPlan, state: EvaluationState, edits: TextEdit[]): Evaluated {
  const node = plan.node;
  const [start, end] = [node.range![0], node.range![1]];
  if (plan.whole) {
    let value = lookup(state.context, plan.whole);
    if (value === undefined) {
      missingPlaceholder(state, plan, plan.parts[0] as { raw: string; offset: number });
      value = "";
    }
    const text = typeof value === "string" ? (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED" ? doubleQuoted(value) : stringText(value, node.type ?? "PLAIN")) : flowText(value);
    edits.push({ start, end, text });
    return value;
  }
  const value = substitute(plan.parts, state, plan);
  let text: string | undefined;
  if (plan.block) {
    const lit = literalBlock(value, plan.block.indicator, plan.block.indent);
    if (lit !== undefined) {
      const newlineAt = lit.indexOf("\n");
      text = lit.slice(0, newlineAt) + plan.block.headerRest + lit.slice(newlineAt);
    }
  }
  text ??= node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED" ? doubleQuoted(value) : stringText(value, node.type ?? "PLAIN");
  edits.push({ start, end: blockEnd(state.template.text, node.type, end), text: blockText(state.template.text, node.type, end, text) });
  return value;
}

/** Block scalars own the newline that ends them; a flow scalar written in their place needs it back. */
function blockEnd(_text: string, _type: string | undefined, end: number): number {
  return end;
}

function blockText(text: string, type: string | undefined, end: number, replacement: string): string {
  if ((type === "BLOCK_LITERAL" || type === "BLOCK_FOLDED") && !replacement.endsWith("\n") && text[end - 1] === "\n") return replacement + "\n";
  return replacement;
}

/** Concatenates text parts and placeholder values into one string. */
function substitute(parts: ScalarPart[], state: EvaluationState, plan: ScalarPlan | undefined): string {
  let out = "";
  for (const part of parts) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const value = lookup(state.context, part.path);
    if (value === undefined) {
      if (plan) missingPlaceholder(state, plan, part);
      else state.scope.problems.push({ code: "unknown-placeholder", file: "flowops.config.yaml", line: 1, column: 1, message: `namespace pattern uses \${${part.raw}}, which is not defined`, ...tenantEnv(state.scope) });
      continue;
    }
    out += value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  return out;
}

interface CollectionItem {
  start: number;
  end: number;
}

function evaluateMap(plan: MapPlan, state: EvaluationState, edits: TextEdit[]): Evaluated | typeof REMOVED {
  if (plan.when) {
    const whenNode = plan.when.pair.value as Node | null;
    const keep = evaluateWhen(
      plan.when.expression,
      (path) => lookup(state.context, path),
      (path) => report(state, whenNode, "invalid-when", `$when "${plan.when!.text}" reads ${path.join(".")}, which is not defined for ${state.scope.tenant ? `tenant ${state.scope.tenant.code}` : "this flow"}; define it in the tenant file or test a path that exists`),
    );
    if (!keep) return REMOVED;
  }
  const text = state.template.text;
  const result: Record<string, unknown> = {};
  const childEdits: TextEdit[] = [];
  const items: CollectionItem[] = [];
  const removed: boolean[] = [];
  let entryIndex = 0;
  plan.node.items.forEach((pair, i) => {
    items.push({ start: itemStart(text, plan.node, i), end: pairEnd(pair) });
    const keyNode = pair.key as Node | null;
    const isWhen = plan.when !== undefined && isScalar(keyNode) && keyNode.value === WHEN_KEY && pair === plan.when.pair;
    if (isWhen || (isScalar(keyNode) && keyNode.value === WHEN_KEY)) {
      removed.push(true);
      return;
    }
    const entry = plan.entries[entryIndex++]!;
    const value = evaluate(entry.plan, state, childEdits);
    if (value === REMOVED) {
      removed.push(true);
      return;
    }
    removed.push(false);
    result[entry.key] = value;
  });
  collectionEdits(text, plan.node, items, removed, childEdits, edits, "{}");
  origins.set(result, { node: plan.node, template: state.template });
  return Object.freeze(result);
}

function evaluateSeq(plan: SeqPlan, state: EvaluationState, edits: TextEdit[]): Evaluated {
  const text = state.template.text;
  const result: unknown[] = [];
  const childEdits: TextEdit[] = [];
  const items: CollectionItem[] = [];
  const removed: boolean[] = [];
  const indexMap: number[] = [];
  plan.items.forEach((itemPlan, i) => {
    const node = plan.node.items[i] as Node | null;
    items.push({ start: itemStart(text, plan.node, i), end: node?.range?.[1] ?? itemStart(text, plan.node, i) + 1 });
    const value = evaluate(itemPlan, state, childEdits);
    if (value === REMOVED) {
      removed.push(true);
      return;
    }
    removed.push(false);
    indexMap.push(i);
    result.push(value);
  });
  collectionEdits(text, plan.node, items, removed, childEdits, edits, "[]");
  origins.set(result, { node: plan.node, template: state.template, ...(indexMap.length !== plan.items.length ? { indexMap } : {}) });
  return Object.freeze(result);
}

/** Text edits that drop the removed items of a collection, keeping the layout of the rest. */
function collectionEdits(
  text: string,
  node: YAMLMap | YAMLSeq,
  items: CollectionItem[],
  removed: boolean[],
  childEdits: TextEdit[],
  edits: TextEdit[],
  empty: string,
): void {
  if (items.length > 0 && removed.every(Boolean)) {
    edits.push({ start: node.range![0], end: node.range![1], text: empty });
    return;
  }
  edits.push(...childEdits);
  for (let i = 0; i < items.length; i++) {
    if (!removed[i]) continue;
    const item = items[i]!;
    if (!node.flow && startsLine(text, item.start)) {
      edits.push({ start: lineStart(text, item.start), end: lineEndAfter(text, item.end), text: "" });
      continue;
    }
    let next = i + 1;
    while (next < items.length && removed[next]) next++;
    if (next < items.length) {
      edits.push({ start: item.start, end: items[next]!.start, text: "" });
      i = next - 1;
      continue;
    }
    let previous = i - 1;
    while (previous >= 0 && removed[previous]) previous--;
    edits.push({ start: items[previous]!.end, end: items[items.length - 1]!.end, text: "" });
    break;
  }
}

/** Where an item of a collection begins in the text: a pair's key, or a block sequence item's dash. */
function itemStart(text: string, node: YAMLMap | YAMLSeq, index: number): number {
  const item = node.items[index] as Pair | Node | null;
  if (isMap(node)) {
    const pair = item as Pair;
    return (pair.key as Node | null)?.range?.[0] ?? 0;
  }
  const itemNode = item as Node | null;
  const start = itemNode?.range?.[0] ?? node.range![0];
  if (node.flow) return start;
  let i = start - 1;
  while (i >= 0 && (text[i] === " " || text[i] === "\t")) i--;
  return text[i] === "-" ? i : start;
}

function pairEnd(pair: Pair): number {
  const value = pair.value as Node | null;
  if (value?.range) return value.range[1];
  const key = pair.key as Node | null;
  return (key?.range?.[1] ?? 0) + 1;
}

/** Adds the ownership labels to the document and, by splicing, to the text. */
function addOwnershipLabels(document: Record<string, unknown>, state: EvaluationState, edits: TextEdit[]): void {
  const wanted = state.scope.config.ownershipLabels;
  const text = state.template.text;
  const entry = state.template.root.entries.find((e) => e.key === "labels");
  const current = document.labels;
  const labelNode = entry?.pair.value as Node | null | undefined;
  const missing = Object.entries(wanted).filter(([key, value]) => {
    const existing = Array.isArray(current)
      ? (current as { key?: unknown; value?: unknown }[]).find((l) => l?.key === key)?.value
      : current && typeof current === "object"
        ? (current as Record<string, unknown>)[key]
        : undefined;
    if (existing === undefined) return true;
    if (String(existing) !== value) {
      report(state, labelNode, "flow-schema", `label "${key}" is reserved for flowops (it marks flows flowops owns); remove it from the template`);
    }
    return false;
  });
  if (missing.length === 0) return;
  const keyText = (k: string) => (isPlainSafe(k) ? k : doubleQuoted(k));
  const valueText = (v: string) => stringText(v, "PLAIN");
  if (current === undefined || !entry || !labelNode) {
    const root = state.template.root.node;
    const last = root.items[root.items.length - 1];
    let at = last ? lineEndAfter(text, pairEnd(last)) : text.length;
    if (!entry && current === undefined) {
      const prefix = at > 0 && text[at - 1] !== "\n" ? "\n" : "";
      at = at > text.length ? text.length : at;
      edits.push({ start: at, end: at, text: prefix + "labels:\n" + missing.map(([k, v]) => `  ${keyText(k)}: ${valueText(v)}\n`).join("") });
      document.labels = Object.freeze(Object.fromEntries(missing));
    } else {
      report(state, labelNode ?? null, "flow-schema", "labels must be a map or a list of {key, value}");
    }
    return;
  }
  if (isMap(labelNode)) {
    if (labelNode.flow) {
      const close = labelNode.range![1] - 1;
      const sep = labelNode.items.length > 0 ? ", " : "";
      edits.push({ start: close, end: close, text: sep + missing.map(([k, v]) => `${keyText(k)}: ${valueText(v)}`).join(", ") });
    } else {
      const lastPair = labelNode.items[labelNode.items.length - 1]!;
      const firstKey = labelNode.items[0]!.key as Node;
      const indent = " ".repeat(firstKey.range![0] - lineStart(text, firstKey.range![0]));
      const at = lineEndAfter(text, pairEnd(lastPair));
      const prefix = text[at - 1] === "\n" ? "" : "\n";
      edits.push({ start: at, end: at, text: prefix + missing.map(([k, v]) => `${indent}${keyText(k)}: ${valueText(v)}\n`).join("") });
    }
    document.labels = Object.freeze({ ...(current as Record<string, unknown>), ...Object.fromEntries(missing) });
  } else if (isSeq(labelNode)) {
    const additions = missing.map(([key, value]) => Object.freeze({ key, value }));
    if (labelNode.flow) {
      const close = labelNode.range![1] - 1;
      const sep = labelNode.items.length > 0 ? ", " : "";
      edits.push({ start: close, end: close, text: sep + missing.map(([k, v]) => `{key: ${keyText(k)}, value: ${valueText(v)}}`).join(", ") });
    } else {
      const dash = itemStart(text, labelNode, 0);
      const indent = " ".repeat(dash - lineStart(text, dash));
      const lastItem = labelNode.items[labelNode.items.length - 1] as Node;
      const at = lineEndAfter(text, lastItem.range![1]);
      const prefix = text[at - 1] === "\n" ? "" : "\n";
      edits.push({
        start: at,
        end: at,
        text: prefix + missing.map(([k, v]) => `${indent}- key: ${keyText(k)}\n${indent}  value: ${valueText(v)}\n`).join(""),
      });
    }
    document.labels = Object.freeze([...(current as unknown[]), ...additions]);
  } else {
    report(state, labelNode, "flow-schema", "labels must be a map or a list of {key, value}");
  }
}

/** Parses the config's namespace pattern once per render. */
export function compileNamespacePattern(pattern: string): ScalarPart[] {
  return parsePlaceholders(pattern);
}
