import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import type { SourcePosition, ValuePath } from "@flowops/render";

/** A parsed YAML file that can say where a node of its value is. */
export interface LocatedYaml {
  document: Document.Parsed;
  /** 1-based position of the node at `path`, or of its nearest existing ancestor. */
  locate(path: ValuePath): SourcePosition;
}

/** Parses `text` keeping node ranges, so findings map back to `file:line:column`. */
export function parseLocatedYaml(text: string, file: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  return {
    document,
    locate(path) {
      let node: unknown = document.contents;
      let best = 0;
      for (const segment of path) {
        if (isMap(node)) {
          const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
          if (!pair) break;
          const keyNode = pair.key as Node;
          const valueNode = pair.value as Node | null;
          // Scalars point at their value; collections (which start on the next line) at their key.
          const target = valueNode && isScalar(valueNode) && valueNode.range ? valueNode : keyNode;
          if (target.range) best = target.range[0];
          node = valueNode;
        } else if (isSeq(node) && typeof segment === "number") {
          const item = node.items[segment] as Node | undefined;
          if (!item) break;
          if (item.range) best = item.range[0];
          node = item;
        } else {
          break;
        }
      }
      if (path.length === 0) {
        const root = document.contents as Node | null;
        best = root?.range?.[0] ?? 0;
      }
      return position(best);
    },
  };
}
