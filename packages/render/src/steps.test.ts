import { describe, expect, it } from "vitest";
import { buildRepository, renderSteps, renderTenants, type RenderStep, type TenantRender } from "./index.js";

const log = (message: string) => `tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;

/** Shared and per-environment renders, a duplicate, a problem in every environment, a tenant in one environment. */
const PLATFORM: Record<string, string> = {
  "flowops.config.yaml": 'namespace: "customers.${tenant.code}.${flow.folder}"\nenvironments:\n  staging: { vars: { bucket: s3-stg } }\n  production: { vars: { bucket: s3-prd } }\n',
  "flows/bronze/plain.yaml": log("Hello ${tenant.code}"),
  "flows/bronze/bucket.yaml": log("${env.vars.bucket}"),
  "flows/bronze/region.yaml": log("${tenant.vars.region}"),
  "flows/bronze/same_id.yaml": `id: plain\n${log("again")}`,
  "tenants/acme.yaml": "code: acme\nvars: { region: eu }\n",
  "tenants/beta.yaml": "code: beta\nenvironments: [staging]\nvars: { region: us }\n",
  "tenants/gamma.yaml": "code: gamma\nvars: {}\n",
};

function repository() {
  return buildRepository({ root: "/repo", files: new Map(Object.entries(PLATFORM)), hasTenantsFolder: true });
}

/** The steps collected tenant by tenant, as `TenantRender`s are. */
function collected(steps: Iterable<RenderStep>): TenantRender[] {
  const tenants: TenantRender[] = [];
  let renders: TenantRender["renders"] = [];
  let placed: { flow: TenantRender["renders"][number]["flow"]; duplicate: boolean }[] = [];
  for (const step of steps) {
    if (step.kind === "render") {
      renders.push({ flow: step.flow, envs: step.placements.map((p) => p.flow.env) });
      placed.push(...step.placements);
      continue;
    }
    const envs = step.envs.map(({ env, problems }) => ({
      env,
      flows: placed.filter((p) => p.flow.env === env && !p.duplicate).map((p) => p.flow),
      duplicates: placed.filter((p) => p.flow.env === env && p.duplicate).map((p) => p.flow),
      problems,
    }));
    tenants.push({ tenant: step.tenant, envs, renders });
    renders = [];
    placed = [];
  }
  return tenants;
}

/** A tenant's render as plain data: sources, environments, problems. */
function plain(tenants: TenantRender[]) {
  const flow = (f: TenantRender["renders"][number]["flow"]) => `${f.env}:${f.namespace}/${f.id}:${f.source}`;
  return tenants.map((t) => ({
    tenant: t.tenant,
    renders: t.renders.map((r) => ({ flow: flow(r.flow), envs: r.envs })),
    envs: t.envs.map((e) => ({ env: e.env, flows: e.flows.map(flow), duplicates: e.duplicates.map(flow), problems: e.problems })),
  }));
}

describe("renderSteps", () => {
  it("collected tenant by tenant, gives exactly renderTenants' items, environments shared or not", () => {
    const repo = repository();
    for (const options of [{}, { shareEnvironments: false }, { envs: ["production", "qa"], tenants: ["gamma", "beta"] }]) {
      const steps = renderSteps(repo, options);
      const stream = renderTenants(repo, options);
      expect(steps.envs).toEqual(stream.envs);
      expect(steps.problems).toEqual(stream.problems);
      expect(plain(collected(steps.steps))).toEqual(plain([...stream.tenants]));
    }
  });

  it("hands out each render with where it goes, and a tenant's problems after its last render", () => {
    const steps = [...renderSteps(repository(), { tenants: ["gamma"] }).steps];
    const described = steps.map((step) =>
      step.kind === "render" ? `${step.flow.templateKey}: ${step.placements.map((p) => `${p.flow.env}${p.duplicate ? " (duplicate)" : ""}`).join(", ")}` : `end ${step.tenant}: ${step.envs.map((e) => `${e.env} ${e.problems.map((p) => p.code).join("+")}`).join(", ")}`,
    );
    expect(described).toEqual([
      // A template reading env.*: one render per environment.
      "bronze/bucket: staging",
      "bronze/bucket: production",
      // One render for both environments.
      "bronze/plain: staging, production",
      // A render with problems (gamma has no region) is redone per environment.
      "bronze/region: staging",
      "bronze/region: production",
      "bronze/same_id: staging (duplicate), production (duplicate)",
      "end gamma: staging unknown-placeholder+duplicate-flow, production unknown-placeholder+duplicate-flow",
    ]);
    const end = steps.at(-1)!;
    expect(end.kind === "tenant" && end.envs[0]!.problems[1]!.message).toBe("customers.gamma.bronze/plain is rendered by both flows/bronze/plain.yaml and flows/bronze/same_id.yaml for tenant gamma; give one of them another id or folder");
  });

  it("renders a template only when the consumer asks for its step", () => {
    const iterator = renderSteps(repository(), { tenants: ["acme"] }).steps[Symbol.iterator]();
    const first = iterator.next();
    expect(first.done).toBe(false);
    expect(first.value).toMatchObject({ kind: "render", tenant: "acme" });
    const rest: RenderStep[] = [];
    for (let next = iterator.next(); !next.done; next = iterator.next()) rest.push(next.value);
    expect(rest.filter((step) => step.kind === "render")).toHaveLength(4);
    expect(rest.at(-1)).toMatchObject({ kind: "tenant", tenant: "acme" });
  });
});
