import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { doubleQuoted, flowText, isPlainSafe, literalBlock, singleQuoted, stringText } from "./yaml-text.js";

const nasty = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: fc.constantFrom("'", '"', ":", "#", "\n", " ", "\t", "-", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "%", "@", "`", "\\", "é", "\u2028", "\u0085", "\ufeff", "😀", "a", "1", "y", "~") }),
  fc.constantFrom("true", "no", "on", "null", "~", "0x10", "1e3", "012", ".inf", "2001-12-14", "-", "? x", "- a", "a: b", "a #b", "<<", "=", " lead", "trail "),
);

const read = (text: string): unknown => (parse(`k: ${text}\n`, { strict: true }) as { k: unknown }).k;

describe("writing strings into YAML", () => {
  it("reads back every string exactly, in every style", () => {
    fc.assert(
      fc.property(nasty, (s) => {
        expect(read(doubleQuoted(s))).toBe(s);
        const single = singleQuoted(s);
        if (single !== undefined) expect(read(single)).toBe(s);
        for (const style of ["PLAIN", "QUOTE_SINGLE", "QUOTE_DOUBLE"]) expect(read(stringText(s, style))).toBe(s);
        if (isPlainSafe(s)) expect(read(s)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  }, 60_000);

  it("decides plain-safety exactly as the regular-expression definition does", () => {
    const reference = (s: string) =>
      /^[A-Za-z_/][A-Za-z0-9_./@:+-]*( [A-Za-z0-9_./@:+-]+)*$/.test(s) &&
      !/^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|<<|=)$/.test(s) &&
      !s.endsWith(":") &&
      !s.includes(": ") &&
      !/^[-+.]?[0-9]/.test(s);
    const plainish = fc.string({ unit: fc.constantFrom("a", "Z", "_", "/", "0", ".", "@", ":", "+", "-", " ", "é", "y", "n", "o", "f", "\t", "#") });
    fc.assert(
      fc.property(fc.oneof(nasty, plainish), (s) => {
        expect(isPlainSafe(s)).toBe(reference(s));
      }),
      { numRuns: 5000 },
    );
    for (const s of ["on", "off", "Off", "false", "falsey", "a: b", "a:", "a :b", "a  b", "a b", "s3://bucket/x", "tenant_0000", ""]) expect(isPlainSafe(s)).toBe(reference(s));
  });

  it("reads back any JSON value written in flow style", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(read(flowText(value))).toEqual(value);
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it("keeps a literal block only when it can hold the string", () => {
    fc.assert(
      fc.property(nasty, fc.constantFrom("|", "|-"), (s, header) => {
        const block = literalBlock(s, header, "  ");
        if (block !== undefined) expect(read(block)).toBe(s);
      }),
      { numRuns: 2000 },
    );
    expect(literalBlock("echo a\necho b\n", "|", "    ")).toBe("|\n    echo a\n    echo b\n");
    expect(literalBlock(" leading", "|-", "  ")).toBeUndefined();
  });
});
