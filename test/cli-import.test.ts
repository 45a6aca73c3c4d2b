import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "@flowops/cli";
import { readRepository, render } from "@flowops/render";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { captureIO, gitRepo, listFiles, repoRoot, tempDir, writeFiles } from "./support.js";
import { startKestraDouble } from "./kestra-double/index.js";
import { TERRAFORM_SEED } from "./terraform-seed.js";

/** Every flow under a `flowops render --out` environment folder, parsed, by `namespace/id`. */
function renderedFlows(dir: string): Map<string, unknown> {
  const flows = new Map<string, unknown>();
  for (const file of listFiles(dir)) {
    const document = parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
    flows.set(`${document.namespace}/${document.id}`, document);
  }
  return flows;
}

describe("flowops import flows", () => {
  it("imports the example platform's own rendered output and renders it back equal", async () => {
    const { dir } = await gitRepo({});
    // Only the platform's folders: listing the whole root would walk node_modules and .git.
    const platformFiles = ["flows", "tenants", "schemas"].flatMap((folder) => listFiles(join(repoRoot, folder)).map((f) => `${folder}/${f}`));
    writeFiles(dir, Object.fromEntries([...platformFiles, "flowops.config.yaml"].map((f) => [f, readFileSync(join(repoRoot, f), "utf8")])));
    const rendered = tempDir();
    expect(await main(["render", "--out", rendered], captureIO(dir))).toBe(0);
    const out = join(tempDir(), "imported");
    const ambiguous = captureIO(dir);
    expect(await main(["import", "flows", "--from", rendered, "--out", out], ambiguous)).toBe(2);
    expect(ambiguous.err()).toMatch(/holds the environments .*staging.*; choose one with --env/);
    const io = captureIO(dir);
    expect(await main(["import", "flows", "--from", rendered, "--env", "staging", "--out", out], io), io.err()).toBe(0);
    expect(io.out()).toMatch(/Round trip: (\d+) of \1 flows render back equal/);
    expect(existsSync(join(out, "flowops.config.yaml"))).toBe(true);
    expect(existsSync(join(out, "import-report.md"))).toBe(true);

    // The imported repository, read from disk and rendered by the CLI, gives back every original flow.
    const back = tempDir();
    expect(await main(["render", "--out", back], captureIO(out))).toBe(0);
    const original = renderedFlows(join(rendered, "staging"));
    const again = renderedFlows(join(back, "default").replace(/default$/, "staging"));
    expect([...again.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [key, document] of original) expect(again.get(key), key).toEqual(document);

    // One template per flow key, each keeping the comments of the copies, and no ownership label.
    const copies = new Map<string, string[]>();
    for (const file of listFiles(join(rendered, "staging"))) {
      const [namespace, name] = file.split("/") as [string, string];
      const [tenant, ...folder] = namespace.split(".");
      const key = `${folder.join("/")}/${name.replace(/\.yaml$/, "")}`;
      copies.set(key, [...(copies.get(key) ?? []), tenant!]);
    }
    const tenants = [...new Set([...copies.values()].flat())];
    const comments = (text: string) => text.split("\n").filter((l) => l.trim().startsWith("#")).map((l) => l.trim());
    for (const [key, having] of copies) {
      const template = readFileSync(join(out, "flows", `${key}.yaml`), "utf8");
      const copy = readFileSync(join(rendered, "staging", `${having[0]}.${key.split("/")[0]}`, `${key.split("/")[1]}.yaml`), "utf8");
      expect(comments(template), key).toEqual(comments(copy));
      expect(template).not.toMatch(/managed-by|system\.readOnly/);
      // A tenant without the flow has it switched off in its file.
      for (const tenant of tenants.filter((t) => !having.includes(t))) {
        const file = parse(readFileSync(join(out, "tenants", `${tenant}.yaml`), "utf8")) as { flows?: Record<string, unknown> };
        expect(file.flows?.[key], `${tenant} ${key}`).toEqual({ enabled: false });
      }
    }
    expect(await main(["lint", "--format", "json"], captureIO(out))).not.toBe(2);
  }, 120_000);

  it("factors values, tenant codes and parts some tenants lack, and keeps what it cannot factor per tenant", async () => {
    const from = tempDir();
    const flow = (tenant: string, extra: string) =>
      `# Costs of ${tenant}\nid: costs\nnamespace: ${tenant}.bronze\nlabels:\n  managed-by: flowops\n  system.readOnly: "true"\n  flowops.tenant: ${tenant}\n${extra}`;
    writeFiles(from, {
      "acme.bronze.costs.yml": flow("acme", "tasks:\n  - id: run\n    type: io.kestra.plugin.core.log.Log\n    message: bucket s3://lake/acme/in for ${USER}\n    limit: 10\n  - id: carbon\n    type: io.kestra.plugin.core.log.Log\n    message: carbon\n"),
      "beta.bronze.costs.yml": flow("beta", "tasks:\n  - id: run\n    type: io.kestra.plugin.core.log.Log\n    message: bucket s3://lake/beta/in for ${USER}\n    limit: 25\n"),
      "acme.silver.only.yml": "id: only\nnamespace: acme.silver\ntasks: [{ id: t, type: io.kestra.plugin.core.log.Log, message: m }]\n",
      "beta.gold.odd.yml": "id: odd\nnamespace: beta.gold\ndescription: has one\ntasks: [{ id: t, type: io.kestra.plugin.core.log.Log, message: m }]\n",
      "acme.gold.odd.yml": "id: odd\nnamespace: acme.gold\ntasks: [{ id: t, type: io.kestra.plugin.core.log.Log, message: m }]\n",
      "system.cleanup.yml": "id: cleanup\nnamespace: system\ntasks: [{ id: t, type: io.kestra.plugin.core.log.Log, message: m }]\n",
    });
    const out = join(tempDir(), "repo");
    const io = captureIO(from);
    expect(await main(["import", "flows", "--from", ".", "--env", "production", "--out", out], io), io.err()).toBe(0);
    const template = readFileSync(join(out, "flows/bronze/costs.yaml"), "utf8");
    expect(template.startsWith("# Costs of acme\n")).toBe(true);
    expect(template).toContain("message: bucket s3://lake/${tenant.code}/in for $${USER}");
    expect(template).toMatch(/limit: \$\{tenant\.vars\.limit\}/);
    expect(template).toMatch(/- \$when: tenant\.vars\.withCarbon\n/);
    expect(template).not.toMatch(/namespace:|managed-by|flowops\.tenant/);
    const beta = parse(readFileSync(join(out, "tenants/beta.yaml"), "utf8")) as Record<string, unknown>;
    expect(beta).toMatchObject({ code: "beta", environments: ["production"], vars: { limit: 25, withCarbon: false }, flows: { "silver/only": { enabled: false } } });
    // A top-level key only one copy has cannot be one template: each copy is kept for its tenant.
    expect(listFiles(join(out, "flows"))).toEqual(["bronze/costs.yaml", "gold/acme/odd.yaml", "gold/beta/odd.yaml", "silver/only.yaml"]);
    expect(readFileSync(join(out, "flows/gold/beta/odd.yaml"), "utf8")).toContain('$when: tenant.code == "beta"');
    const report = readFileSync(join(out, "import-report.md"), "utf8");
    expect(report).toContain("Round trip: **5 of 5**");
    expect(report).toContain("`beta.gold/odd` (beta)");
    expect(report).toContain("system/cleanup");
    expect(io.out()).toContain("2 tenant-only template(s)");

    const repository = await readRepository({ cwd: out });
    const flows = render(repository, { ownershipLabels: false }).flows;
    expect(flows.map((f) => `${f.tenant}:${f.namespace}/${f.id}`).sort()).toEqual(["acme:acme.bronze/costs", "acme:acme.gold/odd", "acme:acme.silver/only", "beta:beta.bronze/costs", "beta:beta.gold/odd"]);
  }, 60_000);

  it("reads the tenant from another namespace pattern, and refuses bad input with file:line and exit 2", async () => {
    const from = tempDir();
    writeFiles(from, {
      "a.yml": "id: f\nnamespace: company.acme.team\ntasks: [{ id: t, type: io.kestra.plugin.core.log.Log, message: acme }]\n",
      "b.yml": "id: f\nnamespace: company.beta.team\ntasks: [{ id: t, type: io.kestra.plugin.core.log.Log, message: beta }]\n",
    });
    const out = join(tempDir(), "repo");
    const io = captureIO(from);
    expect(await main(["import", "flows", "--from", ".", "--out", out, "--namespace-pattern", "company.${tenant.code}.${flow.folder}"], io), io.err()).toBe(0);
    expect(readFileSync(join(out, "flowops.config.yaml"), "utf8")).toContain("namespace: company.${tenant.code}.${flow.folder}");
    expect(readFileSync(join(out, "flows/team/f.yaml"), "utf8")).toContain('message: "${tenant.code}"');

    writeFiles(from, { "c.yml": "id: g\nnamespace: company.gamma.team\ntasks:\n  - id: t\n   type: x\n" });
    const bad = captureIO(from);
    expect(await main(["import", "flows", "--from", ".", "--out", join(tempDir(), "x"), "--namespace-pattern", "company.${tenant.code}.${flow.folder}"], bad)).toBe(2);
    expect(bad.err()).toMatch(/c\.yml:5:\d+: error invalid YAML/);
    expect(bad.err()).toContain("nothing was written");

    const notEmpty = captureIO(from);
    expect(await main(["import", "flows", "--from", ".", "--out", out], notEmpty)).toBe(2);
    expect(notEmpty.err()).toContain("is not empty");
  }, 60_000);

  it.each([
    ["a flow id that would name a file outside flows/", "id: ../../tenants/evil\nnamespace: acme.bronze\ntasks: []\n", 'flow id "../../tenants/evil" is not one Kestra accepts'],
    ["a document that is not a flow", "- just\n- a list\n", "not a Kestra flow"],
    ["two documents in one file", "id: a\nnamespace: acme.x\n---\nid: b\nnamespace: acme.x\n", "holds 2 YAML documents"],
  ])("refuses %s with exit 2 and writes nothing", async (_, text, expected) => {
    const from = tempDir();
    writeFiles(from, { "flow.yml": text });
    const out = join(tempDir(), "repo");
    const io = captureIO(from);
    expect(await main(["import", "flows", "--from", ".", "--out", out], io)).toBe(2);
    expect(io.err()).toContain(expected);
    expect(io.err()).toMatch(/^flow\.yml:\d+:\d+: error /);
    expect(existsSync(out)).toBe(false);
  });

  it("reads every flow of a live Kestra through the client, with the environment's credentials", async () => {
    const kestra = await startKestraDouble({ basicAuth: { username: "ops@example.com", password: "s3cret-Pass" } });
    try {
      for (const tenant of ["acme", "beta"]) {
        kestra.seedFlow(`id: nightly\nnamespace: ${tenant}.bronze\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hello ${tenant}\n`);
      }
      kestra.seedFlow("id: made_by_hand\nnamespace: ops\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: x\n");
      const out = join(tempDir(), "repo");
      const io = captureIO(tempDir(), { KESTRA_USERNAME: "ops@example.com", KESTRA_PASSWORD: "s3cret-Pass" });
      expect(await main(["import", "flows", "--kestra-url", kestra.url, "--env", "production", "--out", out], io), io.err()).toBe(0);
      expect(readFileSync(join(out, "flows/bronze/nightly.yaml"), "utf8")).toContain("message: hello ${tenant.code}");
      expect(parse(readFileSync(join(out, "flowops.config.yaml"), "utf8"))).toEqual({ flows: "flows", tenants: "tenants", environments: { production: { kestra: { url: kestra.url } } } });
      expect(io.out()).toContain("ops/made_by_hand");
      expect(kestra.writeCount()).toBe(0);

      const denied = captureIO(tempDir(), { KESTRA_USERNAME: "ops@example.com", KESTRA_PASSWORD: "wrong" });
      expect(await main(["import", "flows", "--kestra-url", kestra.url, "--out", join(tempDir(), "x")], denied)).toBe(2);
      expect(denied.err()).toContain("reading flows from Kestra failed");
      expect(denied.err()).not.toContain("wrong");
    } finally {
      await kestra.close();
    }
  }, 60_000);

  it("answers --help with its usage", async () => {
    const io = captureIO(tempDir());
    expect(await main(["import", "--help"], io)).toBe(0);
    expect(io.out()).toContain("flowops import flows --from DIR | --kestra-url URL");
    const flows = captureIO(tempDir());
    expect(await main(["import", "terraform", "--help"], flows)).toBe(0);
    expect(flows.out()).toContain("flowops import terraform DIR --out DIR");
  });
});

describe("flowops import terraform", () => {
  it("turns the seed's templatefile set-up into templates and tenant files that render back equal", async () => {
    const tf = tempDir();
    writeFiles(tf, TERRAFORM_SEED);
    const out = join(tempDir(), "repo");
    const io = captureIO(tf);
    expect(await main(["import", "terraform", ".", "--out", out, "--env", "production"], io), io.err() + io.out()).toBe(0);
    expect(io.out()).toContain("Round trip: 21 of 21 flows render back equal");
    expect(listFiles(join(out, "flows"))).toEqual([
      "bronze/aws_costs.yaml",
      "bronze/azure_costs.yaml",
      "bronze/gcp_costs.yaml",
      "gold/budget_alerts.yaml",
      "gold/cost_allocation.yaml",
      "gold/cost_forecast.yaml",
      "silver/costs_focus.yaml",
      "silver/usage_daily.yaml",
    ]);
    const aws = readFileSync(join(out, "flows/bronze/aws_costs.yaml"), "utf8");
    expect(aws).toContain("# Bronze: aws billing export for one customer.\n");
    expect(aws).toContain("  - $when: tenant.sources.aws\n    id: extract\n");
    expect(aws).toContain('cron: "${tenant.schedule}"');
    expect(aws).not.toContain("%{");
    expect(readFileSync(join(out, "flows/gold/cost_allocation.yaml"), "utf8")).toContain("concurrency:\n  $when: tenant.sources.aws\n  limit: 1\n");
    const alerts = readFileSync(join(out, "flows/gold/budget_alerts.yaml"), "utf8");
    expect(alerts).toContain("  - $when: tenant.vars.monthly_budget == 90000\n    id: page_finance\n");
    expect(alerts).toContain("  - $when: '!(tenant.vars.monthly_budget == 90000)'\n    id: mail_finance\n");
    const usage = readFileSync(join(out, "flows/silver/usage_daily.yaml"), "utf8");
    expect(usage).toContain("'$${not_a_var}'");
    expect(usage).toContain("aws_enabled: ${tenant.vars.src_cloud_aws}");
    const customer2 = parse(readFileSync(join(out, "tenants/customer_2.yaml"), "utf8")) as Record<string, unknown>;
    expect(customer2).toEqual({
      code: "customer_2",
      environments: ["production"],
      sources: { aws: false, gcp: true, azure: true },
      schedule: "0 2 * * *",
      vars: { warehouse: "cust2_dw", monthly_budget: 12000, src_cloud_aws: 0 },
      flows: { "gold/budget_alerts": { enabled: false }, "gold/cost_allocation": { enabled: false }, "gold/cost_forecast": { enabled: false } },
    });
    // The CLI's own render of the written repository agrees, and lint finds nothing to block.
    const back = tempDir();
    expect(await main(["render", "--out", back], captureIO(out))).toBe(0);
    expect(listFiles(join(back, "production")).length).toBe(21);
    const lint = captureIO(out);
    expect(await main(["lint"], lint), lint.out()).toBe(0);
  }, 120_000);

  it("keeps a flow whose Terraform text and flowops render disagree as tenant-only templates, and says so", async () => {
    const tf = tempDir();
    // Terraform pastes "0042" into the YAML text, where it reads as the number 42; a flowops
    // placeholder keeps the string. The round trip catches it.
    const resource = (code: string, centre: string) =>
      `resource "kestra_flow" "${code}" {\n  namespace = "${code}.gold"\n  flow_id   = "ledger"\n  content   = templatefile("ledger.yaml.tftpl", { tenant_code = "${code}", cost_center = "${centre}" })\n}\n`;
    writeFiles(tf, {
      "main.tf": resource("c1", "0042") + resource("c2", "north"),
      "ledger.yaml.tftpl": "id: ledger\nnamespace: ${tenant_code}.gold\nvariables:\n  costCenter: ${cost_center}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\n",
    });
    const out = join(tempDir(), "repo");
    const io = captureIO(tf);
    expect(await main(["import", "terraform", ".", "--out", out], io), io.err()).toBe(0);
    expect(io.out()).toContain("Round trip: 2 of 2 flows render back equal");
    expect(io.out()).toContain("c1.gold/ledger (c1): the converted template gave something else (rendered back different at variables.costCenter)");
    expect(parse(readFileSync(join(out, "flows/gold/c1/ledger.yaml"), "utf8"))).toMatchObject({ $when: 'tenant.code == "c1"', variables: { costCenter: 42 } });
    expect(readFileSync(join(out, "import-report.md"), "utf8")).toContain("## Kept tenant-specific (1)");
  }, 60_000);

  it.each([
    ["a %{ for } loop", { "flows/tenant/gold/cost_forecast.yaml.tftpl": "id: cost_forecast\ntasks:\n%{ for r in regions }\n  - id: r\n%{ endfor }\n" }, "flows/tenant/gold/cost_forecast.yaml.tftpl:3:1: error %{ for } is not supported"],
    ["a module", { "extra.tf": 'module "flows" {\n  source = "./modules/flows"\n}\n' }, "extra.tf:1:1: error module \"flows\": modules are not supported"],
    ["another function", { "extra.tf": 'resource "kestra_flow" "x" {\n  namespace = "customer_9.bronze"\n  flow_id   = "f"\n  content   = file("f.yaml")\n}\n' }, "extra.tf:4:3: error kestra_flow.x.content: function file() is not supported"],
    ["a dynamic map of variables", { "extra.tf": 'resource "kestra_flow" "x" {\n  namespace = "customer_9.bronze"\n  flow_id   = "f"\n  content   = templatefile("f.yaml.tftpl", local.customers["x"])\n}\n' }, "extra.tf:4:3: error kestra_flow.x.content:"],
    ["an HCL syntax error", { "extra.tf": 'resource "kestra_flow" "x" {\n  namespace = \n}\n' }, "extra.tf:2:"],
    ["malformed YAML in a template", { "flows/tenant/silver/usage_daily.yaml.tftpl": "id: usage_daily\ntasks:\n  - id: a\n   type: b\n" }, "flows/tenant/silver/usage_daily.yaml.tftpl:4:"],
  ])("refuses %s with file:line and exit 2", async (_, files, expected) => {
    const tf = tempDir();
    writeFiles(tf, { ...TERRAFORM_SEED, ...files });
    const io = captureIO(tf);
    const out = join(tempDir(), "repo");
    expect(await main(["import", "terraform", ".", "--out", out], io)).toBe(2);
    expect(io.err()).toContain(expected);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

describe("flowops tenant add", () => {
  const platform = {
    "flowops.config.yaml": "tenantVarsSchema: schemas/vars.json\nenvironments:\n  staging: {}\n  production: {}\n",
    "schemas/vars.json": JSON.stringify({ type: "object", required: ["warehouse", "currency"], properties: { warehouse: { type: "string" }, currency: { enum: ["EUR", "USD"], description: "Reporting currency" } } }),
    "flows/bronze/aws_costs.yaml": "$when: tenant.sources.aws\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: ${tenant.vars.warehouse}\ntriggers:\n  - id: nightly\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: ${tenant.schedule}\n",
    "flows/silver/usage.yaml": "tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: ${tenant.vars.currency}\n",
    "tenants/acme.yaml": "code: acme\nname: Acme\nenvironments: [staging, production]\nsources: { aws: true, gcp: false }\nschedule: \"0 1 * * *\"\nvars: { warehouse: acme_dw, currency: EUR }\n",
  };

  it("writes a tenant file from flags, validates it, prints its flows per environment, and lint stays clean", async () => {
    const { dir } = await gitRepo(platform);
    const io = captureIO(dir);
    const args = ["tenant", "add", "globex", "--name", "Globex", "--source", "aws", "--env", "staging", "--set", "schedule=30 2 * * *", "--set", "vars.warehouse=globex_dw", "--set", "vars.currency=USD"];
    expect(await main(args, io), io.err()).toBe(0);
    expect(readFileSync(join(dir, "tenants/globex.yaml"), "utf8")).toBe(
      '# Globex: added by flowops tenant add.\ncode: globex\nname: Globex\nenvironments: [staging]\nsources: {aws: true, gcp: false}\nschedule: "30 2 * * *"\nvars:\n  warehouse: globex_dw\n  currency: USD\n',
    );
    expect(io.out()).toBe("Wrote tenants/globex.yaml\nstaging: 2 flow(s)\n  globex.bronze/aws_costs\n  globex.silver/usage\nproduction: 0 flow(s)\n");
    const lint = captureIO(dir);
    expect(await main(["lint"], lint), lint.out()).toBe(0);
  }, 60_000);

  it.each([
    ["an existing code", ["acme"], "tenant acme already exists"],
    ["an invalid code", ["Not-A-Code"], '"Not-A-Code" is not a valid tenant code'],
    ["a missing required var", ["globex", "--set", "vars.warehouse=g", "--set", "schedule=0 1 * * *"], "missing vars.currency (Reporting currency); one of \"EUR\", \"USD\""],
    ["a value the vars schema refuses", ["globex", "--set", "vars.warehouse=g", "--set", "vars.currency=YEN", "--set", "schedule=0 1 * * *"], "tenants/globex.yaml:"],
    ["a var the templates read but the tenant lacks", ["globex", "--source", "aws", "--set", "vars.warehouse=g", "--set", "vars.currency=EUR"], "missing schedule"],
    ["an unknown environment", ["globex", "--env", "qa"], 'unknown environment "qa"'],
  ])("refuses %s with exit 2 and writes nothing", async (_, args, expected) => {
    const { dir } = await gitRepo(platform);
    const io = captureIO(dir);
    expect(await main(["tenant", "add", ...args], io)).toBe(2);
    expect(io.err()).toContain(expected);
    expect(listFiles(join(dir, "tenants"))).toEqual(["acme.yaml"]);
  }, 60_000);
});

