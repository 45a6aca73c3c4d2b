import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEdits, insertEdit, type TextEdit } from "./splice.js";

/** Edits as a render makes them: a list in text order (possibly with ties), then some added out of order. */
const editLists = fc
  .tuple(
    fc.array(fc.tuple(fc.nat(40), fc.nat(3), fc.string({ maxLength: 3 })), { maxLength: 8 }),
    fc.array(fc.tuple(fc.nat(40), fc.string({ minLength: 1, maxLength: 3 })), { maxLength: 3 }),
  )
  .map(([ranges, insertions]) => {
    const inOrder: TextEdit[] = [];
    let cursor = 0;
    for (const [gap, length, text] of ranges) {
      const start = cursor + (gap % 5);
      inOrder.push({ start, end: start + length, text });
      cursor = start + length;
    }
    return { inOrder, insertions: insertions.map(([at, text]): TextEdit => ({ start: at, end: at, text })) };
  });

describe("insertEdit", () => {
  it("puts an edit where a stable sort by position would, ties after the edits already there", () => {
    fc.assert(
      fc.property(editLists, ({ inOrder, insertions }) => {
        const pushed = [...inOrder, ...insertions];
        const sorted = pushed.map((edit, order) => ({ edit, order })).sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order).map(({ edit }) => edit);
        const inserted = [...inOrder];
        for (const edit of insertions) insertEdit(inserted, edit);
        expect(inserted).toEqual(sorted);
      }),
    );
  });

  it("gives applyEdits the text that pushing and sorting gives, including two insertions at one offset", () => {
    const text = "a: 1\nb: 2\nc: 3\n";
    const inOrder: TextEdit[] = [
      { start: 0, end: 5, text: "" },
      { start: 8, end: 9, text: "20" },
    ];
    const inserted = [...inOrder];
    insertEdit(inserted, { start: 0, end: 0, text: "id: x\n" });
    insertEdit(inserted, { start: 15, end: 15, text: "d: 4\n" });
    insertEdit(inserted, { start: 0, end: 0, text: "namespace: y\n" });
    expect(inserted.map((e) => e.text)).toEqual(["id: x\n", "namespace: y\n", "", "20", "d: 4\n"]);
    expect(applyEdits(text, inserted)).toBe("id: x\nnamespace: y\nb: 20\nc: 3\nd: 4\n");
    expect(applyEdits(text, inserted)).toBe(applyEdits(text, [...inOrder, { start: 0, end: 0, text: "id: x\n" }, { start: 15, end: 15, text: "d: 4\n" }, { start: 0, end: 0, text: "namespace: y\n" }]));
  });
});
