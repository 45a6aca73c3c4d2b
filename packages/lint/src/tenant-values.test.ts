import { describe, expect, it } from "vitest";
import { lintRepository } from "./engine.js";
import { formatGithub } from "./formatters/github.js";
import { formatJson } from "./formatters/json.js";
import { formatSarif } from "./formatters/sarif.js";
import { formatText } from "./formatters/text.js";
import { multiTenantRepository } from "./testing/virtual-repository.js";

const CONFIG = { path: "flowops.config.yaml", text: "environments:\n  staging: {}\n  production: {}\n" };
const REPORT = `id: report
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "\${tenant.schedule}"
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "\${tenant.vars.warehouse}"
`;
const tenant = (code: string, schedule: string, vars = "vars: { warehouse: dw }\n") => ({
  code,
  text: `code: ${code}\nname: ${code}\nenvironments: [staging, production]\nschedule: "${schedule}"\n${vars}`,
});

function lint(tenants: ReturnType<typeof tenant>[], templates = [{ path: "flows/gold/report.yaml", text: REPORT }]) {
  const { repository, rendered } = multiTenantRepository(templates, tenants, [CONFIG]);
  return lintRepository(repository, rendered);
}

describe("errors caused by a tenant's value", () => {
  it("reports a bad cron at the tenant file's schedule, once for every environment, with the template line as related location", () => {
    const result = lint([tenant("acme", "0 2 * * *"), tenant("globex", "61 2 * * *")]);
    const cron = result.diagnostics.filter((d) => d.rule === "invalid-cron");
    expect(cron).toHaveLength(1);
    expect(cron[0]).toMatchObject({
      file: "tenants/globex.yaml",
      line: 4,
      column: 11,
      tenants: ["globex"],
      envs: ["production", "staging"],
      related: [{ file: "flows/gold/report.yaml", line: 5, column: 11, message: "used here as ${tenant.schedule}" }],
    });
    expect(cron[0]!.message).toContain("Invalid cron '61 2 * * *'");
    expect(cron[0]!.message).toContain("for tenant globex");
    expect(cron[0]!.message).not.toContain("${tenant.code}");
  });

  it("reports a var other tenants set at the tenant file that lacks it, naming the tenant, with the template's use as related location", () => {
    const result = lint([tenant("acme", "0 2 * * *"), tenant("globex", "0 3 * * *", "vars: { region: eu }\n")]);
    const missing = result.diagnostics.filter((d) => d.rule === "unknown-placeholder");
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({
      file: "tenants/globex.yaml",
      line: 5,
      column: 1,
      tenants: ["globex"],
      envs: ["production", "staging"],
      related: [{ file: "flows/gold/report.yaml", line: 9, column: 15, message: "uses ${tenant.vars.warehouse}" }],
    });
    expect(missing[0]!.message).toBe(
      "vars.warehouse is not set for tenant globex, but other tenants set it and flows/gold/report.yaml:9:15 uses it; add vars.warehouse to this tenant file, or guard that mapping with $when",
    );
  });

  it("keeps a placeholder no tenant defines at the template (a typo there), and template problems at the template", () => {
    const typo = REPORT.replace("tenant.vars.warehouse", "tenant.vars.wherehouse");
    const result = lint([tenant("acme", "0 2 * * *"), tenant("globex", "0 3 * * *")], [{ path: "flows/gold/report.yaml", text: typo }]);
    const missing = result.diagnostics.filter((d) => d.rule === "unknown-placeholder");
    expect(missing.map((d) => [d.file, d.line])).toEqual([["flows/gold/report.yaml", 9]]);
    expect(missing[0]!.related).toBeUndefined();
    expect(missing[0]!.tenants).toEqual(["acme", "globex"]);
    expect(missing[0]!.envs).toEqual(["production", "staging"]);
    expect(missing[0]!.message).toBe("${tenant.vars.wherehouse} is not set in any tenant file; correct the name, or set vars.wherehouse in the tenant files, or guard that mapping with $when");
    const literal = REPORT.replace('cron: "${tenant.schedule}"', 'cron: "61 ${tenant.vars.hour} * * *"').replace("vars.warehouse", "code");
    const both = lint([tenant("acme", "0 2 * * *", "vars: { hour: 2 }\n"), tenant("globex", "0 3 * * *", "vars: { hour: 3 }\n")], [{ path: "flows/gold/report.yaml", text: literal }]);
    // A cron rule finding on a scalar built from literal text and a tenant value: at the value.
    expect(both.diagnostics.filter((d) => d.rule === "invalid-cron").map((d) => d.file)).toEqual(["tenants/acme.yaml", "tenants/globex.yaml"]);
  });

  it("shows the related location in every format", () => {
    const result = lint([tenant("acme", "61 2 * * *")]);
    expect(formatText(result)).toContain("tenants/acme.yaml:4:11: error Invalid cron '61 2 * * *'");
    expect(formatText(result)).toContain("\n    flows/gold/report.yaml:5:11: used here as ${tenant.schedule}");
    expect(formatGithub(result)).toContain("::error file=tenants/acme.yaml,line=4,col=11,");
    expect(formatGithub(result)).toContain("[flows/gold/report.yaml:5:11 used here as ${tenant.schedule}]");
    const json = JSON.parse(formatJson(result)) as { diagnostics: { related?: unknown }[] };
    expect(json.diagnostics[0]!.related).toEqual([{ file: "flows/gold/report.yaml", line: 5, column: 11, message: "used here as ${tenant.schedule}" }]);
    const sarif = JSON.parse(formatSarif(result)) as { runs: { results: { locations: unknown[]; relatedLocations?: unknown[] }[] }[] };
    expect(sarif.runs[0]!.results[0]!.relatedLocations).toEqual([
      {
        id: 0,
        physicalLocation: { artifactLocation: { uri: "flows/gold/report.yaml", uriBaseId: "%SRCROOT%" }, region: { startLine: 5, startColumn: 11 } },
        message: { text: "used here as ${tenant.schedule}" },
      },
    ]);
  });
});
