/** A text change at a range of the template's own text; an insertion has start === end. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits to a text, in one pass. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  if (edits.length === 0) return text;
  const sorted = isSorted(edits) ? edits : [...edits].sort(byPosition);
  let out = "";
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.start < cursor) {
      throw new Error(`internal error: overlapping template edits at offset ${edit.start} (please report this template)`);
    }
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + text.slice(cursor);
}

/**
 * Adds an edit where a stable sort by position would put it: after every edit at or before its
 * position. A render's edits come mostly in text order; the few that do not (the header, the
 * ownership labels) are put in place so that `applyEdits` need not sort.
 */
export function insertEdit(edits: TextEdit[], edit: TextEdit): void {
  let at = edits.length;
  while (at > 0 && byPosition(edits[at - 1]!, edit) > 0) at--;
  if (at === edits.length) edits.push(edit);
  else edits.splice(at, 0, edit);
}

const byPosition = (a: TextEdit, b: TextEdit) => a.start - b.start || a.end - b.end;

/** Edits mostly come in text order; sorting (stable) would leave such a list as it is. */
function isSorted(edits: TextEdit[]): boolean {
  for (let i = 1; i < edits.length; i++) if (byPosition(edits[i - 1]!, edits[i]!) > 0) return false;
  return true;
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** The offset just past the end of the line holding `offset - 1` (its newline included). */
export function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === "\n") return offset;
  const newline = text.indexOf("\n", offset);
  return newline < 0 ? text.length : newline + 1;
}

/** True when only spaces stand between the start of the line and `offset`. */
export function startsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === "\n") return true;
    if (ch !== " " && ch !== "\t") return false;
  }
  return true;
}
