import { stepInto } from "@flowops/flow-model";
import { isMap, isSeq, type Node } from "yaml";
import { TENANT_LABEL } from "./config.js";
import { evaluateWhen } from "./expression.js";
import { internalized, parsePlaceholders, type ScalarPart } from "./placeholder.js";
import { applyEdits, insertEdit, lineEndAfter, lineStart, type TextEdit } from "./splice.js";
import { itemStart, pairEnd, type CollectionLayout, type CompiledTemplate, type ConditionPlan, type ConstPlan, type MapEntryPlan, type MapPlan, type NodePlan, type ScalarPlan, type ScalarSpan, type SeqPlan } from "./template.js";
import type {
  EnvironmentConfig,
  FlowopsConfig,
  RenderedFlow,
  RepositoryProblem,
  SourcePosition,
  Tenant,
  ValuePath,
} from "./types.js";
import { doubleQuoted, flowText, isPlainSafe, literalBlock, needsEscape, stringText } from "./yaml-text.js";
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
  /** What earlier renders for the same tenant and environment worked out (see `RenderMemo`). */
  memo: RenderMemo;
}

/**
 * The rendered scalars and `$when` outcomes that depend only on the tenant's and the environment's
 * values, by their plans' `memoKey`s: one per tenant and environment, for one render pass (a
 * tenant's 150 templates mostly repeat the same few, like `${tenant.code}`). Only renders without
 * problems are kept, so every missing placeholder is still reported where it stands.
 */
export class RenderMemo {
  readonly scalars = new Map<string, { value: unknown; replacement: string }>();
  readonly whens = new Map<string, boolean>();
  /** The namespace the config's pattern gives each folder, with its header line (see `patternNamespace`). */
  readonly namespaces = new Map<string, { namespace: string; header: string }>();
  /** Namespaces that passed Kestra's rules and the tenant's namespace roots (repository.ts). */
  readonly acceptedNamespaces = new Set<string>();
}

interface EvaluationState {
  template: CompiledTemplate;
  scope: RenderScope;
  context: Record<string, unknown>;
  /** The context's three roots, read by `read` without a property lookup on the context. */
  tenantValues: unknown;
  env: unknown;
  flow: unknown;
  /** `read` in this render's state for `$when`, made at the render's first `$when`. */
  lookupPath: ((path: string[]) => unknown) | undefined;
}

const ignoreMissing = () => undefined;

/** Renders one template for one tenant and environment; undefined when `$when` or a switch leaves it out. */
export function renderTemplate(template: CompiledTemplate, scope: RenderScope): RenderedFlow | undefined {
  const { tenant } = scope;
  const facts = factsOf(template);
  const switches = tenant?.flows[facts.key];
  if (switches?.enabled === false) return undefined;
  const stated = statedIdAndNamespace(template, facts, scope);
  if (!stated) return undefined;
  const flowFacts: Record<string, unknown> = { id: stated.idValue, folder: facts.folder };
  const tenantValues = tenant?.values ?? {};
  const env = envContext(scope.env);
  const context: Record<string, unknown> = { tenant: tenantValues, env, flow: flowFacts };
  const state: EvaluationState = { template, scope, context, tenantValues, env, flow: flowFacts, lookupPath: undefined };
  const fromPattern = stated.namespace === undefined ? patternNamespace(state, facts) : undefined;
  const namespace = fromPattern ? fromPattern.namespace : evaluateStatedNamespace(stated.namespace!, state);
  flowFacts.namespace = namespace;
  Object.freeze(flowFacts);

  const edits: TextEdit[] = [];
  // A stated id is a constant entry of the root, always in the body: the header adds an id only when none is stated.
  const addsId = stated.id === undefined;
  const addsNamespace = stated.namespace === undefined;
  const document: Record<string, unknown> = {};
  if (addsId) document.id = stated.idValue;
  if (addsNamespace) document.namespace = namespace;
  // In a plain repository the plan is all constants: evaluating it rebuilds the file as written.
  // The root's entries go straight into the document, after the header's id and namespace.
  if (evaluateMap(template.root, state, edits, document) === REMOVED) return undefined;
  const insertAt = facts.headerAt;
  let header = "";
  if (addsId) header += (facts.idHeader ??= `id: ${stringText(stated.idValue, "PLAIN")}\n`);
  if (fromPattern) header += fromPattern.header;
  if (switches?.disabled === true && document.disabled !== true) {
    const existing = facts.disabledEntry;
    if (existing && existing.plan.kind === "const" && existing.pair.value) {
      const node = existing.pair.value as Node;
      insertEdit(edits, { start: node.range![0], end: node.range![1], text: "true" });
    } else if (!existing) {
      header += "disabled: true\n";
    } else {
      report(state, existing.pair.value as Node, "flow-schema", "`disabled` is computed by a placeholder and also switched by the tenant file; keep one");
    }
    document.disabled = true;
  }
  if (header) insertEdit(edits, { start: insertAt, end: insertAt, text: header });
  if (scope.ownershipLabels) addOwnershipLabels(document, state, facts, edits);
  const source = applyEdits(template.text, edits);
  return new RenderedFlowRecord(scope.env.name, tenant?.code ?? null, namespace, stated.idValue, template, document, source, context);
}

/**
 * The namespace the config's pattern gives this render, and the header line stating it. A pattern
 * that reads nothing of the flow but its folder gives one namespace per folder for a tenant in an
 * environment: worked out once (unless it reported a problem, which each render reports anew).
 */
function patternNamespace(state: EvaluationState, facts: TemplateFacts): { namespace: string; header: string } {
  const { memo, namespacePattern, problems } = state.scope;
  const byFolder = readsFolderAtMost(namespacePattern);
  if (byFolder) {
    const known = memo.namespaces.get(facts.folder);
    if (known) return known;
  }
  const reported = problems.length;
  const namespace = substitute(namespacePattern, state, undefined);
  const found = { namespace, header: `namespace: ${stringText(namespace, "PLAIN")}\n` };
  if (byFolder && problems.length === reported) memo.namespaces.set(facts.folder, found);
  return found;
}

/** Whether a namespace pattern reads of the flow at most its folder (`flow.folder`). */
function readsFolderAtMost(pattern: ScalarPart[]): boolean {
  let reads = folderOnlyPatterns.get(pattern);
  if (reads === undefined) {
    reads = pattern.every((part) => part.kind === "text" || part.path[0] !== "flow" || (part.path.length === 2 && part.path[1] === "folder"));
    folderOnlyPatterns.set(pattern, reads);
  }
  return reads;
}

const folderOnlyPatterns = new WeakMap<ScalarPart[], boolean>();

/** What every render of a template needs from it, found once per compiled template. */
interface TemplateFacts {
  /** The template's key, internalized: every render reads the tenant's switches by it. */
  key: string;
  idEntry?: MapEntryPlan;
  namespaceEntry?: MapEntryPlan;
  disabledEntry?: MapEntryPlan;
  labelsEntry?: MapEntryPlan;
  /** The `id:` line a header adds when the template states no id (the same for every render). */
  idHeader?: string;
  /** The template's folder as `flow.folder` reads it (dotted). */
  folder: string;
  /** Where a header (id, namespace, disabled) is inserted: the start of the first item's line. */
  headerAt: number;
  /** The id and namespace as the template states them, when it states them validly. */
  stated?: StatedNames;
  /** Where and how ownership labels are appended to a block mapping of labels, found at the first render that needs it. */
  labelsBlockInsert?: { at: number; prefix: string; indent: string };
}

const templateFacts = new WeakMap<CompiledTemplate, TemplateFacts>();

function factsOf(template: CompiledTemplate): TemplateFacts {
  let facts = templateFacts.get(template);
  if (facts) return facts;
  const { entries } = template.root;
  const entry = (key: string) => entries.find((e) => e.key === key);
  const root = template.root.node;
  const idEntry = entry("id");
  const namespaceEntry = entry("namespace");
  facts = {
    key: internalized(template.key),
    folder: template.folder.split("/").join("."),
    headerAt: root.items[0] ? lineStart(template.text, itemStart(template.text, root, 0)) : template.text.length,
  };
  if (idEntry) facts.idEntry = idEntry;
  if (namespaceEntry) facts.namespaceEntry = namespaceEntry;
  const disabledEntry = entry("disabled");
  if (disabledEntry) facts.disabledEntry = disabledEntry;
  const labelsEntry = entry("labels");
  if (labelsEntry) facts.labelsEntry = labelsEntry;
  if (!idEntry || (idEntry.plan.kind === "const" && typeof idEntry.plan.value === "string")) {
    const id = idEntry ? (idEntry.plan as ConstPlan).value as string : undefined;
    facts.stated = Object.freeze({ ...(id !== undefined ? { id } : {}), idValue: id ?? template.fileId, ...(namespaceEntry ? { namespace: namespaceEntry.plan } : {}) });
  }
  templateFacts.set(template, facts);
  return facts;
}

/** `env` as placeholders and `$when` read it; one object per environment, shared by its renders. */
function envContext(env: EnvironmentConfig): { name: string; vars: EnvironmentConfig["vars"] } {
  let context = envContexts.get(env);
  if (!context || context.vars !== env.vars || context.name !== env.name) envContexts.set(env, (context = { name: env.name, vars: env.vars }));
  return context;
}

const envContexts = new WeakMap<EnvironmentConfig, { name: string; vars: EnvironmentConfig["vars"] }>();

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
    private readonly context: Record<string, unknown>,
  ) {
    this.template = compiled.file;
    this.templateKey = compiled.key;
  }

  locate(path: ValuePath): SourcePosition {
    return locateRendered(this.compiled, this.context, path);
  }

  /** The same render as deployed to another environment (for a template that reads no `env.*`). */
  inEnv(env: string): RenderedFlowRecord {
    return new RenderedFlowRecord(env, this.tenant, this.namespace, this.id, this.compiled, this.document, this.source, this.context);
  }

  /** `locate` without holding the document and source: what a compact index keeps. */
  locator(): (path: ValuePath) => SourcePosition {
    const { compiled, context } = this;
    // The context only decides which sequence items a `$when` kept: without any, one function serves every flow of the template.
    if (!hasConditionalItems(compiled)) {
      let shared = contextFreeLocators.get(compiled);
      if (!shared) contextFreeLocators.set(compiled, (shared = (path) => locateRendered(compiled, {}, path)));
      return shared;
    }
    return (path) => locateRendered(compiled, context, path);
  }

  toJSON() {
    const { env, tenant, namespace, id, template, templateKey, source } = this;
    return { env, tenant, namespace, id, template, templateKey, source };
  }
}

const contextFreeLocators = new WeakMap<CompiledTemplate, (path: ValuePath) => SourcePosition>();
const conditionalItems = new WeakMap<CompiledTemplate, boolean>();

/** Whether a template has a sequence item carrying `$when` (where locating a rendered path needs the render's context). */
function hasConditionalItems(template: CompiledTemplate): boolean {
  let found = conditionalItems.get(template);
  if (found === undefined) {
    const visit = (plan: NodePlan): boolean =>
      plan.kind === "map" ? plan.entries.some((entry) => visit(entry.plan)) : plan.kind === "seq" ? plan.items.some((item) => (item.kind === "map" && item.when !== undefined) || visit(item)) : false;
    conditionalItems.set(template, (found = visit(template.root)));
  }
  return found;
}

/** `flow` as deployed to `env`: same document and source (a template that reads no `env.*`). */
export function viewInEnv(flow: RenderedFlow, env: string): RenderedFlow {
  return flow instanceof RenderedFlowRecord ? flow.inEnv(env) : { ...flow, env, locate: (path) => flow.locate(path) };
}

/**
 * Where the nodes of a rendered flow come from, as a function that does not hold the flow's
 * document or source (only the compiled template and the small render context).
 */
export function flowLocator(flow: RenderedFlow): (path: ValuePath) => SourcePosition {
  return flow instanceof RenderedFlowRecord ? flow.locator() : (path) => flow.locate(path);
}

/**
 * Finds where `path` of a rendered document was written, by walking the template's plan: constant
 * parts by their YAML nodes, sequences by re-deciding which items this flow kept. Values that came
 * whole from a tenant point at their placeholder.
 */
function locateRendered(template: CompiledTemplate, context: Record<string, unknown>, path: ValuePath): SourcePosition {
  let plan: NodePlan | undefined = template.root;
  let node: Node | null | undefined = template.root.node;
  let offset = node.range?.[0] ?? 0;
  for (const segment of path) {
    let next: Node | null | undefined;
    if (plan?.kind === "map") {
      const entry: MapPlan["entries"][number] | undefined = plan.entries.find((e) => e.key === String(segment));
      if (!entry) break;
      plan = entry.plan;
      next = entry.pair.value as Node | null;
      offset = next?.range?.[0] ?? (entry.pair.key as Node).range?.[0] ?? offset;
      if (!next) break;
    } else if (plan?.kind === "seq") {
      if (typeof segment !== "number") break;
      const index = keptItemIndex(plan, segment, context);
      if (index === undefined) break;
      plan = plan.items[index];
      next = plan!.node as Node | null;
    } else if (plan?.kind === "scalar") {
      break;
    } else {
      plan = undefined;
      const step = stepInto(node, segment);
      if (!step) break;
      if (step.offset !== undefined) offset = step.offset;
      next = step.node;
    }
    if (!next) break;
    node = next;
    if (next.range) offset = next.range[0];
  }
  return positionAt(template.file, template.lineCounter, offset);
}

/** The template index of the rendered item `index` of a sequence whose items may carry `$when`. */
function keptItemIndex(plan: SeqPlan, index: number, context: Record<string, unknown>): number | undefined {
  let kept = -1;
  for (let i = 0; i < plan.items.length; i++) {
    const item = plan.items[i]!;
    const removed = item.kind === "map" && item.when !== undefined && !evaluateWhen(item.when.expression, (p) => lookup(context, p), () => undefined);
    if (!removed && ++kept === index) return i;
  }
  return undefined;
}

interface StatedNames {
  /** The id as written in the template, if it states one. */
  id?: string;
  idValue: string;
  /** The namespace entry's plan, if the template states one. */
  namespace?: NodePlan;
}

function statedIdAndNamespace(template: CompiledTemplate, facts: TemplateFacts, scope: RenderScope): StatedNames | undefined {
  const { idEntry, namespaceEntry } = facts;
  if (idEntry && !facts.stated) {
    scope.problems.push({
      code: "id-matches-file",
      ...nodePosition(template, idEntry.pair.value as Node | null),
      message: `a flow id must be a constant string; drop the id line to use the file name "${template.fileId}"`,
      ...tenantEnv(scope),
    });
    return undefined;
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
  return facts.stated;
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

/**
 * `lookup` in a render's context, taking the root (`tenant`, `env`, `flow`: the context's only
 * own keys) from the state. Below the root every step is an own-property read, as in `lookup`.
 */
function read(state: EvaluationState, path: readonly string[]): unknown {
  const head = path[0];
  let value = head === "tenant" ? state.tenantValues : head === "env" ? state.env : head === "flow" ? state.flow : undefined;
  for (let i = 1; i < path.length; i++) {
    if (value === null || typeof value !== "object") return undefined;
    const segment = path[i]!;
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
  const { memoKey, span } = plan;
  if (memoKey === undefined) return evaluateScalarAnew(plan, state, edits);
  const scalars = state.scope.memo.scalars;
  const known = scalars.get(memoKey);
  if (known !== undefined) {
    pushReplacement(span, known.replacement, edits);
    return known.value;
  }
  const { problems } = state.scope;
  const reported = problems.length;
  const value = evaluateScalarAnew(plan, state, edits);
  // The replacement is the last edit pushed (with the newline a span may add: `endsWithNewline` is part of the key).
  if (problems.length === reported) scalars.set(memoKey, { value, replacement: edits[edits.length - 1]!.text });
  return value;
}

function evaluateScalarAnew(plan: ScalarPlan, state: EvaluationState, edits: TextEdit[]): Evaluated {
  const { span } = plan;
  if (plan.whole) {
    let value = read(state, plan.whole);
    if (value === undefined) {
      missingPlaceholder(state, plan, plan.parts[0] as { raw: string; offset: number });
      value = "";
    }
    pushReplacement(span, typeof value === "string" ? (span.isBlock ? doubleQuoted(value) : stringText(value, plan.node.type ?? "PLAIN")) : flowText(value), edits);
    return value;
  }
  if (!plan.block && (span.isBlock || plan.node.type === "QUOTE_DOUBLE")) return evaluateDoubleQuoted(plan, state, edits);
  const value = substitute(plan.parts, state, plan);
  let replacement: string | undefined;
  if (plan.block) {
    const literal = literalBlock(value, plan.block.indicator, plan.block.indent);
    if (literal !== undefined) {
      const newlineAt = literal.indexOf("\n");
      replacement = literal.slice(0, newlineAt) + plan.block.headerRest + literal.slice(newlineAt);
    }
  }
  pushReplacement(span, replacement ?? (span.isBlock ? doubleQuoted(value) : stringText(value, plan.node.type ?? "PLAIN")), edits);
  return value;
}

function pushReplacement(span: ScalarSpan, replacement: string, edits: TextEdit[]): void {
  const needsNewline = span.endsWithNewline && !replacement.endsWith("\n");
  edits.push({ start: span.start, end: span.end, text: needsNewline ? replacement + "\n" : replacement });
}

/**
 * `substitute` for a scalar written double-quoted: whether the quotes need escapes is known for
 * the template's text once (`textNeedsEscape`), so only the placeholder values are scanned.
 */
function evaluateDoubleQuoted(plan: ScalarPlan, state: EvaluationState, edits: TextEdit[]): string {
  let out = "";
  let escape = plan.textNeedsEscape;
  for (const part of plan.parts) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const value = read(state, part.path);
    if (value === undefined) {
      missingPlaceholder(state, plan, part);
      continue;
    }
    const text = valueText(value);
    if (!escape) escape = needsEscape(text);
    out += text;
  }
  pushReplacement(plan.span, escape ? doubleQuoted(out) : `"${out}"`, edits);
  return out;
}

/** A placeholder's value as it reads inside a longer string. */
function valueText(value: unknown): string {
  return typeof value === "string" ? value : value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Concatenates text parts and placeholder values into one string. */
function substitute(parts: ScalarPart[], state: EvaluationState, plan: ScalarPlan | undefined): string {
  let out = "";
  for (const part of parts) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const value = read(state, part.path);
    if (value === undefined) {
      if (plan) missingPlaceholder(state, plan, part);
      else state.scope.problems.push({ code: "unknown-placeholder", file: "flowops.config.yaml", line: 1, column: 1, message: `namespace pattern uses \${${part.raw}}, which is not defined`, ...tenantEnv(state.scope) });
      continue;
    }
    out += valueText(value);
  }
  return out;
}

function evaluateMap(plan: MapPlan, state: EvaluationState, edits: TextEdit[], result: Record<string, unknown> = {}): Record<string, unknown> | typeof REMOVED {
  const when = plan.when;
  if (when) {
    // A path the tenant lacks reads as false, whatever the selection; typos are found once for
    // the whole repository (when-check.ts), not per render.
    if (!keeps(when, state)) return REMOVED;
  }
  // Child edits are held back only when the whole mapping may be replaced by `{}`.
  const childEdits: TextEdit[] = plan.layout.canEmpty ? [] : edits;
  let removed: boolean[] | undefined;
  const { keys, constants, computed } = plan;
  for (let i = 0; i < keys.length; i++) {
    const child = computed[i];
    const value = child === null ? constants[i] : evaluate(child!, state, childEdits);
    if (value === REMOVED) {
      removed ??= new Array<boolean>(plan.layout.spans.length).fill(false);
      removed[plan.entries[i]!.index] = true;
    } else if (keys[i] === "__proto__") {
      // An assignment to `__proto__` would set the prototype and drop the key: lint would read a
      // different document than the source deployed. A key is data, like the yaml library keeps it.
      Object.defineProperty(result, "__proto__", { value, enumerable: true, writable: true, configurable: true });
    } else {
      result[keys[i]!] = value;
    }
  }
  if (when && !removed && childEdits === edits) {
    // The usual kept `$when` mapping: only its `$when` line goes, the same edits for every render.
    for (const edit of whenLineRemoval(plan, when.index)) edits.push(edit);
    return result;
  }
  if (when) {
    removed ??= new Array<boolean>(plan.layout.spans.length).fill(false);
    removed[when.index] = true;
  }
  if (removed) removalEdits(plan.layout, removed, childEdits === edits ? [] : childEdits, edits);
  else if (childEdits !== edits) for (const edit of childEdits) edits.push(edit);
  return result;
}

/** Whether a mapping's `$when` keeps it (a path the tenant lacks reads as false). */
function keeps(when: ConditionPlan, state: EvaluationState): boolean {
  const { memoKey } = when;
  const whens = state.scope.memo.whens;
  if (memoKey !== undefined) {
    const known = whens.get(memoKey);
    if (known !== undefined) return known;
  }
  const keep = evaluateWhen(when.expression, (state.lookupPath ??= (path) => read(state, path)), ignoreMissing);
  if (memoKey !== undefined) whens.set(memoKey, keep);
  return keep;
}

/** The edits that take out a kept mapping's `$when` item and nothing else; computed once per mapping. */
function whenLineRemoval(plan: MapPlan, whenIndex: number): readonly TextEdit[] {
  let found = whenRemovals.get(plan);
  if (!found) {
    const removed = new Array<boolean>(plan.layout.spans.length).fill(false);
    removed[whenIndex] = true;
    const out: TextEdit[] = [];
    removalEdits(plan.layout, removed, [], out);
    whenRemovals.set(plan, (found = Object.freeze(out.map((edit) => Object.freeze(edit)))));
  }
  return found;
}

const whenRemovals = new WeakMap<MapPlan, readonly TextEdit[]>();

function evaluateSeq(plan: SeqPlan, state: EvaluationState, edits: TextEdit[]): Evaluated {
  // A copy of the constant items, with the computed ones written in (and, rarely, removed ones dropped after).
  const result = plan.constants.slice();
  const { items } = plan;
  let removed: boolean[] | undefined;
  const childEdits: TextEdit[] = plan.layout.canEmpty ? [] : edits;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind === "const") continue;
    const value = evaluate(item, state, childEdits);
    if (value === REMOVED) {
      removed ??= new Array<boolean>(items.length).fill(false);
      removed[i] = true;
    } else {
      result[i] = value;
    }
  }
  if (removed) {
    removalEdits(plan.layout, removed, childEdits === edits ? [] : childEdits, edits);
    return result.filter((_, i) => !removed[i]);
  }
  if (childEdits !== edits) for (const edit of childEdits) edits.push(edit);
  return result;
}

/** Text edits that drop the removed items of a collection, keeping the layout of the rest. */
function removalEdits(layout: CollectionLayout, removed: boolean[], childEdits: TextEdit[], edits: TextEdit[]): void {
  const { spans } = layout;
  if (removed.every(Boolean)) {
    edits.push({ ...layout.empty });
    return;
  }
  for (const edit of childEdits) edits.push(edit);
  for (let i = 0; i < spans.length; i++) {
    if (!removed[i]) continue;
    const span = spans[i]!;
    if (span.lineStart !== undefined) {
      edits.push({ start: span.lineStart, end: span.lineEnd!, text: "" });
      continue;
    }
    let next = i + 1;
    while (next < spans.length && removed[next]) next++;
    if (next < spans.length) {
      edits.push({ start: span.start, end: spans[next]!.start, text: "" });
      i = next - 1;
      continue;
    }
    let previous = i - 1;
    while (previous >= 0 && removed[previous]) previous--;
    edits.push({ start: spans[previous]!.end, end: spans[spans.length - 1]!.end, text: "" });
    break;
  }
}

/** Adds the ownership labels to the document and, by splicing, to the text. */
function addOwnershipLabels(document: Record<string, unknown>, state: EvaluationState, facts: TemplateFacts, edits: TextEdit[]): void {
  const wanted = wantedLabels(state.scope.config, state.scope.tenant);
  const text = state.template.text;
  const entry = facts.labelsEntry;
  const current = document.labels;
  const labelNode = entry?.pair.value as Node | null | undefined;
  const missing: (readonly [string, string])[] = [];
  for (const label of wanted) {
    const [key, value] = label;
    const existing = Array.isArray(current)
      ? (current as { key?: unknown; value?: unknown }[]).find((l) => l?.key === key)?.value
      : current && typeof current === "object"
        ? (current as Record<string, unknown>)[key]
        : undefined;
    if (existing === undefined) {
      missing.push(label);
      continue;
    }
    if (String(existing) !== value) {
      report(state, labelNode, "flow-schema", `label "${key}" is reserved for flowops (it marks flows flowops owns); remove it from the template`);
    }
  }
  if (missing.length === 0) return;
  const keyText = labelKeyText;
  const valueText = (v: string) => stringText(v, "PLAIN");
  if (current === undefined || !entry || !labelNode) {
    const root = state.template.root.node;
    const last = root.items[root.items.length - 1];
    let at = last ? lineEndAfter(text, pairEnd(last)) : text.length;
    if (!entry && current === undefined) {
      const prefix = at > 0 && text[at - 1] !== "\n" ? "\n" : "";
      at = at > text.length ? text.length : at;
      insertEdit(edits, { start: at, end: at, text: prefix + "labels:\n" + blockLabelLines(wanted, missing, "  ") });
      document.labels = labelsObject(wanted, missing);
    } else {
      report(state, labelNode ?? null, "flow-schema", "labels must be a map or a list of {key, value}");
    }
    return;
  }
  if (isMap(labelNode)) {
    if (labelNode.flow) {
      const close = labelNode.range![1] - 1;
      const sep = labelNode.items.length > 0 ? ", " : "";
      insertEdit(edits, { start: close, end: close, text: sep + missing.map(([k, v]) => `${keyText(k)}: ${valueText(v)}`).join(", ") });
    } else {
      let insert = facts.labelsBlockInsert;
      if (!insert) {
        const lastPair = labelNode.items[labelNode.items.length - 1]!;
        const firstKey = labelNode.items[0]!.key as Node;
        const at = lineEndAfter(text, pairEnd(lastPair));
        insert = facts.labelsBlockInsert = { at, prefix: text[at - 1] === "\n" ? "" : "\n", indent: " ".repeat(firstKey.range![0] - lineStart(text, firstKey.range![0])) };
      }
      const { at, prefix, indent } = insert;
      insertEdit(edits, { start: at, end: at, text: prefix + blockLabelLines(wanted, missing, indent) });
    }
    // A labels mapping this render built (a mapping plan, not a shared constant or a tenant's value) is its own: the labels join it in place.
    if (entry.plan.kind === "map" && !wanted.some(([key]) => key === "__proto__")) Object.assign(current as Record<string, unknown>, labelsObject(wanted, missing));
    else document.labels = { ...(current as Record<string, unknown>), ...labelsObject(wanted, missing) };
  } else if (isSeq(labelNode)) {
    const additions = missing.map(([key, value]) => ({ key, value }));
    if (labelNode.flow) {
      const close = labelNode.range![1] - 1;
      const sep = labelNode.items.length > 0 ? ", " : "";
      insertEdit(edits, { start: close, end: close, text: sep + missing.map(([k, v]) => `{key: ${keyText(k)}, value: ${valueText(v)}}`).join(", ") });
    } else {
      const dash = itemStart(text, labelNode, 0);
      const indent = " ".repeat(dash - lineStart(text, dash));
      const lastItem = labelNode.items[labelNode.items.length - 1] as Node;
      const at = lineEndAfter(text, lastItem.range![1]);
      const prefix = text[at - 1] === "\n" ? "" : "\n";
      insertEdit(edits, {
        start: at,
        end: at,
        text: prefix + missing.map(([k, v]) => `${indent}- key: ${keyText(k)}\n${indent}  value: ${valueText(v)}\n`).join(""),
      });
    }
    document.labels = [...(current as unknown[]), ...additions];
  } else {
    report(state, labelNode, "flow-schema", "labels must be a map or a list of {key, value}");
  }
}

/**
 * The ownership labels a tenant's flows carry, as key/value pairs in the order they are added.
 * One list per tenant (and config), shared by every render of the tenant.
 */
function wantedLabels(config: FlowopsConfig, tenant: Tenant | null): readonly (readonly [string, string])[] {
  const holder: object = tenant ?? config;
  let cached = wantedLabelLists.get(holder);
  if (!cached || cached.config !== config || cached.labels !== config.ownershipLabels || cached.code !== tenant?.code) {
    const labels = tenant ? { ...config.ownershipLabels, [TENANT_LABEL]: tenant.code } : config.ownershipLabels;
    cached = { config, labels: config.ownershipLabels, code: tenant?.code, pairs: Object.freeze(Object.entries(labels).map((pair) => Object.freeze(pair as [string, string]))) };
    wantedLabelLists.set(holder, cached);
  }
  return cached.pairs;
}

const wantedLabelLists = new WeakMap<object, { config: FlowopsConfig; labels: FlowopsConfig["ownershipLabels"]; code: string | undefined; pairs: readonly (readonly [string, string])[] }>();

/**
 * The `key: value` lines that add `missing` labels to a block mapping at `indent`. Usually every
 * wanted label is missing: those lines are the same for every template of a tenant with that
 * indentation, and are written once per tenant and indentation.
 */
function blockLabelLines(wanted: readonly (readonly [string, string])[], missing: readonly (readonly [string, string])[], indent: string): string {
  const write = () => missing.map(([k, v]) => `${indent}${labelKeyText(k)}: ${stringText(v, "PLAIN")}\n`).join("");
  if (missing.length !== wanted.length) return write();
  let byIndent = blockLabelTexts.get(wanted);
  if (!byIndent) blockLabelTexts.set(wanted, (byIndent = new Map()));
  let lines = byIndent.get(indent);
  if (lines === undefined) {
    lines = write();
    if (byIndent.size >= INDENT_CACHE_SIZE) byIndent.clear();
    byIndent.set(indent, lines);
  }
  return lines;
}

/**
 * The `missing` labels as an object. Usually every wanted label is missing: that object is made
 * once per tenant, frozen, and shared (a consumer cannot change it).
 */
function labelsObject(wanted: readonly (readonly [string, string])[], missing: readonly (readonly [string, string])[]): Record<string, string> {
  if (missing.length !== wanted.length) return Object.fromEntries(missing);
  let object = wantedLabelObjects.get(wanted);
  if (!object) wantedLabelObjects.set(wanted, (object = Object.freeze(Object.fromEntries(wanted))));
  return object;
}

const wantedLabelObjects = new WeakMap<readonly (readonly [string, string])[], Readonly<Record<string, string>>>();

const INDENT_CACHE_SIZE = 16;
const blockLabelTexts = new WeakMap<readonly (readonly [string, string])[], Map<string, string>>();

/** A label key as written into YAML; the few keys a platform uses are quoted once each. */
function labelKeyText(key: string): string {
  let text = labelKeyTexts.get(key);
  if (text === undefined) {
    text = isPlainSafe(key) ? key : doubleQuoted(key);
    if (labelKeyTexts.size >= LABEL_KEY_CACHE_SIZE) labelKeyTexts.clear();
    labelKeyTexts.set(key, text);
  }
  return text;
}

const LABEL_KEY_CACHE_SIZE = 256;
const labelKeyTexts = new Map<string, string>();

/** Parses the config's namespace pattern once per render. */
export function compileNamespacePattern(pattern: string): ScalarPart[] {
  return parsePlaceholders(pattern);
}
