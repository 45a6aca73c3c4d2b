import { describe, expect, it } from "vitest";
import { convertTemplate, evaluateTemplate, scanTemplate, TemplateSubsetError, type VariableTarget } from "./tftpl.js";

const target = (name: string): VariableTarget =>
  name === "tenant_code" ? { path: "tenant.code" } : name.startsWith("src_cloud_") ? { path: `tenant.sources.${name.slice(10)}`, flag: true } : { path: `tenant.vars.${name}` };

describe("evaluateTemplate (templatefile semantics)", () => {
  it.each([
    ["interpolation and escapes", "a: ${x}\nb: $${y} %%{z}\n", { x: 1 }, "a: 1\nb: ${y} %{z}\n"],
    ["if / else on a number", "%{ if n == 1 }one%{ else }other%{ endif }", { n: 1 }, "one"],
    ["strip markers", "a:\n  %{~ if ok ~}\n  x\n  %{~ endif ~}\n", { ok: true }, "a:x"],
    ["&&, || and !", "%{ if a == 1 && !(b == 2 || c) }yes%{ endif }", { a: 1, b: 3, c: false }, "yes"],
    ["a string compared with a number is false, as in Terraform", "%{ if n == 1 }one%{ endif }", { n: "1" }, ""],
  ])("%s", (_, text, vars, expected) => {
    expect(evaluateTemplate(scanTemplate(text), vars)).toBe(expected);
  });
});

describe("convertTemplate", () => {
  it.each([
    ["variables to render paths", "ns: ${tenant_code}.bronze\nw: ${warehouse}\nraw: $${HOME}\n", "ns: ${tenant.code}.bronze\nw: ${tenant.vars.warehouse}\nraw: $${HOME}\n"],
    ["a source flag written into the text keeps its number", "aws: ${src_cloud_aws}\n", "aws: ${tenant.vars.src_cloud_aws}\n"],
    [
      "%{ if } around list items to $when on each item",
      "tasks:\n%{ if src_cloud_aws == 1 }\n  - id: a\n    type: T\n  - id: b\n    type: T\n%{ endif }\n  - id: c\n",
      "tasks:\n  - $when: tenant.sources.aws\n    id: a\n    type: T\n  - $when: tenant.sources.aws\n    id: b\n    type: T\n  - id: c\n",
    ],
    [
      "%{ if } around a key with a mapping value, with %{ else }",
      "x:\n%{ if src_cloud_gcp == 0 }\n  one:\n    v: 1\n%{ else }\n  two:\n    v: 2\n%{ endif }\n",
      "x:\n  one:\n    $when: '!tenant.sources.gcp'\n    v: 1\n  two:\n    $when: tenant.sources.gcp\n    v: 2\n",
    ],
    ["nested blocks join with &&", "t:\n%{ if src_cloud_aws == 1 }\n%{ if tier == \"gold\" }\n  - id: a\n%{ endif }\n%{ endif }\n", "t:\n  - $when: (tenant.vars.tier == \"gold\") && (tenant.sources.aws)\n    id: a\n"],
  ])("%s", (_, text, expected) => {
    expect(convertTemplate(text, scanTemplate(text), target)).toBe(expected);
  });

  it.each([
    ["a for loop", "t:\n%{ for r in regions }\n  - id: ${r}\n%{ endfor }\n", "%{ for } is not supported", "%{ for"],
    ["a function call", "a: ${upper(x)}\n", "only a variable name", "${"],
    ["an inline directive", "a: %{ if x }b%{ endif }\n", "must stand on a line of its own", "%{ if"],
    ["a scalar list item", "a:\n%{ if x == 1 }\n  - plain\n%{ endif }\n", "not a mapping", "%{ if"],
    ["a key with a scalar value", "%{ if x == 1 }\na: 1\n%{ endif }\nb: 2\n", "scalar cannot carry", "%{ if"],
    ["an unclosed if", "a: 0\n%{ if x }\na: 1\n", "without %{ endif }", "%{ if"],
  ])("refuses %s, at its offset", (_, text, message, at) => {
    let error: unknown;
    try {
      convertTemplate(text, scanTemplate(text), target);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateSubsetError);
    expect((error as Error).message).toContain(message);
    expect((error as TemplateSubsetError).offset).toBe(text.indexOf(at));
  });
});
