import { isMap, isScalar, type Document, type Node } from "yaml";

/**
 * Removes a top-level key, handing a comment written above it to the next key (or to the
 * document), so the lines a person wrote survive the edit.
 */
export function deleteKeepingComments(document: Document, key: string): void {
  const root = document.contents;
  if (!isMap(root)) return;
  const at = root.items.findIndex((pair) => (isScalar(pair.key) ? pair.key.value : pair.key) === key);
  if (at < 0) return;
  const removed = root.items[at]!;
  const comment = (removed.key as Node | null)?.commentBefore;
  const spaceBefore = (removed.key as Node | null)?.spaceBefore;
  root.items.splice(at, 1);
  if (!comment && !spaceBefore) return;
  const next = root.items[at]?.key as Node | undefined;
  if (next && typeof next === "object") {
    if (comment) next.commentBefore = next.commentBefore ? `${comment}\n${next.commentBefore}` : comment;
    if (spaceBefore) next.spaceBefore = true;
  } else if (comment) {
    document.comment = document.comment ? `${comment}\n${document.comment}` : comment;
  }
}
