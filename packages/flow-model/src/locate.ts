import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Scalar } from "yaml";
import type { ValuePath } from "./values.js";

/** A 1-based line and column. */
export interface LineColumn {
  line: number;
  column: number;
}

/**
 * One step down a YAML tree: the node under `segment`, and the offset a position there points at
 * (a value's start; a key's when the value is empty or, with `collectionsAtKey`, a collection).
 */
export function stepInto(node: unknown, segment: string | number, collectionsAtKey = false): { node: Node | null; offset: number | undefined } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
    if (!pair) return undefined;
    const key = pair.key as Node;
    const value = pair.value as Node | null;
    const atKey = !value?.range || (collectionsAtKey && !isScalar(value));
    return { node: value, offset: (atKey ? key.range?.[0] : value.range?.[0]) ?? undefined };
  }
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment] as Node | null | undefined;
    if (!item) return undefined;
    return { node: item, offset: item.range?.[0] };
  }
  return undefined;
}

/** The offset of the node at `path` under `root`, or of its nearest existing ancestor. */
export function offsetOfPath(root: Node | null | undefined, path: ValuePath, options: { collectionsAtKey?: boolean } = {}): number {
  let node: unknown = root;
  let offset = root?.range?.[0] ?? 0;
  for (const segment of path) {
    const step = stepInto(node, segment, options.collectionsAtKey);
    if (!step) break;
    if (step.offset !== undefined) offset = step.offset;
    if (!step.node) break;
    node = step.node;
  }
  return offset;
}

/** Line and column of an offset. */
export function lineColumnAt(lineCounter: LineCounter, offset: number): LineColumn {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** The offset of a line and column (the inverse of `lineColumnAt`). */
export function offsetAt(lineCounter: LineCounter, position: LineColumn): number {
  const lineStart = lineCounter.lineStarts[position.line - 1] ?? 0;
  return lineStart + position.column - 1;
}

/** The scalar whose source starts at `offset`, if any. */
export function scalarStartingAt(document: Document, offset: number): Scalar | undefined {
  let found: Scalar | undefined;
  visit(document, {
    Scalar(_, node) {
      if (node.range?.[0] === offset) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** A part of a string value: `text`, found at `index` of `value`. */
export interface ValuePart {
  index: number;
  text: string;
  /** The string `index` counts in; default: the scalar's own value (a rendered flow's may differ). */
  value?: string;
}

/**
 * Where a part of a scalar's value is written in the source: the n-th `text` of the value is the
 * n-th in the scalar's source (quotes, block scalar headers and indentation only shift it). Falls
 * back to the scalar's start when the source spells it otherwise (escapes, folding).
 */
export function offsetInScalar(source: string, scalar: Scalar, part: ValuePart): number {
  const start = scalar.range?.[0] ?? 0;
  const value = part.value ?? String(scalar.value);
  let occurrence = 0;
  for (let at = value.indexOf(part.text); at !== -1 && at < part.index; at = value.indexOf(part.text, at + 1)) occurrence++;
  const written = source.slice(start, scalar.range?.[1] ?? source.length);
  let at = written.indexOf(part.text);
  for (let skipped = 0; at !== -1 && skipped < occurrence; skipped++) at = written.indexOf(part.text, at + 1);
  return at === -1 ? start : start + at;
}

/** A parsed YAML file that can say where a node of its value, or a part of one of its strings, is written. */
export interface LocatedYaml {
  text: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** 1-based position of the node at `path` (collections at their key), or of its nearest existing ancestor. */
  locate(path: ValuePath, within?: ValuePart): LineColumn;
}

/**
 * `text` as a located YAML file, parsed (keeping node ranges, so findings map back to line and
 * column) on first use: most files a lint run may need to locate in hold no finding.
 */
export function parseLocatedYaml(text: string): LocatedYaml {
  let parsed: { document: Document.Parsed; lineCounter: LineCounter } | undefined;
  const parse = (): { document: Document.Parsed; lineCounter: LineCounter } => {
    if (!parsed) {
      const lineCounter = new LineCounter();
      parsed = { document: parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false }), lineCounter };
    }
    return parsed;
  };
  return {
    text,
    get document() {
      return parse().document;
    },
    get lineCounter() {
      return parse().lineCounter;
    },
    locate(path, within) {
      const { document, lineCounter } = parse();
      let offset = offsetOfPath(document.contents as Node | null, path, { collectionsAtKey: true });
      if (within) {
        const scalar = scalarStartingAt(document, offset);
        if (scalar) offset = offsetInScalar(text, scalar, within);
      }
      return lineColumnAt(lineCounter, offset);
    },
  };
}
