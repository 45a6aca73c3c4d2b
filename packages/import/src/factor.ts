import { isMap, isPair, isScalar, isSeq, Scalar, visit, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import type { TenantVars } from "./tenant-values.js";
import { deleteKeepingComments } from "./yaml-edit.js";
import { deepEqual, escapePlaceholders, isPlainObject } from "./values.js";

/** A part of the copies that cannot be written as one template node; the caller widens it. */
const CANNOT = Symbol("cannot factor");

export interface FactorInput {
  /** The document the template is edited from (the fullest copy), with ownership labels removed. */
  document: Document;
  /** Each tenant's copy as plain data (ownership labels removed). */
  copies: ReadonlyMap<string, unknown>;
  /** The copy `document` was parsed from. */
  baseCopy: unknown;
  /** Each tenant's namespace for this flow. */
  namespaces: ReadonlyMap<string, string>;
  vars: TenantVars;
}

export interface FactorResult {
  /** True when the document now holds the template; false when the copies cannot share one. */
  ok: boolean;
  /** `tenant.vars.*` names used for differing values. */
  vars: string[];
  /** `$when` expressions added to parts only some tenants have. */
  conditions: string[];
  /** Tenants whose copy is `disabled: true` while others' are not: their files switch it. */
  disabled: string[];
}

interface Context extends FactorInput {
  used: Set<string>;
  conditions: string[];
  substitutions: Map<string, RegExp>;
}

/**
 * Turns `input.document` into one template for all copies (pure, edits the document in place):
 * equal parts stay as written, the tenant's code and namespace become `${tenant.code}` and
 * `${flow.namespace}`, other differing values become `${tenant.vars.<name>}`, and a mapping that
 * only some tenants have gets a `$when` on a boolean var. Literal `${` is escaped as `$${`.
 */
export function factorTemplate(input: FactorInput): FactorResult {
  // The namespace comes from the config's pattern, as it did for every copy (that is how its tenant was found).
  deleteKeepingComments(input.document, "namespace");
  // `disabled: true` on some copies only is the tenant file's `disabled` switch.
  const all = [...input.copies.values()];
  const disabledSwitch = all.some((c) => isPlainObject(c) && c.disabled === true) && all.some((c) => isPlainObject(c) && c.disabled === undefined);
  const disabled: string[] = [];
  if (disabledSwitch) {
    deleteKeepingComments(input.document, "disabled");
    for (const [tenant, copy] of input.copies) if (isPlainObject(copy) && copy.disabled === true) disabled.push(tenant);
  }
  const copies = new Map(
    [...input.copies].map(([tenant, copy]) => [tenant, isPlainObject(copy) ? withoutKey(withoutKey(copy, "namespace"), disabledSwitch ? "disabled" : "namespace") : copy]),
  );
  const ctx: Context = { ...input, copies, used: new Set(), conditions: [], substitutions: new Map() };
  const root = input.document.contents as Node | null;
  const origin = [...copies.keys()].find((t) => input.copies.get(t) === input.baseCopy) ?? copies.keys().next().value!;
  const result = factorNode(ctx, root, copies, [], origin);
  if (result === CANNOT) return { ok: false, vars: [], conditions: [], disabled: [] };
  input.document.contents = result;
  return { ok: true, vars: [...ctx.used].sort(), conditions: ctx.conditions, disabled };
}

/** `origin` is the tenant whose copy `node` was parsed from: present wherever the node is. */
function factorNode(ctx: Context, node: Node | null, values: ReadonlyMap<string, unknown>, path: string[], origin: string): Node | typeof CANNOT {
  const list = [...values.values()];
  const first = list[0];
  if (list.every((v) => deepEqual(v, first))) {
    const constant = node ?? (ctx.document.createNode(first) as Node);
    escapeNode(constant);
    return constant;
  }
  if (isMap(node) && list.every(isPlainObject)) {
    const result = factorMap(ctx, node, values as ReadonlyMap<string, Record<string, unknown>>, path, origin);
    if (result !== CANNOT || path.length === 0) return result;
  } else if (isSeq(node) && list.every(Array.isArray)) {
    const result = factorSeq(ctx, node, values as ReadonlyMap<string, unknown[]>, path, origin);
    if (result !== CANNOT) return result;
  } else if (isScalar(node) && list.every((v) => typeof v === "string")) {
    const strings = values as ReadonlyMap<string, string>;
    const unified = unifyStrings(ctx, strings) ?? varsAroundPebble(ctx, strings, path) ?? varInsideString(ctx, strings, path);
    if (unified !== undefined) {
      node.value = unified;
      return node;
    }
  }
  if (path.length === 0) return CANNOT;
  // Tenant values are data, never expressions: render refuses Pebble in a tenant file, so a
  // differing value that holds Pebble cannot become a var (its flow stays tenant-specific).
  if (list.some(holdsPebble)) return CANNOT;
  const name = ctx.vars.varFor(path, values);
  ctx.used.add(name);
  const placeholder = new Scalar(`\${tenant.vars.${name}}`);
  if (node) {
    placeholder.commentBefore = node.commentBefore;
    placeholder.comment = node.comment;
    placeholder.spaceBefore = node.spaceBefore;
  }
  return placeholder;
}

function factorMap(ctx: Context, node: YAMLMap, values: ReadonlyMap<string, Record<string, unknown>>, path: string[], origin: string): Node | typeof CANNOT {
  const keys: string[] = [];
  const seen = new Set<string>();
  const pairs = new Map<string, Pair>();
  for (const pair of node.items) {
    const key = keyText(pair);
    if (key === undefined) return CANNOT;
    pairs.set(key, pair as Pair);
    if (!seen.has(key)) keys.push(key);
    seen.add(key);
  }
  for (const value of values.values()) {
    for (const key of Object.keys(value)) {
      if (!seen.has(key)) keys.push(key);
      seen.add(key);
    }
  }
  const items: Pair[] = [];
  for (const key of keys) {
    const present = new Map<string, unknown>();
    for (const [tenant, value] of values) if (Object.prototype.hasOwnProperty.call(value, key)) present.set(tenant, value[key]);
    let pair = pairs.get(key);
    let from = origin;
    if (!pair) {
      from = present.keys().next().value!;
      pair = ctx.document.createPair(key, present.get(from)) as Pair;
    }
    const result = factorNode(ctx, pair.value as Node | null, present, [...path, key], from);
    if (result === CANNOT) return CANNOT;
    if (present.size < values.size && !addCondition(ctx, result, present, values.keys(), [...path, key])) return CANNOT;
    pair.value = result;
    items.push(pair);
  }
  node.items = items;
  return node;
}

function factorSeq(ctx: Context, node: YAMLSeq, values: ReadonlyMap<string, unknown[]>, path: string[], origin: string): Node | typeof CANNOT {
  const lists = [...values.values()];
  const length = node.items.length;
  const perTenant = new Map<string, string[]>();
  // Lists of the same length whose items have no id, name or key line up by position; the others by identity.
  const byIndex = lists.every((list) => list.length === length && list.every((item) => namedIdentity(item) === undefined));
  for (const [tenant, list] of values) {
    const ids = byIndex ? list.map((_, i) => `#${i}`) : list.map((item, i) => namedIdentity(item) ?? contentIdentity(ctx, tenant, item) ?? `#${i}`);
    if (new Set(ids).size !== ids.length) return CANNOT;
    if (!byIndex && ids.some((id) => id.startsWith("#")) && lists.some((l) => l.length !== length)) return CANNOT;
    perTenant.set(tenant, ids);
  }
  const nodeIds = perTenant.get(origin)!;
  if (nodeIds.length !== length) return CANNOT;
  // One order for all: the template's items, with items it lacks placed after their predecessor.
  const order = [...nodeIds];
  for (const ids of perTenant.values()) {
    let previous = -1;
    for (const id of ids) {
      let at = order.indexOf(id);
      if (at < 0) {
        order.splice(previous + 1, 0, id);
        at = previous + 1;
      } else if (at <= previous) {
        return CANNOT;
      }
      previous = at;
    }
  }
  const nodeItems = new Map<string, Node>();
  nodeIds.forEach((id, i) => nodeItems.set(id, node.items[i] as Node));
  const items: Node[] = [];
  for (const id of order) {
    const present = new Map<string, unknown>();
    for (const [tenant, list] of values) {
      const at = perTenant.get(tenant)!.indexOf(id);
      if (at >= 0) present.set(tenant, list[at]);
    }
    let itemNode = nodeItems.get(id);
    let from = origin;
    if (!itemNode) {
      from = present.keys().next().value!;
      itemNode = ctx.document.createNode(present.get(from)) as Node;
    }
    const label = itemLabel(id, present.get(from));
    const result = factorNode(ctx, itemNode, present, [...path, label], from);
    if (result === CANNOT) return CANNOT;
    if (present.size < values.size && !addCondition(ctx, result, present, values.keys(), [...path, label])) return CANNOT;
    items.push(result);
  }
  node.items = items;
  return node;
}

/** Adds `$when: tenant.vars.<flag>` to a mapping only the `present` tenants have. */
function addCondition(ctx: Context, node: Node, present: ReadonlyMap<string, unknown>, all: Iterable<string>, path: string[]): boolean {
  if (!isMap(node)) return false;
  const flag = ctx.vars.flagFor(path[path.length - 1] ?? "part", new Set(present.keys()), all);
  ctx.used.add(flag);
  const expression = `tenant.vars.${flag}`;
  ctx.conditions.push(`${path.join(".")}: $when ${expression}`);
  node.items.unshift(ctx.document.createPair("$when", expression) as Pair);
  return true;
}

/** List items are matched across copies by `id` (tasks, triggers, inputs), `name` or `key`. */
function namedIdentity(item: unknown): string | undefined {
  if (!isPlainObject(item)) return undefined;
  for (const field of ["id", "name", "key"]) {
    const value = item[field];
    if (typeof value === "string") return `${field}=${value}`;
  }
  return undefined;
}

/** A mapping without a name is matched by its content, read with the tenant's code and namespace as placeholders. */
function contentIdentity(ctx: Context, tenant: string, item: unknown): string | undefined {
  if (!isPlainObject(item)) return undefined;
  return `=${JSON.stringify(item, (_, v: unknown) => (typeof v === "string" ? substituteTenant(ctx, tenant, v) : v))}`;
}

function itemLabel(id: string, item: unknown): string {
  if (id.startsWith("#")) return id.slice(1);
  if (!id.startsWith("=")) return id.slice(id.indexOf("=") + 1);
  const record = item as Record<string, unknown>;
  for (const field of ["flowId", "type", "namespace"]) if (typeof record[field] === "string") return String(record[field]).split(".").pop()!;
  return "item";
}

/** One string for all copies when they differ only by the tenant's namespace or code. */
function unifyStrings(ctx: Context, values: ReadonlyMap<string, string>): string | undefined {
  let unified: string | undefined;
  for (const [tenant, text] of values) {
    const candidate = substituteTenant(ctx, tenant, text);
    if (unified === undefined) unified = candidate;
    else if (candidate !== unified) return undefined;
  }
  return unified;
}

/** The text escaped for a template, with the tenant's namespace and code written as placeholders. */
function substituteTenant(ctx: Context, tenant: string, text: string): string {
  const namespace = ctx.namespaces.get(tenant) ?? tenant;
  let pattern = ctx.substitutions.get(tenant);
  if (!pattern) {
    // Whole names only: the code `a` is not inside `read`, but `acme` is inside `acme_dw` and `s3://lake/acme/`.
    pattern = new RegExp(`(?<![A-Za-z0-9])(?:${escapeRegExp(namespace)}|${escapeRegExp(tenant)})(?![A-Za-z0-9])`, "g");
    ctx.substitutions.set(tenant, pattern);
  }
  return escapePlaceholders(text).replace(pattern, (match) => (match === namespace ? "${flow.namespace}" : "${tenant.code}"));
}

const PEBBLE = /(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\})/;

function holdsPebble(value: unknown): boolean {
  if (typeof value === "string") return /\{\{|\{%|\{#/.test(value);
  if (Array.isArray(value)) return value.some(holdsPebble);
  if (isPlainObject(value)) return Object.values(value).some(holdsPebble);
  return false;
}

/**
 * `EUR is {{ outputs.cost.value }}` vs `USD is {{ outputs.cost.value }}`: when the copies share
 * their Pebble expressions and differ only in the text between them, each differing piece of text
 * becomes a var and the expressions stay in the template (a tenant value never holds Pebble).
 */
function varsAroundPebble(ctx: Context, values: ReadonlyMap<string, string>, path: string[]): string | undefined {
  const split = new Map([...values].map(([tenant, text]) => [tenant, text.split(PEBBLE)]));
  const parts = [...split.values()];
  const first = parts[0]!;
  if (first.length < 2 || parts.some((p) => p.length !== first.length)) return undefined;
  let template = "";
  for (let i = 0; i < first.length; i++) {
    const pieces = new Map([...split].map(([tenant, p]) => [tenant, p[i]!]));
    const distinct = new Set(pieces.values());
    if (i % 2 === 1) {
      if (distinct.size !== 1) return undefined;
      template += escapePlaceholders(first[i]!);
    } else if (distinct.size === 1) {
      template += escapePlaceholders(first[i]!);
    } else {
      const partPath = first.length > 3 ? [...path, `part${i / 2 + 1}`] : path;
      const unified = unifyStrings(ctx, pieces) ?? varInsideString(ctx, pieces, partPath);
      if (unified !== undefined) {
        template += unified;
        continue;
      }
      const name = ctx.vars.varFor(partPath, pieces);
      ctx.used.add(name);
      template += `\${tenant.vars.${name}}`;
    }
  }
  return template;
}

/** Characters a value in a longer string usually starts or ends at (`--out=`, `s3://bucket/`). */
const SEPARATORS = /[=/:,@\s]/;

/**
 * `--payer-account=${tenant.vars.payerAccount}`: when the copies share a prefix or suffix around
 * the part that differs, only that part becomes a var, named from the prefix's last word.
 */
function varInsideString(ctx: Context, values: ReadonlyMap<string, string>, path: string[]): string | undefined {
  const texts = [...values.values()];
  if (texts.some((t) => t.includes("$"))) return undefined;
  const first = texts[0]!;
  let prefix = 0;
  while (prefix < first.length && texts.every((t) => t[prefix] === first[prefix])) prefix++;
  let suffix = 0;
  while (suffix < first.length - prefix && texts.every((t) => t.length - suffix > prefix && t[t.length - 1 - suffix] === first[first.length - 1 - suffix])) suffix++;
  // Cut at separators, so the var holds whole words (`eu-west-3`, not `3`).
  while (prefix > 0 && !SEPARATORS.test(first[prefix - 1]!)) prefix--;
  while (suffix > 0 && !SEPARATORS.test(first[first.length - suffix]!)) suffix--;
  if (prefix === 0 && suffix === 0) return undefined;
  // Words around the var make it readable (`--out=`, `of `); `53 2` + ` * * *` of a cron does not.
  if (!/[A-Za-z]{2}/.test(first.slice(0, prefix) + first.slice(first.length - suffix))) return undefined;
  const middles = new Map<string, unknown>();
  for (const [tenant, text] of values) {
    const middle = text.slice(prefix, text.length - suffix);
    if (middle === "") return undefined;
    middles.set(tenant, middle);
  }
  const head = first.slice(0, prefix);
  const word = /([A-Za-z][A-Za-z0-9_-]*)[=:]?\s*$/.exec(head)?.[1];
  const name = ctx.vars.varFor(word && /[=:]\s*$/.test(head) ? [word] : path, middles);
  ctx.used.add(name);
  return `${escapePlaceholders(head)}\${tenant.vars.${name}}${escapePlaceholders(first.slice(first.length - suffix))}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function keyText(pair: unknown): string | undefined {
  if (!isPair(pair)) return undefined;
  const key = pair.key;
  if (isScalar(key)) return String(key.value);
  if (key === null || typeof key !== "object") return String(key);
  return undefined;
}

/** Escapes literal `${` in every string value under `node` (keys are left alone: they are not substituted). */
export function escapeNode(node: Node): void {
  if (isScalar(node)) {
    if (typeof node.value === "string") node.value = escapePlaceholders(node.value);
    return;
  }
  visit(node, {
    Scalar(key, scalar) {
      if (key !== "key" && typeof scalar.value === "string" && scalar.value.includes("${")) scalar.value = escapePlaceholders(scalar.value);
    },
  });
}

function withoutKey(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}
