import { describe, expect, it } from "vitest";
import { evaluateHcl, HclSubsetError, parseAttribute } from "./hcl-expression.js";

const files = ["main.tf", "flows/tenant/bronze/a.yaml.tftpl", "flows/tenant/silver/b.yaml.tftpl", "flows/tenant/gold/c.yaml.tftpl", "flows/other.txt"];
const evaluate = (attribute: unknown, each?: string) => evaluateHcl(parseAttribute(attribute), { files, ...(each ? { each: { key: each, value: each } } : {}) });

describe("the HCL subset", () => {
  it.each([
    ["fileset with ** and path.module", '${fileset("${path.module}/flows/tenant", "**/*.yaml.tftpl")}', undefined, ["bronze/a.yaml.tftpl", "gold/c.yaml.tftpl", "silver/b.yaml.tftpl"]],
    ["fileset with {a,b}", '${fileset("flows/tenant", "{bronze,silver}/*.yaml.tftpl")}', undefined, ["bronze/a.yaml.tftpl", "silver/b.yaml.tftpl"]],
    ["format and dirname", '${format("%s.%s", "customer_1", dirname(each.value))}', "bronze/a.yaml.tftpl", "customer_1.bronze"],
    ["trimsuffix and basename", '${trimsuffix(basename(each.value), ".yaml.tftpl")}', "bronze/a.yaml.tftpl", "a"],
    ["a literal", "customer_1.bronze", undefined, "customer_1.bronze"],
    [
      "templatefile keeps its call",
      '${templatefile("${path.module}/flows/tenant/${each.value}", {\n    tenant_code = "c1" # the customer\n    src_cloud_aws = 1, enabled = true\n  })}',
      "bronze/a.yaml.tftpl",
      { templatefile: "flows/tenant/bronze/a.yaml.tftpl", vars: { tenant_code: "c1", src_cloud_aws: 1, enabled: true } },
    ],
  ])("%s", (_, attribute, each, expected) => {
    expect(evaluate(attribute, each)).toEqual(expected);
  });

  it.each([
    ["another function", '${file("a.yaml")}', "function file() is not supported"],
    ["a variable", '${templatefile("a", var.vars)}', "reference var.vars is not supported"],
    ["a dynamic map", '${templatefile("a", local.customers["x"])}', "indexing local.customers[...] is not supported"],
    ["a conditional", '${x == 1 ? "a" : "b"}', 'operator "=" is not supported'],
    ["an operator", '${"a" == "b"}', 'operator "=" is not supported'],
    ["a for expression", '${[for f in x : f]}', "outside the supported subset"],
  ])("refuses %s", (_, attribute, message) => {
    expect(() => evaluate(attribute)).toThrow(HclSubsetError);
    expect(() => evaluate(attribute)).toThrow(message);
  });
});
