import { isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import type { ParsedYamlFile } from "./yaml-file.js";
import { positionAt } from "./yaml-file.js";
import type { SourcePosition, ValuePath } from "./types.js";

/** The position of the node at `path` in a parsed file, or of its nearest existing ancestor. */
export function locateInYaml(parsed: ParsedYamlFile, path: ValuePath): SourcePosition {
  let node = parsed.document.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (const segment of path) {
    let next: Node | null | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair) {
        next = pair.value as Node | null;
        offset = next?.range?.[0] ?? (pair.key as Node).range?.[0] ?? offset;
        if (!next) break;
      }
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment] as Node | null | undefined;
      if (next?.range) offset = next.range[0];
    }
    if (!next) break;
    node = next;
  }
  return positionAt(parsed.file, parsed.lineCounter, offset);
}
