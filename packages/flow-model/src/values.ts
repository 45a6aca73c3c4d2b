/** A path into a parsed YAML value: map keys and sequence indexes. */
export type ValuePath = readonly (string | number)[];

/** A YAML mapping as parsed into plain data. */
export type YamlMap = Readonly<Record<string, unknown>>;

export function isMap(value: unknown): value is YamlMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function stringProperty(map: YamlMap, key: string): string | undefined {
  const value = map[key];
  return typeof value === "string" ? value : undefined;
}

/** True when a string holds a Pebble expression, i.e. its value is only known at run time. */
export function hasPebble(value: string): boolean {
  // One scan for `{` (most strings have none), where `includes("{{") || includes("{%")` made two.
  for (let at = value.indexOf("{"); at !== -1; at = value.indexOf("{", at + 1)) {
    const next = value.charCodeAt(at + 1);
    if (next === 123 /* { */ || next === 37 /* % */) return true;
  }
  return false;
}

/** Each document's memoized results, one slot per reader: one weak entry per document, not one per reader. */
const resultsOf = new WeakMap<object, unknown[]>();
let slotCount = 0;

/** A place to keep one result per document, shared with the document's other results (see `memoized`). */
export interface DocumentSlot<T> {
  get(document: object): T | undefined;
  set(document: object, value: T): void;
}

/**
 * Drops a document's memoized results, for a reader done with it. A WeakMap entry outlives the
 * young generation (V8's scavenger holds its value strongly, and results hold the document's
 * nodes): a linter forgets each render it is done with, so the render dies young.
 */
export function forgetDocument(document: object): void {
  const results = resultsOf.get(document);
  if (results === undefined) return;
  resultsOf.delete(document);
  // A document derived from this one (the flow with its plugin defaults applied) has results of its own.
  for (const slot of derivingSlots) {
    const derived = results[slot];
    if (typeof derived === "object" && derived !== null && derived !== document) forgetDocument(derived);
  }
}

/** The slots whose results are documents derived from the document (see `memoized`'s `derivesDocument`). */
const derivingSlots: number[] = [];

export function documentSlot<T>(): DocumentSlot<T> {
  return slotAt<T>(slotCount++);
}

function slotAt<T>(slot: number): DocumentSlot<T> {
  return {
    get: (document) => resultsOf.get(document)?.[slot] as T | undefined,
    set: (document, value) => {
      let results = resultsOf.get(document);
      if (results === undefined) resultsOf.set(document, (results = []));
      results[slot] = value;
    },
  };
}

/**
 * One result per parsed document: flow documents are frozen, and every reader asks for the same
 * tasks, triggers and references, so each is computed once per flow, not once per reader.
 */
export function memoized<T>(compute: (document: unknown) => T, options: { derivesDocument?: boolean } = {}): (document: unknown) => T {
  const index = slotCount++;
  // The result is another document that readers memoize results on: forgetting this one forgets that too.
  if (options.derivesDocument) derivingSlots.push(index);
  const slot = slotAt<T>(index);
  return (document) => {
    if (typeof document !== "object" || document === null) return compute(document);
    let value = slot.get(document);
    if (value === undefined) {
      value = compute(document);
      slot.set(document, value);
    }
    return value;
  };
}

/**
 * Results of a pure function of a string, kept while they fit in `maxEntries` entries and
 * `maxChars` characters of keys, then dropped all at once: the strings of a platform's templates
 * repeat in every tenant's flows, and the memory held stays bounded whatever the platform's size.
 */
export class BoundedStringCache<T> {
  private readonly entries = new Map<string, T>();
  private chars = 0;

  constructor(
    private readonly compute: (key: string) => T,
    private readonly maxEntries = 20_000,
    private readonly maxChars = 4_000_000,
  ) {}

  get(key: string): T {
    let value = this.entries.get(key);
    if (value === undefined && !this.entries.has(key)) {
      value = this.compute(key);
      if (key.length <= this.maxChars) {
        if (this.entries.size >= this.maxEntries || this.chars + key.length > this.maxChars) this.clear();
        this.entries.set(key, value);
        this.chars += key.length;
      }
    }
    return value as T;
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}
