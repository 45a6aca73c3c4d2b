import { SUBFLOW_TYPE_NAMES } from "./kestra-types.js";
import { imageScalarsOf, isImageScalar } from "./images.js";
import { collectTasks } from "./tasks.js";
import { BoundedStringCache, documentSlot, hasPebble, memoized, type ValuePath } from "./values.js";

/** One `{{ ... }}` or `{% ... %}` of a string: its inside, and where that inside starts in the string. */
export interface PebbleExpression {
  code: string;
  /** Offset of `code` in the string. */
  start: number;
}

/** The inside of every `{{ ... }}` and `{% ... %}` of a string (Kestra's Pebble expressions). */
export function pebbleExpressions(text: string): PebbleExpression[] {
  const out: PebbleExpression[] = [];
  const pattern = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) out.push({ code: match[1] ?? match[2] ?? "", start: match.index + 2 });
  return out;
}

/**
 * Blanks Pebble string literals (keeping every offset), so `'outputs.x'` written as text is not
 * taken for a reference; a bare word literal is kept, as `outputs['my-task']` needs it.
 */
function withoutStringLiterals(expression: string): string {
  return expression.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, (literal) =>
    /^['"][\w-]+['"]$/.test(literal) ? literal : literal[0] + " ".repeat(literal.length - 2) + literal[0],
  );
}

/** Scalars of a flow holding Pebble, with where they sit. */
export interface PebbleScalar {
  value: string;
  path: ValuePath;
}

/** Keys whose values Kestra never renders for the flow itself. */
const UNRENDERED_KEYS = new Set(["description", "pluginDefaults", "taskDefaults"]);

/** A scalar of a flow (string, number, boolean or null) with where it sits and the key (or list index) holding it. */
export interface KeyedScalar {
  value: string | number | boolean | null;
  path: ValuePath;
  key: string | number | undefined;
}

const pebbleScalarsOf = documentSlot<readonly PebbleScalar[]>();

/**
 * Every string of a flow that holds Pebble and that Kestra renders in the flow's own context:
 * not descriptions, plugin defaults (rendered in each task's context), triggers (a Flow trigger's
 * `inputs` read the upstream execution) or a Subflow's deprecated `outputs` (they read the child's).
 */
export function collectPebbleScalars(document: unknown): readonly PebbleScalar[] {
  if (typeof document === "object" && document !== null) {
    const cached = pebbleScalarsOf.get(document);
    if (cached) return cached;
  }
  return walkScalars(document, undefined).pebble;
}

/** Picks scalars by value and key. */
export type Watch = (value: unknown, key: string | number | undefined) => boolean;

/**
 * A watch in two parts, for a walk that asks about each key name once: a scalar is picked when its
 * key (a string) is one `key` picks, whatever the scalar holds, or when it is a string `value` picks.
 */
export interface ScalarWatch {
  /** Asked once per key name and kept: it must be a pure function of the key. */
  key(key: string): boolean;
  value(value: string, key: string | number | undefined): boolean;
}

/**
 * The scalars `watch` picks (by value and key), in document order, found in the same walk that
 * finds the flow's Pebble scalars for `collectPebbleScalars` and the image strings for
 * `collectImages`: a reader of all three walks a flow once.
 */
export function collectWatchedScalars(document: unknown, watch: Watch | ScalarWatch): KeyedScalar[] {
  return walkScalars(document, watch).watched;
}

/** What the walk knows of a key name, found once per name (the same keys recur in every flow). */
const KEY_UNRENDERED = 1;
const KEY_IMAGE = 2;
/** The key is one a `ScalarWatch` picks. */
const KEY_WATCHED = 4;
/** Key names whose flags are kept: beyond it (a platform of generated keys), the table starts again. */
const MAX_KEY_FLAGS = 50_000;
const keyFlagsOfKey = (key: string): number => (UNRENDERED_KEYS.has(key) ? KEY_UNRENDERED : 0) | (isImageScalar("", key) ? KEY_IMAGE : 0);
const plainKeyFlags = new BoundedStringCache(keyFlagsOfKey, MAX_KEY_FLAGS);
const keyFlagsByWatch = new WeakMap<ScalarWatch, BoundedStringCache<number>>();

function keyFlagsOf(watch: Watch | ScalarWatch | undefined): BoundedStringCache<number> {
  if (watch === undefined || typeof watch === "function") return plainKeyFlags;
  let flags = keyFlagsByWatch.get(watch);
  if (flags === undefined) keyFlagsByWatch.set(watch, (flags = new BoundedStringCache((key) => keyFlagsOfKey(key) | (watch.key(key) ? KEY_WATCHED : 0), MAX_KEY_FLAGS)));
  return flags;
}

/** One walk's state: module-level functions over it, not closures made per flow. */
interface ScalarWalk {
  watch: Watch | ScalarWatch | undefined;
  keyFlags: BoundedStringCache<number>;
  /** The objects Kestra renders in another context (Subflow `outputs`): most flows have one or two, no set is built for so few. */
  otherContext: readonly unknown[] | ReadonlySet<unknown> | undefined;
  /** One path stack for the whole walk (objects only): a path is copied only for a scalar kept. */
  path: (string | number)[];
  pebble: PebbleScalar[];
  watched: KeyedScalar[];
  // With `watch`, the walk reaches every scalar: it also finds every image-keyed string.
  images: { image: string; path: ValuePath }[];
}

function walkScalars(document: unknown, watch: Watch | ScalarWatch | undefined): { pebble: readonly PebbleScalar[]; watched: KeyedScalar[] } {
  const isObject = typeof document === "object" && document !== null;
  const cachedPebble = isObject ? pebbleScalarsOf.get(document) : undefined;
  let otherContext: unknown[] | undefined;
  if (!cachedPebble) {
    for (const { task } of collectTasks(document)) {
      const type = task.type;
      if (typeof type === "string" && SUBFLOW_TYPE_NAMES.has(type)) (otherContext ??= []).push(task.outputs);
    }
  }
  const walk: ScalarWalk = {
    watch,
    keyFlags: keyFlagsOf(watch),
    otherContext: otherContext && otherContext.length > 8 ? new Set(otherContext) : otherContext,
    path: [],
    pebble: [],
    watched: [],
    images: [],
  };
  if (isObject) visitObject(walk, document, !cachedPebble);
  else visitScalar(walk, document as KeyedScalar["value"], undefined, 0, !cachedPebble);
  if (watch && isObject) imageScalarsOf.set(document, walk.images);
  if (cachedPebble) return { pebble: cachedPebble, watched: walk.watched };
  if (isObject) pebbleScalarsOf.set(document, walk.pebble);
  return { pebble: walk.pebble, watched: walk.watched };
}

/** `rendered`: the node is one Kestra renders in the flow's own context (see collectPebbleScalars). */
function visitObject(walk: ScalarWalk, node: object, rendered: boolean): void {
  const path = walk.path;
  if (Array.isArray(node)) {
    for (let index = 0; index < node.length; index++) {
      const child: unknown = node[index];
      if (typeof child === "object" && child !== null) {
        path.push(index);
        visitObject(walk, child, rendered);
        path.pop();
      } else visitScalar(walk, child as KeyedScalar["value"], index, 0, rendered);
    }
    return;
  }
  const otherContext = walk.otherContext;
  const renderedHere = rendered && (otherContext === undefined || !(Array.isArray(otherContext) ? otherContext.includes(node) : (otherContext as ReadonlySet<unknown>).has(node)));
  const watched = walk.watch !== undefined;
  if (!renderedHere && !watched) return;
  const atRoot = path.length === 0;
  const keyFlags = walk.keyFlags;
  const record = node as Record<string, unknown>;
  // `for...in` over a parsed document's plain objects: their own keys in `Object.keys` order, without an array per object.
  for (const key in record) {
    const flags = keyFlags.get(key);
    const renderedChild = renderedHere && (flags & KEY_UNRENDERED) === 0 && !(atRoot && key === "triggers");
    if (!renderedChild && !watched) continue;
    const child = record[key];
    if (typeof child === "object" && child !== null) {
      path.push(key);
      visitObject(walk, child, renderedChild);
      path.pop();
    } else visitScalar(walk, child as KeyedScalar["value"], key, flags, renderedChild);
  }
}

function visitScalar(walk: ScalarWalk, value: KeyedScalar["value"], key: string | number | undefined, flags: number, rendered: boolean): void {
  let at: ValuePath | undefined;
  if (rendered && typeof value === "string" && hasPebble(value)) walk.pebble.push({ value, path: (at = pathTo(walk.path, key)) });
  const watch = walk.watch;
  if (watch === undefined) return;
  if (typeof watch === "function" ? watch(value, key) : (flags & KEY_WATCHED) !== 0 || (typeof value === "string" && watch.value(value, key))) {
    walk.watched.push({ value, key, path: (at ??= pathTo(walk.path, key)) });
  }
  if ((flags & KEY_IMAGE) !== 0 && typeof value === "string") walk.images.push({ image: value, path: at ?? pathTo(walk.path, key) });
}

/** A copy of the path of the object being walked, with `key` (when there is one) after it. */
function pathTo(path: readonly (string | number)[], key: string | number | undefined): (string | number)[] {
  const at = path.slice();
  if (key !== undefined) at.push(key);
  return at;
}

export type PebbleRoot = "outputs" | "inputs";

/** A `root.key` / `root['key']` read in a Pebble expression. */
export interface PebbleReference {
  root: PebbleRoot;
  /** The key after `root.` or inside `root['...']`, with any dotted continuation (`a.b.c`). */
  key: string;
  /** True when written with brackets: `outputs['my-task']`. */
  bracket: boolean;
  /** True when a missing value is handled: `?? 'x'`, `| default(...)`, `is defined`, `is null`, `is empty`. */
  guarded: boolean;
  /** The string scalar it was found in: one array shared by every reference of that string (readers may key on it). */
  path: ValuePath;
  /** Where the reference starts in that string, and the text it spans there. */
  index: number;
  text: string;
}

/** What may follow a reference to guard it: more property access, then `??`, a filter chain reaching `default`, or a test. */
const GUARD = /^\s*(?:(?:\.\s*[\w-]+|\[[^\]]*\])\s*)*(?:\?\?|(?:\|\s*\w+\s*(?:\([^)]*\))?\s*)*\|\s*default\b|is\s+(?:not\s+)?(?:defined|null|empty)\b)/;

/** A reference as found in one string, before it is given the path of the scalar holding it. */
type StringReference = Omit<PebbleReference, "path">;

function referencePatterns(root: PebbleRoot): { dotted: RegExp; bracket: RegExp } {
  return {
    dotted: new RegExp(`(?<![\\w.\\]'"])${root}\\s*\\.\\s*([A-Za-z0-9_][\\w-]*(?:\\.[A-Za-z0-9_][\\w-]*)*)`, "g"),
    bracket: new RegExp(`(?<![\\w.\\]'"])${root}\\s*\\[\\s*['"]([^'"]+)['"]\\s*\\]`, "g"),
  };
}
const PATTERNS: Record<PebbleRoot, { dotted: RegExp; bracket: RegExp }> = { outputs: referencePatterns("outputs"), inputs: referencePatterns("inputs") };

/** The `root` references of one string, in order; a pure function of the string. */
function referencesInString(value: string, root: PebbleRoot): StringReference[] {
  const out: StringReference[] = [];
  const { dotted, bracket } = PATTERNS[root];
  for (const expression of pebbleExpressions(value)) {
    const code = withoutStringLiterals(expression.code);
    const found: StringReference[] = [];
    for (const [pattern, isBracket] of [[dotted, false], [bracket, true]] as const) {
      pattern.lastIndex = 0;
      for (let match = pattern.exec(code); match; match = pattern.exec(code)) {
        const end = match.index + match[0].length;
        found.push({
          root,
          key: match[1] ?? "",
          bracket: isBracket,
          guarded: GUARD.test(code.slice(end)),
          index: expression.start + match.index,
          text: match[0],
        });
      }
    }
    found.sort((a, b) => a.index - b.index);
    out.push(...found);
  }
  return out;
}

// The same Pebble strings recur in every tenant's flows of a template: each is scanned once.
const referencesByString: Record<PebbleRoot, BoundedStringCache<readonly StringReference[]>> = {
  outputs: new BoundedStringCache((value) => referencesInString(value, "outputs")),
  inputs: new BoundedStringCache((value) => referencesInString(value, "inputs")),
};

const byRoot = { outputs: memoized((document) => collect(document, "outputs")), inputs: memoized((document) => collect(document, "inputs")) };

function collect(document: unknown, root: PebbleRoot): PebbleReference[] {
  const out: PebbleReference[] = [];
  const cache = referencesByString[root];
  for (const scalar of collectPebbleScalars(document)) {
    if (!scalar.value.includes(root)) continue;
    for (const found of cache.get(scalar.value)) {
      out.push({ root, key: found.key, bracket: found.bracket, guarded: found.guarded, path: scalar.path, index: found.index, text: found.text });
    }
  }
  return out;
}

/**
 * Every `outputs.x` / `inputs.x` (not `trigger.outputs`, `parents[0].outputs`) read in the Pebble
 * expressions a flow renders in its own context, with its exact place in its string.
 */
export function collectPebbleReferences(document: unknown, root: PebbleRoot): readonly PebbleReference[] {
  return byRoot[root](document);
}
