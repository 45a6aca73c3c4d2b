import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { buildRepository, render, type RenderedFlow, type RepositoryProblem } from "./index.js";

/** A repository model from literal files (no disk needed: buildRepository is pure). */
function repoOf(files: Record<string, string>, hasTenantsFolder = true) {
  return buildRepository({ root: "/repo", files: new Map(Object.entries(files)), hasTenantsFolder });
}

function renderFiles(files: Record<string, string>) {
  const repository = repoOf(files);
  const result = render(repository);
  return { repository, ...result, problems: [...repository.problems, ...result.problems] };
}

const TENANT = (code: string, extra = "") => `code: ${code}\nname: ${code.toUpperCase()}\nsources: { aws: true, gcp: false }\nschedule: "0 1 * * *"\n${extra}`;

function only(flows: RenderedFlow[], tenant?: string): RenderedFlow {
  const found = flows.filter((f) => tenant === undefined || f.tenant === tenant);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function codes(problems: RepositoryProblem[]) {
  return problems.map((p) => [p.code, p.file, p.line, p.column]);
}

/** The defining property: the spliced text says exactly what the tree says. */
function expectSourceMatchesDocument(flow: RenderedFlow) {
  expect(parse(flow.source, { strict: true, uniqueKeys: true })).toEqual(flow.document);
}

describe("placeholders", () => {
  it("substitute inside strings and keep the type of whole-scalar placeholders", () => {
    const { flows, problems } = renderFiles({
      "flows/bronze/costs.yaml": [
        "description: 'Costs of ${tenant.name} (${tenant.code})'",
        "variables:",
        "  retries: ${tenant.vars.retries}",
        "  enabled: ${tenant.sources.aws}",
        "  buckets: ${tenant.vars.buckets}",
        "  env: ${env.name}",
        "  folder: ${flow.folder}/${flow.id}/${flow.namespace}",
        "  literal: $${not.a.placeholder}",
        "  kestra: \"{{ inputs.day }}\"",
        "tasks:",
        "  - id: log",
        "    type: io.kestra.plugin.core.log.Log",
        "    message: Hello ${tenant.code}",
      ].join("\n"),
      "tenants/acme.yaml": TENANT("acme", "vars: { retries: 3, buckets: [a, b] }\n"),
    });
    expect(problems).toEqual([]);
    const flow = only(flows);
    expect(flow.document.description).toBe("Costs of ACME (acme)");
    expect(flow.document.variables).toEqual({
      retries: 3,
      enabled: true,
      buckets: ["a", "b"],
      env: "default",
      folder: "bronze/costs/acme.bronze",
      literal: "${not.a.placeholder}",
      kestra: "{{ inputs.day }}",
    });
    expect(flow.source).toContain("description: 'Costs of ACME (acme)'");
    expect(flow.source).toContain('  kestra: "{{ inputs.day }}"');
    expectSourceMatchesDocument(flow);
  });

  it("keeps comments, blank lines and literal blocks of the template", () => {
    const template = "# Daily AWS costs\n\ndescription: x # trailing\ntasks:\n  # the only task\n  - id: run\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands:\n      - |\n        echo ${tenant.code}\n        date\n";
    const { flows } = renderFiles({ "flows/bronze/costs.yaml": template, "tenants/acme.yaml": TENANT("acme") });
    const flow = only(flows);
    expect(flow.source).toBe(
      "# Daily AWS costs\n\nid: costs\nnamespace: acme.bronze\ndescription: x # trailing\ntasks:\n  # the only task\n  - id: run\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands:\n      - |\n        echo acme\n        date\nlabels:\n  managed-by: flowops\n  system.readOnly: \"true\"\n  flowops.tenant: acme\n",
    );
    expectSourceMatchesDocument(flow);
  });

  it("cannot inject YAML through a tenant value (property)", () => {
    const template = [
      "description: ${tenant.vars.a}",
      "variables:",
      "  plain: x-${tenant.vars.a}",
      "  single: 'x ${tenant.vars.b}'",
      '  double: "${tenant.vars.a}-${tenant.vars.b}"',
      "  whole: ${tenant.vars.c}",
      "  inflow: [\"${tenant.vars.a}\", '${tenant.vars.b}', \"${tenant.vars.c}\"]",
      "  map: { k: \"${tenant.vars.b}\", w: '${tenant.vars.c}' }",
      "  script: |",
      "    echo ${tenant.vars.a}",
      "    done",
      "  stripped: |-",
      "    ${tenant.vars.b}",
      "  folded: >",
      "    ${tenant.vars.a}",
      "tasks:",
      "  - id: t",
      "    type: io.kestra.plugin.core.log.Log",
      "    message: ${tenant.vars.b} # comment",
    ].join("\n");
    const compiled = repoOf({ "flows/bronze/costs.yaml": template, "tenants/acme.yaml": TENANT("acme") });
    expect(compiled.problems).toEqual([]);
    const strings = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.string({ unit: fc.constantFrom("'", '"', ":", "#", "\n", " ", "-", "{", "}", "[", "]", ",", "&", "*", "|", ">", "\\", "é", "😀", "\u2028", "a", "1") }),
    );
    fc.assert(
      fc.property(strings, strings, fc.jsonValue(), (a, b, c) => {
        const tenant = { ...compiled.tenants[0]!, values: Object.freeze({ ...compiled.tenants[0]!.values, vars: { a, b, c } }) };
        const { flows, problems } = render({ ...compiled, tenants: [tenant] });
        expect(problems).toEqual([]);
        const flow = only(flows);
        expectSourceMatchesDocument(flow);
        expect((flow.document.variables as Record<string, unknown>).whole).toEqual(c);
        expect(Object.keys(flow.document).sort()).toEqual(["description", "id", "labels", "namespace", "tasks", "variables"]);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it("escapes a double-quoted scalar by its text and by each render's own values", () => {
    // Whether the quotes need escapes is decided once for the template's text, and per render for the values.
    const { flows, problems } = renderFiles({
      "flows/bronze/quoted.yaml": [
        'description: "Costs of ${tenant.name}"',
        "variables:",
        '  escaped: "line\\n${tenant.name}"',
        "  folded: >",
        "    ${tenant.name} \\ x",
        "tasks: [{ id: t, type: a.B }]",
      ].join("\n"),
      "tenants/acme.yaml": TENANT("acme", 'vars: { x: 1 }\n').replace("name: ACME", "name: Acme"),
      "tenants/beta.yaml": TENANT("beta").replace("name: BETA", 'name: "Say \\"hi\\"\\t\\\\ \\u2028"'),
      "tenants/gamma.yaml": TENANT("gamma").replace("name: GAMMA", "name: Gamma"),
    });
    expect(problems).toEqual([]);
    const byTenant = (code: string) => flows.find((flow) => flow.tenant === code)!;
    expect(byTenant("acme").source).toContain('description: "Costs of Acme"\n');
    expect(byTenant("beta").source).toContain('description: "Costs of Say \\"hi\\"\\t\\\\ \\L"\n');
    expect(byTenant("gamma").source).toContain('description: "Costs of Gamma"\n');
    expect(byTenant("gamma").source).toContain('escaped: "line\\nGamma"');
    expect((byTenant("beta").document.variables as Record<string, unknown>).escaped).toBe('line\nSay "hi"\t\\ \u2028');
    for (const flow of flows) expectSourceMatchesDocument(flow);
  });

  it("reports a path the context lacks at its line and column, per tenant", () => {
    const { problems } = renderFiles({
      "flows/bronze/costs.yaml": "tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi ${tenant.vars.missing}\n",
      "tenants/acme.yaml": TENANT("acme"),
    });
    expect(codes(problems)).toEqual([["unknown-placeholder", "flows/bronze/costs.yaml", 4, 17]]);
    expect(problems[0]!.tenant).toBe("acme");
    expect(problems[0]!.message).toContain("${tenant.vars.missing}");
  });

  it("keeps a `__proto__` key of a computed mapping as a key (as the yaml library and constant mappings do), never as the prototype", () => {
    const { problems, flows } = renderFiles({
      "flows/bronze/costs.yaml": [
        "__proto__: { owner: '${tenant.code}' }",
        "variables:",
        "  __proto__: { polluted: '${tenant.code}' }",
        "  other: ${tenant.code}",
        "tasks: [{ id: t, type: a.B }]",
      ].join("\n"),
      "tenants/acme.yaml": TENANT("acme"),
    });
    expect(problems).toEqual([]);
    const flow = only(flows);
    const variables = flow.document.variables as Record<string, unknown>;
    expect(Object.getPrototypeOf(flow.document)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(variables)).toBe(Object.prototype);
    expect(Object.keys(flow.document)).toContain("__proto__");
    expect(Object.getOwnPropertyDescriptor(flow.document, "__proto__")?.value).toEqual({ owner: "acme" });
    expect(Object.keys(variables)).toEqual(["__proto__", "other"]);
    expect(Object.getOwnPropertyDescriptor(variables, "__proto__")?.value).toEqual({ polluted: "acme" });
    expect((variables as { polluted?: unknown }).polluted).toBeUndefined();
    expectSourceMatchesDocument(flow);
  });

  it("reads only a value's own keys: a prototype path is undefined, never a function or the prototype", () => {
    const { problems, flows } = renderFiles({
      "flows/bronze/costs.yaml": [
        "description: ${tenant.constructor}",
        "variables:",
        "  proto: ${tenant.__proto__}",
        "  name: \"x ${tenant.vars.toString}\"",
        "  flow: ${flow.constructor}",
        "  env: ${tenant.vars.buckets.constructor}",
        "  list: ${tenant.vars.buckets.length}",
        "tasks: [{ id: t, type: a.B }]",
      ].join("\n"),
      "tenants/acme.yaml": TENANT("acme", "vars: { buckets: [a, b] }\n"),
    });
    expect(problems.map((p) => [p.code, p.line])).toEqual([
      ["unknown-placeholder", 1],
      ["unknown-placeholder", 3],
      ["unknown-placeholder", 4],
      ["unknown-placeholder", 5],
      ["unknown-placeholder", 6],
    ]);
    const flow = only(flows);
    expect(flow.document.description).toBe("");
    expect(flow.document.variables).toEqual({ proto: "", name: "x ", flow: "", env: "", list: 2 });
    expectSourceMatchesDocument(flow);
  });

  it("renders each list afresh: computed items written in, removed ones dropped, constant ones shared", () => {
    const { flows, problems } = renderFiles({
      "flows/bronze/list.yaml": [
        "tasks:",
        "  - id: first",
        "    type: a.B",
        "  - $when: tenant.sources.aws",
        "    id: aws_${tenant.code}",
        "    type: a.B",
        "  - id: last_${tenant.code}",
        "    type: a.B",
        "  - id: fixed",
        "    type: a.B",
        "variables:",
        "  names: [one, \"${tenant.code}\", three]",
      ].join("\n") + "\n",
      "tenants/acme.yaml": TENANT("acme"),
      "tenants/beta.yaml": "code: beta\nsources: { aws: false }\n",
      "tenants/gamma.yaml": "code: gamma\nsources: { aws: true }\n",
    });
    expect(problems).toEqual([]);
    const ids = (tenant: string) => ((only(flows, tenant).document.tasks as { id: string }[]).map((t) => t.id));
    expect(ids("acme")).toEqual(["first", "aws_acme", "last_acme", "fixed"]);
    expect(ids("beta")).toEqual(["first", "last_beta", "fixed"]);
    expect(ids("gamma")).toEqual(["first", "aws_gamma", "last_gamma", "fixed"]);
    expect((only(flows, "beta").document.variables as { names: string[] }).names).toEqual(["one", "beta", "three"]);
    expect((only(flows, "gamma").document.variables as { names: string[] }).names).toEqual(["one", "gamma", "three"]);
    const acmeTasks = only(flows, "acme").document.tasks as object[];
    const gammaTasks = only(flows, "gamma").document.tasks as object[];
    expect(acmeTasks).not.toBe(gammaTasks);
    expect(Object.isFrozen(acmeTasks)).toBe(false);
    expect(acmeTasks[0]).toBe(gammaTasks[0]);
    expect(Object.isFrozen(acmeTasks[0])).toBe(true);
    for (const flow of flows) expectSourceMatchesDocument(flow);
  });

  it("replaces a block scalar's last line at the end of a file without a newline, as inside a file", () => {
    const { flows, problems } = renderFiles({
      "flows/bronze/eof.yaml": "tasks: [{ id: t, type: a.B }]\nscript: |\n  echo ${tenant.code}",
      "flows/bronze/inside.yaml": "tasks: [{ id: t, type: a.B }]\nscript: |\n  echo ${tenant.code}\nretries: 1\n",
      "flows/bronze/quoted.yaml": "tasks: [{ id: t, type: a.B }]\nscript: >-\n  echo \"${tenant.code}\"",
      "tenants/acme.yaml": TENANT("acme"),
    });
    expect(problems).toEqual([]);
    expect(flows.map((f) => f.document.script)).toEqual(["echo acme\n", "echo acme\n", 'echo "acme"']);
    for (const flow of flows) {
      expect(flow.source).not.toContain("${tenant.code}");
      expectSourceMatchesDocument(flow);
    }
  });

  it("reports a malformed placeholder once, at compile time", () => {
    const { problems, flows } = renderFiles({
      "flows/bronze/costs.yaml": "description: ${tenant.code\ntasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme"),
      "tenants/beta.yaml": TENANT("beta"),
    });
    expect(codes(problems)).toEqual([["unknown-placeholder", "flows/bronze/costs.yaml", 1, 14]]);
    expect(flows).toEqual([]);
  });
});

describe("$when", () => {
  const files = {
    "flows/bronze/aws.yaml": "$when: tenant.sources.aws\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: a\n",
    "flows/bronze/gcp.yaml": "$when: tenant.sources.gcp && !tenant.vars.paused\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: a\n",
    "flows/silver/mixed.yaml": [
      "tasks:",
      "  - $when: tenant.sources.aws",
      "    id: aws",
      "    type: io.kestra.plugin.core.log.Log",
      "    message: aws",
      "  - id: gcp",
      "    $when: tenant.sources.gcp || tenant.vars.tier == \"gold\"",
      "    type: io.kestra.plugin.core.log.Log",
      "    message: gcp",
      "  - id: always",
      "    type: io.kestra.plugin.core.log.Log",
      "    message: always",
      "pluginDefaults:",
      "  - type: io.kestra.plugin.core.log.Log",
      "    values:",
      "      $when: tenant.vars.tier != 'gold'",
      "      level: INFO",
      "errors:",
      "  - $when: tenant.sources.gcp",
      "    id: alert",
      "    type: io.kestra.plugin.core.log.Log",
      "    message: failed",
    ].join("\n") + "\n",
    "tenants/acme.yaml": TENANT("acme", "vars: { tier: gold, paused: false }\n"),
    "tenants/beta.yaml": "code: beta\nsources: { aws: false, gcp: true }\nvars: { tier: silver, paused: false }\n",
  };

  it("drops whole flows, list items, and map values per tenant", () => {
    const { flows, problems } = renderFiles(files);
    expect(problems).toEqual([]);
    expect(flows.map((f) => `${f.tenant}:${f.templateKey}`)).toEqual(["acme:bronze/aws", "acme:silver/mixed", "beta:bronze/gcp", "beta:silver/mixed"]);
    const acme = flows.find((f) => f.tenant === "acme" && f.templateKey === "silver/mixed")!;
    const beta = flows.find((f) => f.tenant === "beta" && f.templateKey === "silver/mixed")!;
    expect((acme.document.tasks as { id: string }[]).map((t) => t.id)).toEqual(["aws", "gcp", "always"]);
    expect((beta.document.tasks as { id: string }[]).map((t) => t.id)).toEqual(["gcp", "always"]);
    expect(acme.document.pluginDefaults).toEqual([{ type: "io.kestra.plugin.core.log.Log" }]);
    expect(beta.document.pluginDefaults).toEqual([{ type: "io.kestra.plugin.core.log.Log", values: { level: "INFO" } }]);
    expect(acme.document.errors).toEqual([]);
    for (const flow of flows) {
      expect(flow.source).not.toContain("$when");
      expectSourceMatchesDocument(flow);
    }
    expect(beta.source).toContain("tasks:\n  - id: gcp\n    type: io.kestra.plugin.core.log.Log\n");
  });

  it("maps rendered nodes back to template lines after items were dropped", () => {
    const { flows } = renderFiles(files);
    const beta = flows.find((f) => f.tenant === "beta" && f.templateKey === "silver/mixed")!;
    expect(beta.locate(["tasks", 0, "message"])).toEqual({ file: "flows/silver/mixed.yaml", line: 9, column: 14 });
    expect(beta.locate(["tasks", 1])).toEqual({ file: "flows/silver/mixed.yaml", line: 10, column: 5 });
    expect(beta.locate(["tasks", 1, "nope", "deeper"])).toEqual({ file: "flows/silver/mixed.yaml", line: 10, column: 5 });
  });

  it.each([
    ["tenant.sources.aws &&", 1, 8],
    ["tenant.count > 2", 1, 8],
    ["process.exit(1)", 1, 8],
    ["", 1, 8],
  ])("refuses the expression %j", (expression, line, column) => {
    const { problems, flows } = renderFiles({
      "flows/bronze/x.yaml": `$when: ${JSON.stringify(expression)}\ntasks: [{ id: t, type: a.B }]\n`,
      "tenants/acme.yaml": TENANT("acme"),
    });
    expect(problems.map((p) => [p.code, p.line])).toEqual([["invalid-when", line]]);
    expect(problems[0]!.column).toBeGreaterThanOrEqual(column);
    expect(flows).toEqual([]);
  });

  it("reads a path some tenants lack as false, and reports a path no tenant defines once", () => {
    const { problems, flows } = renderFiles({
      "flows/bronze/x.yaml": "tasks:\n  - id: t\n    type: a.B\n    $when: tenant.vars.nothing\n  - id: u\n    type: a.B\n",
      "flows/bronze/tz.yaml": "tasks:\n  - id: t\n    type: a.B\n    $when: tenant.timezone\n  - id: u\n    type: a.B\n",
      "tenants/acme.yaml": TENANT("acme", "timezone: Europe/Paris\n"),
      "tenants/beta.yaml": TENANT("beta"),
    });
    expect(codes(problems)).toEqual([["invalid-when", "flows/bronze/x.yaml", 4, 12]]);
    expect(problems[0]!.message).toContain("reads tenant.vars.nothing, which is undefined everywhere");
    expect(problems[0]!.tenant).toBeUndefined();
    expect(flows.filter((f) => f.templateKey === "bronze/tz").map((f) => [f.tenant, (f.document.tasks as { id: string }[]).map((t) => t.id).join()])).toEqual([
      ["acme", "t,u"],
      ["beta", "u"],
    ]);
  });

  const SOURCES = {
    "flows/bronze/aws_costs.yaml": "$when: tenant.sources.aws\ntasks: [{ id: t, type: a.B }]\n",
    "flows/bronze/mixed.yaml": "tasks:\n  - id: aws\n    type: a.B\n    $when: tenant.sources.aws && !tenant.sources.oci\n  - id: gcp\n    type: a.B\n    $when: tenant.sources.gcp\n",
    "tenants/acme.yaml": "code: acme\nsources: { aws: true, oci: false }\n",
    "tenants/cloudy.yaml": "code: cloudy\nsources: { gcp: true, azure: true }\n",
  };

  it.each([[undefined], [["cloudy"]], [["acme"]]])("gives the same verdict whatever the tenant selection (%j)", (tenants) => {
    const repository = repoOf(SOURCES);
    const result = render(repository, tenants ? { tenants } : {});
    expect([...repository.problems, ...result.problems]).toEqual([]);
    const cloudy = result.flows.filter((f) => f.tenant === "cloudy");
    if (!tenants || tenants.includes("cloudy")) {
      expect(cloudy.map((f) => [f.templateKey, (f.document.tasks as { id: string }[]).map((t) => t.id).join()])).toEqual([["bronze/mixed", "gcp"]]);
    }
  });

  it("reports a comparison between different types at the path, with the types and the tenants", () => {
    const { problems, flows } = renderFiles({
      "flows/bronze/x.yaml": "tasks:\n  - id: t\n    type: a.B\n    $when: 'tenant.sources.aws == \"true\"'\n  - id: u\n    type: a.B\n",
      "tenants/acme.yaml": TENANT("acme"),
      "tenants/beta.yaml": TENANT("beta"),
      "tenants/gamma.yaml": "code: gamma\nsources: { gcp: true }\n",
    });
    expect(codes(problems)).toEqual([
      ["invalid-when", "flows/bronze/x.yaml", 4, 13],
      ["invalid-when", "flows/bronze/x.yaml", 4, 13],
    ]);
    expect(problems.map((p) => p.tenant)).toEqual(["acme", "beta"]);
    expect(problems[0]!.message).toBe('$when "tenant.sources.aws == "true"" compares tenant.sources.aws with the string "true": boolean with string, which are never equal; write true without quotes');
    expect(flows).toHaveLength(3);
  });

  it("reports the comparison once across environments, and not for values of the literal's type", () => {
    const { problems } = renderFiles({
      "flowops.config.yaml": "environments:\n  staging: {}\n  production: {}\n",
      "flows/bronze/x.yaml": "tasks:\n  - id: t\n    type: a.B\n    $when: tenant.vars.tier == 2 || tenant.vars.tier == \"gold\"\n",
      "tenants/acme.yaml": TENANT("acme", "vars: { tier: gold }\n"),
      "tenants/beta.yaml": TENANT("beta", "vars: { tier: 2 }\n"),
    });
    expect(problems.map((p) => [p.line, p.column, p.tenant, p.env, /number with string|string with number/.exec(p.message)?.[0]])).toEqual([
      [4, 12, "acme", undefined, "string with number"],
      [4, 12, "beta", undefined, "number with string"],
    ]);
  });

  it("reports a template that renders for no tenant in any environment", () => {
    const { problems, flows } = renderFiles({
      "flows/gold/x.yaml": "$when: tenant.vars.tier == \"platinum\"\ntasks: [{ id: t, type: a.B }]\n",
      "flows/gold/y.yaml": "$when: tenant.vars.tier == \"gold\"\ntasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme", "vars: { tier: gold }\n"),
      "tenants/beta.yaml": TENANT("beta", "vars: { tier: silver }\n"),
    });
    expect(codes(problems)).toEqual([["invalid-when", "flows/gold/x.yaml", 1, 8]]);
    expect(problems[0]!.message).toContain("is false for all 2 tenants in every environment, so flows/gold/x.yaml renders for nobody");
    expect(flows.map((f) => [f.templateKey, f.tenant])).toEqual([["gold/y", "acme"]]);
  });

  it("takes an optional field of the tenant schema or the vars schema as defined, even when no tenant sets it", () => {
    const { problems } = renderFiles({
      "flowops.config.yaml": "tenantVarsSchema: schemas/vars.json\n",
      "schemas/vars.json": JSON.stringify({ type: "object", properties: { tier: { type: "string" } } }),
      "flows/bronze/x.yaml": "tasks:\n  - id: t\n    type: a.B\n    $when: tenant.timezone || tenant.vars.tier || tenant.vars.nope\n  - id: u\n    type: a.B\n",
      "tenants/acme.yaml": TENANT("acme"),
    });
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining("reads tenant.vars.nope, which is undefined everywhere")]);
  });

  it("reads an empty list as false and a non-empty one as true", () => {
    const { problems, flows } = renderFiles({
      "flows/bronze/x.yaml": "tasks:\n  - id: per_bucket\n    type: a.B\n    $when: tenant.vars.buckets\n  - id: no_bucket\n    type: a.B\n    $when: '!tenant.vars.buckets'\n",
      "tenants/acme.yaml": TENANT("acme", "vars: { buckets: [a] }\n"),
      "tenants/beta.yaml": TENANT("beta", "vars: { buckets: [] }\n"),
    });
    expect(problems).toEqual([]);
    expect(flows.map((f) => [f.tenant, (f.document.tasks as { id: string }[]).map((t) => t.id).join()])).toEqual([
      ["acme", "per_bucket"],
      ["beta", "no_bucket"],
    ]);
  });
});

describe("ids, namespaces, switches and environments", () => {
  it("defaults id to the file name and namespace to tenant + folder, nested folders joined by dots", () => {
    const { flows } = renderFiles({
      "flows/gold/carbon/forecast.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme"),
    });
    expect([only(flows).id, only(flows).namespace]).toEqual(["forecast", "acme.gold.carbon"]);
  });

  it("uses the config's namespace pattern and environments, and each tenant's environment list", () => {
    const { flows } = renderFiles({
      "flowops.config.yaml": "namespace: \"customers.${tenant.code}.${flow.folder}\"\nenvironments:\n  staging: { vars: { bucket: s3-stg } }\n  production: { vars: { bucket: s3-prd } }\n",
      "flows/bronze/x.yaml": "variables: { bucket: \"${env.vars.bucket}\" }\ntasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme"),
      "tenants/beta.yaml": TENANT("beta", "environments: [staging]\n"),
    });
    expect(flows.map((f) => [f.env, f.namespace, (f.document.variables as { bucket: string }).bucket])).toEqual([
      ["staging", "customers.acme.bronze", "s3-stg"],
      ["staging", "customers.beta.bronze", "s3-stg"],
      ["production", "customers.acme.bronze", "s3-prd"],
    ]);
  });

  it("applies the tenant's per-flow switches", () => {
    const { flows } = renderFiles({
      "flows/gold/forecast.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "flows/silver/usage.yaml": "description: usage\ntasks: [{ id: t, type: a.B }]\n",
      "flows/silver/stopped.yaml": "disabled: false\ntasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme", "flows:\n  gold/forecast: { enabled: false }\n  silver/usage: { disabled: true }\n  silver/stopped: { disabled: true }\n"),
    });
    expect(flows.map((f) => [f.templateKey, f.document.disabled])).toEqual([
      ["silver/stopped", true],
      ["silver/usage", true],
    ]);
    for (const flow of flows) expectSourceMatchesDocument(flow);
  });

  it("reports two templates that render the same flow, and ids Kestra would refuse", () => {
    const { problems } = renderFiles({
      "flows/bronze/a.yaml": "id: same\ntasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/same.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/bad name.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "flows/Upper/x.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme"),
    });
    expect(problems.map((p) => [p.code, p.file])).toEqual([
      ["namespace-pattern", "flows/Upper/x.yaml"],
      ["id-matches-file", "flows/bronze/bad name.yaml"],
      ["duplicate-flow", "flows/bronze/same.yaml"],
    ]);
  });

  it("refuses a namespace a tenant value would push outside Kestra's rules", () => {
    const { problems, flows } = renderFiles({
      "flows/bronze/x.yaml": "namespace: ${tenant.vars.ns}\ntasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme", "vars: { ns: ../../etc }\n"),
    });
    expect(codes(problems)).toEqual([["namespace-pattern", "flows/bronze/x.yaml", 1, 12]]);
    expect(flows).toEqual([]);
  });
});

describe("ownership labels", () => {
  it.each([
    ["map form", "labels:\n  team: data\ntasks: [{ id: t, type: a.B }]\n", { team: "data", "managed-by": "flowops", "system.readOnly": "true", "flowops.tenant": "acme" }],
    ["flow map form", "labels: { team: data }\ntasks: [{ id: t, type: a.B }]\n", { team: "data", "managed-by": "flowops", "system.readOnly": "true", "flowops.tenant": "acme" }],
    ["list form", "labels:\n  - key: team\n    value: data\ntasks: [{ id: t, type: a.B }]\n", [{ key: "team", value: "data" }, { key: "managed-by", value: "flowops" }, { key: "system.readOnly", value: "true" }, { key: "flowops.tenant", value: "acme" }]],
    ["absent, no final newline", "tasks: [{ id: t, type: a.B }]", { "managed-by": "flowops", "system.readOnly": "true", "flowops.tenant": "acme" }],
  ])("are added to labels in %s", (_name, template, labels) => {
    const { flows } = renderFiles({ "flows/bronze/x.yaml": template, "tenants/acme.yaml": TENANT("acme") });
    expect(only(flows).document.labels).toEqual(labels);
    expectSourceMatchesDocument(only(flows));
  });

  it("join a labels mapping the render built, and leave a constant one shared by every render as it is", () => {
    const repository = repoOf({
      "flows/bronze/built.yaml": "labels:\n  team: ${tenant.vars.team}\ntasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/constant.yaml": "labels:\n  team: fixed\ntasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme", "vars: { team: data }\n"),
      "tenants/beta.yaml": TENANT("beta", "vars: { team: web }\n"),
    });
    const { flows, problems } = render(repository);
    expect(problems).toEqual([]);
    const owned = (tenant: string) => ({ "managed-by": "flowops", "system.readOnly": "true", "flowops.tenant": tenant });
    const labels = (template: string, tenant: string) => flows.find((f) => f.templateKey === template && f.tenant === tenant)!.document.labels;
    expect(labels("bronze/built", "acme")).toEqual({ team: "data", ...owned("acme") });
    expect(labels("bronze/built", "beta")).toEqual({ team: "web", ...owned("beta") });
    expect(labels("bronze/constant", "acme")).toEqual({ team: "fixed", ...owned("acme") });
    expect(labels("bronze/constant", "beta")).toEqual({ team: "fixed", ...owned("beta") });
    expect(Object.keys(labels("bronze/built", "beta") as object)).toEqual(["team", "managed-by", "system.readOnly", "flowops.tenant"]);
    for (const flow of flows) expectSourceMatchesDocument(flow);
  });

  it("are written for each tenant and indentation, never carried over from another render", () => {
    const { flows, problems } = renderFiles({
      "flows/bronze/two.yaml": "labels:\n  team: data\ntasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/four.yaml": "labels:\n    team: data\ntasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/none.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/some.yaml": "labels:\n  managed-by: flowops\ntasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme"),
      "tenants/beta.yaml": TENANT("beta"),
    });
    expect(problems).toEqual([]);
    const source = (template: string, tenant: string) => flows.find((f) => f.templateKey === template && f.tenant === tenant)!.source;
    for (const tenant of ["acme", "beta"]) {
      const head = `id: ${"%s"}\nnamespace: ${tenant}.bronze\n`;
      const owned = (indent: string) => `${indent}managed-by: flowops\n${indent}system.readOnly: "true"\n${indent}flowops.tenant: ${tenant}\n`;
      expect(source("bronze/two", tenant)).toBe(head.replace("%s", "two") + "labels:\n  team: data\n" + owned("  ") + "tasks: [{ id: t, type: a.B }]\n");
      expect(source("bronze/four", tenant)).toBe(head.replace("%s", "four") + "labels:\n    team: data\n" + owned("    ") + "tasks: [{ id: t, type: a.B }]\n");
      expect(source("bronze/none", tenant)).toBe(head.replace("%s", "none") + "tasks: [{ id: t, type: a.B }]\nlabels:\n" + owned("  "));
      expect(source("bronze/some", tenant)).toBe(head.replace("%s", "some") + `labels:\n  managed-by: flowops\n  system.readOnly: "true"\n  flowops.tenant: ${tenant}\ntasks: [{ id: t, type: a.B }]\n`);
    }
    for (const flow of flows) expectSourceMatchesDocument(flow);
  });
});

describe("plain Kestra repositories", () => {
  it("render each file as written, placeholders and all", () => {
    const repository = repoOf({ "flows/hello.yaml": "id: hello\nnamespace: company.team\ndescription: ${not_a_placeholder}\ntasks: [{ id: t, type: a.B }]\n" }, false);
    const { flows, problems } = render(repository);
    expect(problems).toEqual([]);
    expect(repository.mode).toBe("plain");
    expect(only(flows).tenant).toBeNull();
    expect(only(flows).document.description).toBe("${not_a_placeholder}");
    // No tenant, so no tenant label: only the ownership labels.
    expect(only(flows).document.labels).toEqual({ "managed-by": "flowops", "system.readOnly": "true" });
    expectSourceMatchesDocument(only(flows));
  });
});

describe("bad input", () => {
  const cases: [string, Record<string, string>, [string, string, number, number][]][] = [
    ["malformed YAML", { "flows/bronze/x.yaml": "tasks:\n  - id: t\n   type: a.B\n" }, [["yaml-syntax", "flows/bronze/x.yaml", 3, 1]]],
    ["a duplicate key", { "flows/bronze/x.yaml": "tasks: []\ndescription: a\ndescription: b\n" }, [["yaml-syntax", "flows/bronze/x.yaml", 3, 1]]],
    ["several documents", { "flows/bronze/x.yaml": "tasks: []\n---\ntasks: []\n" }, [["yaml-syntax", "flows/bronze/x.yaml", 2, 1]]],
    ["a tenant file that is not a mapping", { "tenants/acme.yaml": "- code: acme\n" }, [["tenant-schema", "tenants/acme.yaml", 1, 1]]],
    ["a tenant code that differs from its file", { "tenants/acme.yaml": "code: other\n" }, [["tenant-schema", "tenants/acme.yaml", 1, 7]]],
    ["a tenant file whose name is not a safe code", { "tenants/Bad-Name.yaml": "code: Bad-Name\n" }, [["tenant-schema", "tenants/Bad-Name.yaml", 1, 7]]],
    ["an invalid config", { "flowops.config.yaml": "environments: [staging]\n" }, [["config-schema", "flowops.config.yaml", 1, 15]]],
  ];
  it.each(cases)("%s is a problem at its line and column", (_name, files, expected) => {
    const repository = repoOf({ "tenants/base.yaml": "code: base\n", ...files });
    expect(codes(repository.problems)).toEqual(expected);
  });

  it("checks tenants against the platform's vars schema and the config's environments", () => {
    const repository = repoOf({
      "flowops.config.yaml": "tenantVarsSchema: schemas/vars.json\nenvironments:\n  staging: {}\n",
      "schemas/vars.json": JSON.stringify({ type: "object", properties: { tier: { enum: ["gold", "silver"] } } }),
      "tenants/acme.yaml": "code: acme\nvars:\n  tier: bronze\n",
      "tenants/beta.yaml": "code: beta\nenvironments: [staging, moon]\n",
    });
    expect(codes(repository.problems)).toEqual([
      ["tenant-schema", "tenants/acme.yaml", 3, 9],
      ["tenant-schema", "tenants/beta.yaml", 2, 25],
    ]);
    expect(repository.problems[0]!.message).toContain("schemas/vars.json");
    expect(repository.problems[1]!.message).toContain('"moon"');
    expect(repository.tenants).toEqual([]);
  });

  it("refuses a template that sets a reserved ownership label, or computes `disabled` that a tenant also switches", () => {
    const { problems } = renderFiles({
      "flows/bronze/x.yaml": "labels:\n  managed-by: someone-else\ntasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/y.yaml": "disabled: ${tenant.vars.off}\ntasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/z.yaml": "labels:\n  flowops.tenant: someone_else\ntasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/ok.yaml": "labels:\n  flowops.tenant: ${tenant.code}\ntasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme", "vars: { off: false }\nflows:\n  bronze/y: { disabled: true }\n"),
    });
    expect(codes(problems)).toEqual([
      ["flow-schema", "flows/bronze/x.yaml", 2, 3],
      ["flow-schema", "flows/bronze/y.yaml", 1, 11],
      ["flow-schema", "flows/bronze/z.yaml", 2, 3],
    ]);
    expect(problems[0]!.message).toContain("reserved for flowops");
  });

  it("refuses an alias bomb quickly", () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)}]`);
    const repository = repoOf({ "flows/bronze/bomb.yaml": lines.join("\n") + "\ntasks: []\n" });
    expect(repository.problems.map((p) => p.code)).toEqual(["yaml-syntax"]);
    expect(repository.problems[0]!.message).toContain("alias");
  });

  it("names an alias without an anchor for what it is", () => {
    const repository = repoOf({ "flows/bronze/x.yaml": "description: *nowhere\ntasks: []\n" });
    expect(repository.problems.map((p) => p.code)).toEqual(["yaml-syntax"]);
    expect(repository.problems[0]!.message).not.toContain("bomb");
  });

  it("refuses a file over the size limit", () => {
    const repository = repoOf({ "flows/bronze/huge.yaml": "description: " + "x".repeat(1024 * 1024) + "\n" });
    expect(repository.problems.map((p) => [p.code, p.file])).toEqual([["yaml-syntax", "flows/bronze/huge.yaml"]]);
  });
});

describe("the working tree", () => {
  it("reads a plain folder that is not a Git repository", async () => {
    const { readRepository } = await import("./index.js");
    const dir = mkdtempSync(join(tmpdir(), "flowops-render-"));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    write("flows/bronze/x.yaml", "tasks: [{ id: t, type: a.B }]\n");
    write("tenants/acme.yaml", TENANT("acme"));
    write("tenants/notes.txt", "ignored");
    const repository = await readRepository({ cwd: dir });
    expect(repository.problems).toEqual([]);
    expect(repository.commit).toBeUndefined();
    expect(render(repository).flows.map((f) => f.namespace)).toEqual(["acme.bronze"]);
  });
});

/**
 * A render pass works out a scalar or `$when` that reads only tenant and environment values once per
 * tenant and environment (`RenderMemo`), for every template that repeats it. These pin that nothing
 * worked out for one tenant, environment, template or style of scalar reaches another.
 */
describe("values worked out once per tenant and environment", () => {
  const CONFIG = "environments:\n  staging: { vars: { bucket: s3-stg, paging: false } }\n  production: { vars: { bucket: s3-prd, paging: true } }\n";
  const byKey = (flows: RenderedFlow[], tenant: string, env: string, key: string) => {
    const found = flows.filter((f) => f.tenant === tenant && f.env === env && f.templateKey === key);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it("gives each tenant its own value of a path every template reads", () => {
    const template = (id: string) => `variables:\n  region: \${tenant.vars.region}\n  where: "in \${tenant.vars.region} for \${tenant.code}"\ntasks: [{ id: ${id}, type: a.B }]\n`;
    const { flows, problems } = renderFiles({
      "flowops.config.yaml": CONFIG,
      "flows/bronze/one.yaml": template("one"),
      "flows/bronze/two.yaml": template("two"),
      "tenants/acme.yaml": TENANT("acme", "vars: { region: eu-west-1 }\n"),
      "tenants/beta.yaml": TENANT("beta", "vars: { region: [us-east-1, us-west-2] }\n"),
    });
    expect(problems).toEqual([]);
    for (const env of ["staging", "production"]) {
      for (const key of ["bronze/one", "bronze/two"]) {
        const acme = byKey(flows, "acme", env, key);
        const beta = byKey(flows, "beta", env, key);
        expect(acme.document.variables).toEqual({ region: "eu-west-1", where: "in eu-west-1 for acme" });
        expect(beta.document.variables).toEqual({ region: ["us-east-1", "us-west-2"], where: 'in ["us-east-1","us-west-2"] for beta' });
        expect(acme.source).toContain("  region: eu-west-1\n");
        expect(beta.source).toContain('  region: ["us-east-1", "us-west-2"]\n');
        expect(beta.source).toContain('  where: "in [\\"us-east-1\\",\\"us-west-2\\"] for beta"\n');
        expectSourceMatchesDocument(acme);
        expectSourceMatchesDocument(beta);
      }
    }
  });

  it("gives each environment its own value of an env var, for every tenant and template", () => {
    const template = 'variables:\n  bucket: ${env.vars.bucket}\n  path: "${env.vars.bucket}/${tenant.code}"\ntasks: [{ id: t, type: a.B }]\n';
    const { flows, problems } = renderFiles({
      "flowops.config.yaml": CONFIG,
      "flows/bronze/one.yaml": template,
      "flows/silver/two.yaml": template,
      "tenants/acme.yaml": TENANT("acme"),
      "tenants/beta.yaml": TENANT("beta"),
    });
    expect(problems).toEqual([]);
    const seen = flows.map((f) => [f.env, f.tenant, f.templateKey, f.document.variables]);
    expect(seen).toEqual(
      ["staging", "production"].flatMap((env) => {
        const bucket = env === "staging" ? "s3-stg" : "s3-prd";
        return ["acme", "beta"].flatMap((tenant) => ["bronze/one", "silver/two"].map((key) => [env, tenant, key, { bucket, path: `${bucket}/${tenant}` }]));
      }),
    );
  });

  it("reports a path one tenant lacks in every template that reads it, at each one's place", () => {
    const { flows, problems } = renderFiles({
      "flows/bronze/one.yaml": "description: ${tenant.vars.owner}\ntasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/two.yaml": "variables:\n  x: 1\ndescription: ${tenant.vars.owner}\ntasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme", "vars: { owner: alice }\n"),
      "tenants/beta.yaml": TENANT("beta"),
      "tenants/gamma.yaml": TENANT("gamma", "vars: { owner: carol }\n"),
    });
    expect(problems.map((p) => [p.code, p.file, p.line, p.column, p.tenant])).toEqual([
      ["unknown-placeholder", "flows/bronze/one.yaml", 1, 14, "beta"],
      ["unknown-placeholder", "flows/bronze/two.yaml", 3, 14, "beta"],
    ]);
    expect(flows.map((f) => [f.tenant, f.templateKey, f.document.description])).toEqual([
      ["acme", "bronze/one", "alice"],
      ["acme", "bronze/two", "alice"],
      ["beta", "bronze/one", ""],
      ["beta", "bronze/two", ""],
      ["gamma", "bronze/one", "carol"],
      ["gamma", "bronze/two", "carol"],
    ]);
  });

  it("decides a `$when` repeated across templates per tenant and per environment", () => {
    const template = (id: string) => `tasks:\n  - id: ${id}_aws\n    type: a.B\n    $when: tenant.sources.aws\n  - id: ${id}_page\n    type: a.B\n    $when: env.vars.paging\n  - id: ${id}_always\n    type: a.B\n`;
    const { flows, problems } = renderFiles({
      "flowops.config.yaml": CONFIG,
      "flows/bronze/one.yaml": template("one"),
      "flows/bronze/two.yaml": template("two"),
      "tenants/acme.yaml": "code: acme\nsources: { aws: true }\n",
      "tenants/beta.yaml": "code: beta\nsources: { aws: false }\n",
    });
    expect(problems).toEqual([]);
    const ids = (f: RenderedFlow) => (f.document.tasks as { id: string }[]).map((t) => t.id).join();
    expect(flows.map((f) => [f.env, f.tenant, ids(f)])).toEqual([
      ["staging", "acme", "one_aws,one_always"],
      ["staging", "acme", "two_aws,two_always"],
      ["staging", "beta", "one_always"],
      ["staging", "beta", "two_always"],
      ["production", "acme", "one_aws,one_page,one_always"],
      ["production", "acme", "two_aws,two_page,two_always"],
      ["production", "beta", "one_page,one_always"],
      ["production", "beta", "two_page,two_always"],
    ]);
  });

  it("reads `flow.*` for each template, beside tenant values", () => {
    const template = 'description: "${flow.id} of ${tenant.code}"\ntasks:\n  - id: t\n    type: a.B\n    $when: flow.id == "one"\n';
    const { flows, problems } = renderFiles({
      "flows/bronze/one.yaml": template,
      "flows/bronze/two.yaml": template,
      "tenants/acme.yaml": TENANT("acme"),
    });
    expect(problems).toEqual([]);
    expect(flows.map((f) => [f.id, f.document.description, (f.document.tasks as unknown[]).length])).toEqual([
      ["one", "one of acme", 1],
      ["two", "two of acme", 0],
    ]);
  });

  it("gives each tenant and environment its own namespace from the pattern, per folder", () => {
    const { flows, problems } = renderFiles({
      "flowops.config.yaml": 'namespace: "${tenant.code}.${env.vars.zone}.${flow.folder}"\n' + CONFIG.replace(/bucket: (s3-\w+)/g, "bucket: $1, zone: $1").replace(/s3-/g, "z"),
      "flows/bronze/one.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/two.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "flows/silver/three.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme"),
      "tenants/beta.yaml": TENANT("beta"),
    });
    expect(problems).toEqual([]);
    expect(flows.map((f) => `${f.env} ${f.namespace}/${f.id}`)).toEqual(
      ["staging", "production"].flatMap((env) =>
        ["acme", "beta"].flatMap((tenant) => [`${tenant}.z${env === "staging" ? "stg" : "prd"}.bronze/one`, `${tenant}.z${env === "staging" ? "stg" : "prd"}.bronze/two`, `${tenant}.z${env === "staging" ? "stg" : "prd"}.silver/three`].map((name) => `${env} ${name}`)),
      ),
    );
    for (const flow of flows) expect(flow.source).toContain(`namespace: ${flow.namespace}\n`);
  });

  it("reports a pattern's missing value, a refused namespace and a refused id for every template of the folder", () => {
    const { flows, problems } = renderFiles({
      "flowops.config.yaml": 'namespace: "${tenant.vars.org}.${flow.folder}"\n',
      "flows/bronze/one.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "flows/bronze/three.yaml": 'id: "not ok"\ntasks: [{ id: t, type: a.B }]\n',
      "flows/bronze/two.yaml": "tasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme", "vars: { org: acme }\nnamespaces: [acme]\n"),
      "tenants/beta.yaml": TENANT("beta"),
      "tenants/gamma.yaml": TENANT("gamma", "vars: { org: acme }\n"),
    });
    expect(flows.map((f) => `${f.tenant} ${f.namespace}/${f.id}`)).toEqual(["acme acme.bronze/one", "acme acme.bronze/two"]);
    const outOfKestra = "namespace-pattern Kestra";
    const outOfTenant = "namespace-pattern outside";
    const badId = "id-matches-file";
    const missing = "unknown-placeholder";
    expect(problems.map((p) => [p.tenant, p.file, p.code === "namespace-pattern" ? `${p.code} ${p.message.includes("outside") ? "outside" : "Kestra"}` : p.code])).toEqual([
      // acme's namespace passed for one.yaml; three.yaml's id is still checked.
      ["acme", "flows/bronze/three.yaml", badId],
      ["beta", "flowops.config.yaml", missing],
      ["beta", "flows/bronze/one.yaml", outOfKestra],
      ["beta", "flowops.config.yaml", missing],
      ["beta", "flows/bronze/three.yaml", badId],
      ["beta", "flows/bronze/three.yaml", outOfKestra],
      ["beta", "flowops.config.yaml", missing],
      ["beta", "flows/bronze/two.yaml", outOfKestra],
      // gamma's pattern gives acme's namespace: refused for gamma, for each template, though acme's own flows passed.
      ["gamma", "flows/bronze/one.yaml", outOfTenant],
      ["gamma", "flows/bronze/three.yaml", badId],
      ["gamma", "flows/bronze/two.yaml", outOfTenant],
    ]);
  });

  it("writes the same placeholder text in each scalar's own style", () => {
    const { flows, problems } = renderFiles({
      "flows/bronze/one.yaml": [
        "variables:",
        "  plain: ${tenant.vars.quote}",
        "  single: '${tenant.vars.quote}'",
        '  double: "${tenant.vars.quote}"',
        "  block: |",
        "    ${tenant.vars.quote}",
        "  folded: >-",
        "    ${tenant.vars.quote}",
        "  also: ${tenant.vars.quote}",
        "tasks: [{ id: t, type: a.B }]",
        "",
      ].join("\n"),
      "flows/bronze/two.yaml": "description: '${tenant.vars.quote}'\ntasks: [{ id: t, type: a.B }]\n",
      "tenants/acme.yaml": TENANT("acme", "vars: { quote: 'say \"hi\"' }\n"),
    });
    expect(problems).toEqual([]);
    const [one, two] = flows;
    expect(one!.source).toContain(
      ['  plain: "say \\"hi\\""', "  single: 'say \"hi\"'", '  double: "say \\"hi\\""', "  block: |", '    say "hi"', '  folded: "say \\"hi\\""', '  also: "say \\"hi\\""', ""].join("\n"),
    );
    expect(two!.source).toContain("description: 'say \"hi\"'\n");
    expectSourceMatchesDocument(one!);
    expectSourceMatchesDocument(two!);
  });
});
