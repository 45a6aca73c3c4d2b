import { parse, parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { factorTemplate } from "./factor.js";
import { TenantVars } from "./tenant-values.js";

/** Factors copies given as YAML texts by tenant; the first is the document edited. */
function factor(copies: Record<string, string>) {
  const tenants = Object.keys(copies);
  const values = new Map(tenants.map((t) => [t, parse(copies[t]!) as unknown]));
  const document = parseDocument(copies[tenants[0]!]!);
  const vars = new TenantVars();
  const result = factorTemplate({
    document,
    copies: values,
    baseCopy: values.get(tenants[0]!),
    namespaces: new Map(tenants.map((t) => [t, (values.get(t) as { namespace: string }).namespace])),
    vars,
  });
  return { ...result, text: document.toString({ lineWidth: 0 }), vars: Object.fromEntries(tenants.map((t) => [t, vars.of(t)])) };
}

describe("factorTemplate", () => {
  it.each([
    [
      "equal parts stay as written, comments included; the namespace line goes to the config's pattern",
      { a: "# costs\nid: f\nnamespace: a.x\ntasks:\n  - id: t # the task\n    type: T\n", b: "id: f\nnamespace: b.x\ntasks:\n  - id: t\n    type: T\n" },
      "# costs\nid: f\ntasks:\n  - id: t # the task\n    type: T\n",
      { a: {}, b: {} },
    ],
    [
      "a comment above the dropped namespace line stays (rendered copies start with id and namespace)",
      { a: "# what it does\nnamespace: a.x\nid: f\ntasks: []\n", b: "namespace: b.x\nid: f\ntasks: []\n" },
      "# what it does\nid: f\ntasks: []\n",
      { a: {}, b: {} },
    ],
    [
      "the tenant code and namespace inside strings become placeholders",
      { a: "id: f\nnamespace: a.x\nlabels: { tenant: a }\ntasks: [{ id: t, type: T, message: 'read a.x from s3://lake/a/in' }]\n", b: "id: f\nnamespace: b.x\nlabels: { tenant: b }\ntasks: [{ id: t, type: T, message: 'read b.x from s3://lake/b/in' }]\n" },
      "id: f\nlabels: { tenant: \"${tenant.code}\" }\ntasks: [ { id: t, type: T, message: 'read ${flow.namespace} from s3://lake/${tenant.code}/in' } ]\n",
      { a: {}, b: {} },
    ],
    [
      "differing values become typed vars named from the key path; a literal ${ is escaped",
      { a: "id: f\nnamespace: a.x\nconcurrency:\n  limit: 1\ntasks:\n  - id: t\n    type: T\n    script: echo ${HOME}\n", b: "id: f\nnamespace: b.x\nconcurrency:\n  limit: 4\ntasks:\n  - id: t\n    type: T\n    script: echo ${HOME}\n" },
      "id: f\nconcurrency:\n  limit: ${tenant.vars.limit}\ntasks:\n  - id: t\n    type: T\n    script: echo $${HOME}\n",
      { a: { limit: 1 }, b: { limit: 4 } },
    ],
    [
      "only the differing part of a flag becomes a var, named from the flag",
      { a: "id: f\nnamespace: a.x\nargs: [--payer-account=123, --verbose]\n", b: "id: f\nnamespace: b.x\nargs: [--payer-account=456, --verbose]\n" },
      "id: f\nargs: [ \"--payer-account=${tenant.vars.payerAccount}\", --verbose ]\n",
      { a: { payerAccount: "123" }, b: { payerAccount: "456" } },
    ],
    [
      "a task only some tenants have gets $when on a flag, in the order the copies give",
      { a: "id: f\nnamespace: a.x\ntasks:\n  - id: one\n    type: T\n  - id: three\n    type: T\n", b: "id: f\nnamespace: b.x\ntasks:\n  - id: one\n    type: T\n  - id: two\n    type: T\n  - id: three\n    type: T\n" },
      "id: f\ntasks:\n  - id: one\n    type: T\n  - $when: tenant.vars.withTwo\n    id: two\n    type: T\n  - id: three\n    type: T\n",
      { a: { withTwo: false }, b: { withTwo: true } },
    ],
    [
      "list items without a name are matched by their content, read with the tenant's code",
      { a: "id: f\nnamespace: a.x\nflows:\n  - { namespace: a.bronze, flowId: aws }\n", b: "id: f\nnamespace: b.x\nflows:\n  - { namespace: b.bronze, flowId: aws }\n  - { namespace: b.bronze, flowId: gcp }\n" },
      "id: f\nflows:\n  - { namespace: \"${tenant.code}.bronze\", flowId: aws }\n  - $when: tenant.vars.withGcp\n    namespace: b.bronze\n    flowId: gcp\n",
      { a: { withGcp: false }, b: { withGcp: true } },
    ],
    [
      "a scalar key only some tenants have makes its mapping a var",
      { a: "id: f\nnamespace: a.x\ntasks:\n  - id: t\n    type: T\n    timeout: PT1H\n", b: "id: f\nnamespace: b.x\ntasks:\n  - id: t\n    type: T\n" },
      "id: f\ntasks:\n  - ${tenant.vars.t}\n",
      { a: { t: { id: "t", type: "T", timeout: "PT1H" } }, b: { t: { id: "t", type: "T" } } },
    ],
  ])("%s", (_, copies, text, vars) => {
    const result = factor(copies);
    expect(result.ok).toBe(true);
    expect(result.text).toBe(text);
    expect(result.vars).toEqual(vars);
  });

  it("reports a top-level scalar key only some copies have as not factorable", () => {
    expect(factor({ a: "id: f\nnamespace: a.x\ndescription: d\n", b: "id: f\nnamespace: b.x\n" }).ok).toBe(false);
  });

  it("keeps Pebble in the template and only the text around it in tenant vars (tenant values are never expressions)", () => {
    const { text, vars } = factor({
      a: "id: f\nnamespace: a.x\ntasks: [{ id: t, type: T, message: 'EUR is {{ outputs.c.value }} today' }]\n",
      b: "id: f\nnamespace: b.x\ntasks: [{ id: t, type: T, message: 'USD is {{ outputs.c.value }} today' }]\n",
    });
    expect(text).toContain("{{ outputs.c.value }} today");
    for (const values of Object.values(vars)) expect(JSON.stringify(values)).not.toMatch(/\{\{|\{%|\{#/);
    expect(Object.values(vars["a"] ?? {})).toContain("EUR");
  });

  it("leaves a flow whose Pebble differs between copies unfactored rather than put Pebble in a tenant file", () => {
    const { ok, vars } = factor({
      a: "id: f\nnamespace: a.x\ntasks: [{ id: t, type: T, message: '{{ outputs.one.value }}' }]\n",
      b: "id: f\nnamespace: b.x\ntasks: [{ id: t, type: T, message: '{{ outputs.two.value }}' }]\n",
    });
    expect(ok).toBe(false);
    for (const values of Object.values(vars)) expect(JSON.stringify(values)).not.toMatch(/\{\{/);
  });

  it("turns disabled: true on some copies into the tenants' disabled switch", () => {
    const result = factor({ a: "id: f\nnamespace: a.x\ndisabled: true\ntasks: []\n", b: "id: f\nnamespace: b.x\ntasks: []\n" });
    expect(result).toMatchObject({ ok: true, disabled: ["a"], text: "id: f\ntasks: []\n" });
  });
});

describe("TenantVars", () => {
  it("reuses a var with the same values, widens the name on a clash, and dedupes identical value sets", () => {
    const vars = new TenantVars();
    expect(vars.varFor(["tasks", "load", "warehouse"], new Map([["a", "a_dw"], ["b", "b_dw"]]))).toBe("warehouse");
    expect(vars.varFor(["variables", "warehouse"], new Map([["a", "a_dw"], ["c", "c_dw"]]))).toBe("warehouse");
    expect(vars.varFor(["variables", "warehouse"], new Map([["a", "other"], ["b", "b_dw2"]]))).toBe("variablesWarehouse");
    expect(vars.varFor(["env", "AWS_REGION", "value"], new Map([["a", "eu"], ["b", "us"]]))).toBe("awsRegionValue");
    expect(vars.varFor(["description"], new Map([["a", "eu"], ["b", "us"]]))).toBe("awsRegionValue");
    expect(vars.of("a")).toEqual({ awsRegionValue: "eu", variablesWarehouse: "other", warehouse: "a_dw" });
    expect(vars.of("c")).toEqual({ warehouse: "c_dw" });
  });
});
