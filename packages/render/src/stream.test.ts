import { describe, expect, it } from "vitest";
import { buildRepository, flowLocator, render, renderProblems, renderTenants, type RenderedFlow, type RenderResult, type RenderStream } from "./index.js";

function repoOf(files: Record<string, string>) {
  return buildRepository({ root: "/repo", files: new Map(Object.entries(files)), hasTenantsFolder: true });
}

const CONFIG = "namespace: \"customers.${tenant.code}.${flow.folder}\"\nenvironments:\n  staging: { vars: { bucket: s3-stg, paging: false } }\n  production: { vars: { bucket: s3-prd, paging: true } }\n";

/** Templates that read env and ones that do not, problems of both kinds, a duplicate, a tenant limited to one environment. */
const PLATFORM: Record<string, string> = {
  "flowops.config.yaml": CONFIG,
  "flows/bronze/plain.yaml": "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: Hello ${tenant.code}\n",
  "flows/bronze/bucket.yaml": "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${env.vars.bucket}\n",
  "flows/bronze/paging.yaml": "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n  - $when: env.vars.paging\n    id: page\n    type: io.kestra.plugin.core.log.Log\n    message: page\n",
  "flows/bronze/region.yaml": "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${tenant.vars.region}\n",
  "flows/bronze/same_id.yaml": "id: plain\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: again\n",
  "tenants/acme.yaml": "code: acme\nvars: { region: eu }\n",
  "tenants/beta.yaml": "code: beta\nenvironments: [staging]\nvars: { region: us }\n",
  "tenants/gamma.yaml": "code: gamma\nvars: {}\n",
};

/** Everything a render result says, as plain data (documents included). */
function snapshot(result: RenderResult) {
  const flow = (f: RenderedFlow) => ({ ...JSON.parse(JSON.stringify(f)), document: f.document, at: f.locate(["tasks", 0, "message"]) });
  return { flows: result.flows.map(flow), duplicates: result.duplicates?.map(flow), problems: result.problems };
}

/** The stream, flattened in render's (env, tenant) order. */
function flattened(stream: RenderStream, envNames: readonly string[]): RenderResult {
  const tenants = [...stream.tenants];
  const result: RenderResult = { flows: [], problems: [], duplicates: [] };
  for (const env of envNames) {
    const undefinedEnv = stream.problems.find((p) => p.message.startsWith(`environment "${env}"`));
    if (undefinedEnv) result.problems.push(undefinedEnv);
    for (const tenant of tenants) {
      const part = tenant.envs.find((e) => e.env === env);
      if (!part) continue;
      result.flows.push(...part.flows);
      result.duplicates!.push(...part.duplicates);
      result.problems.push(...part.problems);
    }
  }
  return result;
}

describe("renderTenants", () => {
  it("gives, tenant by tenant, exactly what render gives, with and without environment sharing", () => {
    const repository = repoOf(PLATFORM);
    const collected = render(repository);
    expect(collected.problems.map((p) => [p.code, p.tenant, p.env])).toEqual([
      ["duplicate-flow", "acme", "staging"],
      ["duplicate-flow", "beta", "staging"],
      ["unknown-placeholder", "gamma", "staging"],
      ["duplicate-flow", "gamma", "staging"],
      ["duplicate-flow", "acme", "production"],
      ["unknown-placeholder", "gamma", "production"],
      ["duplicate-flow", "gamma", "production"],
    ]);
    expect(collected.problems[5]!.message).toContain("in production");
    expect(snapshot(render(repository, { shareEnvironments: false }))).toEqual(snapshot(collected));
    for (const shareEnvironments of [true, false]) {
      const stream = renderTenants(repository, { shareEnvironments });
      expect(snapshot(flattened(stream, ["staging", "production"]))).toEqual(snapshot(collected));
    }
    for (const options of [{ envs: ["production", "qa"], tenants: ["gamma", "beta"] }, { envs: ["staging"] }]) {
      const stream = renderTenants(repository, options);
      expect(snapshot(flattened(stream, options.envs))).toEqual(snapshot(render(repository, options)));
    }
  });

  it("yields one item per tenant, with only the environments it goes to, that a consumer can drop", () => {
    const repository = repoOf(PLATFORM);
    const seen: { tenant: string | null; envs: string[]; flows: number }[] = [];
    for (const item of renderTenants(repository).tenants) {
      for (const env of item.envs) for (const flow of [...env.flows, ...env.duplicates]) expect([flow.tenant, flow.env]).toEqual([item.tenant, env.env]);
      seen.push({ tenant: item.tenant, envs: item.envs.map((e) => e.env), flows: item.envs.reduce((n, e) => n + e.flows.length, 0) });
    }
    expect(seen).toEqual([
      { tenant: "acme", envs: ["staging", "production"], flows: 8 },
      { tenant: "beta", envs: ["staging"], flows: 4 },
      { tenant: "gamma", envs: ["staging", "production"], flows: 8 },
    ]);
  });

  it("renders a template that reads no env.* once for every environment, and one that does per environment", () => {
    const repository = repoOf(PLATFORM);
    const acme = [...renderTenants(repository).tenants].find((t) => t.tenant === "acme")!;
    const flowOf = (env: string, template: string) => acme.envs.find((e) => e.env === env)!.flows.find((f) => f.templateKey === template)!;
    const byTemplate = new Map(acme.renders.map((r) => [r.flow.templateKey, r] as const));
    // Not reading env: one render, both environments, the same document and source.
    expect(flowOf("production", "bronze/plain").document).toBe(flowOf("staging", "bronze/plain").document);
    expect(flowOf("production", "bronze/plain").env).toBe("production");
    expect(acme.renders.filter((r) => r.flow.templateKey === "bronze/plain").map((r) => r.envs)).toEqual([["staging", "production"]]);
    expect(byTemplate.get("bronze/region")!.envs).toEqual(["staging", "production"]);
    // ${env.vars.bucket} and `$when: env.vars.paging`: rendered per environment.
    for (const template of ["bronze/bucket", "bronze/paging"]) {
      expect(flowOf("production", template).document).not.toBe(flowOf("staging", template).document);
      expect(acme.renders.filter((r) => r.flow.templateKey === template).map((r) => r.envs)).toEqual([["staging"], ["production"]]);
    }
    expect(flowOf("production", "bronze/bucket").source).toContain("s3-prd");
    // Sharing off: every environment renders on its own.
    const unshared = [...renderTenants(repository, { shareEnvironments: false }).tenants].find((t) => t.tenant === "acme")!;
    expect(unshared.renders.every((r) => r.envs.length === 1)).toBe(true);
    // A duplicate is held by the render that made it, in every environment.
    expect(byTemplate.get("bronze/same_id")!.envs).toEqual(["staging", "production"]);
  });

  it("renders per environment when the namespace pattern reads env", () => {
    const repository = repoOf({ ...PLATFORM, "flowops.config.yaml": CONFIG.replace("customers.${tenant.code}", "${tenant.code}.${env.name}") });
    const acme = [...renderTenants(repository).tenants].find((t) => t.tenant === "acme")!;
    expect(acme.renders.every((r) => r.envs.length === 1)).toBe(true);
    expect(acme.envs.map((e) => e.flows.find((f) => f.templateKey === "bronze/plain")!.namespace)).toEqual(["acme.staging.bronze", "acme.production.bronze"]);
  });

  it("renderProblems gives render's problems, in its order, for any selection (config missing, an undefined environment, an environment named twice)", () => {
    const withoutConfig = repoOf(Object.fromEntries(Object.entries(PLATFORM).filter(([path]) => path !== "flowops.config.yaml")));
    const cases: [ReturnType<typeof repoOf>, Parameters<typeof render>[1]][] = [
      [repoOf(PLATFORM), {}],
      [repoOf(PLATFORM), { envs: ["production", "nowhere", "staging"] }],
      [repoOf(PLATFORM), { envs: ["staging", "staging"], tenants: ["gamma", "acme"] }],
      [repoOf(PLATFORM), { shareEnvironments: false }],
      [withoutConfig, {}],
    ];
    for (const [repository, options] of cases) {
      const expected = render(repository, options).problems;
      expect(expected.length).toBeGreaterThan(0);
      expect(renderProblems(repository, options)).toEqual(expected);
    }
  });

  it("names a missing config once per tenant item instead of each env.* placeholder", () => {
    const repository = repoOf(Object.fromEntries(Object.entries(PLATFORM).filter(([path]) => path !== "flowops.config.yaml")));
    const collected = render(repository);
    expect(collected.problems[0]!.message).toContain("flowops.config.yaml is missing");
    for (const item of renderTenants(repository).tenants) {
      for (const env of item.envs) expect(env.problems.filter((p) => p.message.includes("${env.")).length).toBe(0);
    }
  });

  it("locates through flowLocator as the flow itself does, sequence items left out by $when included", () => {
    const repository = repoOf({
      ...PLATFORM,
      "flows/bronze/kept.yaml": "tasks:\n  - $when: tenant.vars.region == \"eu\"\n    id: eu\n    type: io.kestra.plugin.core.log.Log\n    message: eu\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${tenant.code}\n",
    });
    const { flows } = render(repository);
    const paths = [["tasks", 0, "message"], ["tasks", 1, "id"], ["tasks"], []];
    for (const flow of flows) {
      const locate = flowLocator(flow);
      for (const path of paths) expect(locate(path)).toEqual(flow.locate(path));
    }
    const kept = (tenant: string) => flows.find((f) => f.tenant === tenant && f.templateKey === "bronze/kept")!;
    expect(flowLocator(kept("acme"))(["tasks", 0, "message"]).line).toBe(5);
    expect(flowLocator(kept("gamma"))(["tasks", 0, "message"]).line).toBe(8);
  });
});
