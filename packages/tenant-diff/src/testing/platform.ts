// Test support only: a small generated platform and random edits of it, for the
// incremental-equals-full property.

/** Seeded PRNG (mulberry32), so a failing case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const PLATFORM_TEMPLATES: Record<string, string> = {
  "flows/bronze/ingest.yaml": `tasks:
  - id: extract
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python:3.12-slim
    script: print("\${tenant.code}")
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "\${tenant.schedule}"
`,
  "flows/bronze/costs.yaml": `tasks:
  - id: load
    type: io.kestra.plugin.jdbc.postgresql.Query
    sql: select * from \${tenant.vars.warehouse}.costs
`,
  "flows/silver/usage.yaml": `tasks:
  - id: run
    type: io.kestra.plugin.core.log.Log
    message: usage for \${tenant.name} in \${env.vars.k8s}
triggers:
  - id: upstream
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      flows:
        - namespace: \${tenant.code}.bronze
          flowId: ingest
`,
  "flows/bronze/aws_costs.yaml": `$when: tenant.sources.aws
tasks:
  - id: pull
    type: io.kestra.plugin.aws.s3.Download
    bucket: \${tenant.code}-costs
  - id: gcp_too
    $when: tenant.sources.gcp
    type: io.kestra.plugin.gcp.gcs.Download
    from: gs://\${tenant.code}/costs
`,
  "flows/gold/report.yaml": `tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: \${tenant.code}.silver
    flowId: usage
`,
  "flows/gold/platform_watch.yaml": `# watches the first tenant's ingest from every tenant (a cross-tenant reference)
tasks:
  - id: watch
    type: io.kestra.plugin.core.log.Log
    message: watch
triggers:
  - id: after_t0
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: t0.bronze
        flowId: ingest
`,
  "flows/gold/dynamic.yaml": `tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: \${tenant.code}.bronze
    flowId: \${tenant.vars.upstream}
`,
};

export function tenantFile(
  code: string,
  options: { schedule?: string; warehouse?: string; upstream?: string; envs?: string[]; flows?: Record<string, unknown>; aws?: boolean; gcp?: boolean } = {},
): string {
  return `code: ${code}
name: Tenant ${code}
environments: [${(options.envs ?? ["staging", "production"]).join(", ")}]
sources: { aws: ${options.aws ?? true}, gcp: ${options.gcp ?? false} }
schedule: "${options.schedule ?? "0 1 * * *"}"
vars:
  warehouse: ${options.warehouse ?? `${code}_dw`}
  upstream: ${options.upstream ?? "costs"}
flows: ${JSON.stringify(options.flows ?? {})}
`;
}

export function configFile(stagingK8s = "data-staging"): string {
  return `environments:
  staging:
    vars: { k8s: ${stagingK8s} }
  production:
    vars: { k8s: data-production }
`;
}

export function generatePlatform(tenants: number): Map<string, string> {
  const files = new Map<string, string>([["flowops.config.yaml", configFile()], ["README.md", "# platform\n"]]);
  for (const [path, text] of Object.entries(PLATFORM_TEMPLATES)) files.set(path, text);
  for (let index = 0; index < tenants; index += 1) files.set(`tenants/t${index}.yaml`, tenantFile(`t${index}`, { schedule: `0 ${index} * * *` }));
  return files;
}

type Edit = (files: Map<string, string>, random: () => number) => void;

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)] as T;
const keysUnder = (files: Map<string, string>, prefix: string) => [...files.keys()].filter((path) => path.startsWith(prefix)).sort();

const EDITS: Edit[] = [
  // template edits: semantic, cosmetic, task type, image
  (files, random) => {
    const path = pick(keysUnder(files, "flows/"), random);
    files.set(path, `# reviewed\n${files.get(path)}`);
  },
  (files, random) => {
    const path = pick(keysUnder(files, "flows/"), random);
    files.set(path, `${files.get(path)}labels:\n  tier: t${Math.floor(random() * 3)}\n`);
  },
  (files) => files.set("flows/bronze/ingest.yaml", (files.get("flows/bronze/ingest.yaml") ?? PLATFORM_TEMPLATES["flows/bronze/ingest.yaml"]!).replace("python:3.12", "python:3.13")),
  (files) => files.set("flows/bronze/costs.yaml", (files.get("flows/bronze/costs.yaml") ?? PLATFORM_TEMPLATES["flows/bronze/costs.yaml"]!).replace("postgresql", "mysql")),
  // templates come and go
  (files, random) => files.set(`flows/gold/new_${Math.floor(random() * 3)}.yaml`, `tasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${tenant.code}.bronze\n    flowId: costs\n`),
  (files, random) => {
    const templates = keysUnder(files, "flows/");
    if (templates.length > 1) files.delete(pick(templates, random));
  },
  // tenant edits
  (files, random) => {
    const path = pick(keysUnder(files, "tenants/"), random);
    const code = path.slice("tenants/".length, -".yaml".length);
    const variants = [
      { schedule: `30 ${Math.floor(random() * 5)} * * *` },
      { warehouse: `${code}_new_dw` },
      { upstream: "ingest" },
      { aws: false },
      { gcp: true },
      { envs: ["staging"] },
      { flows: { "silver/usage": { enabled: false } } },
      { flows: { "bronze/ingest": { disabled: true } } },
    ];
    files.set(path, tenantFile(code, pick(variants, random)));
  },
  (files, random) => {
    const code = `n${Math.floor(random() * 3)}`;
    files.set(`tenants/${code}.yaml`, tenantFile(code));
  },
  (files, random) => {
    const tenants = keysUnder(files, "tenants/");
    if (tenants.length > 1) files.delete(pick(tenants, random));
  },
  // config and unrelated files
  (files, random) => files.set("flowops.config.yaml", configFile(`data-staging-${Math.floor(random() * 3)}`)),
  (files, random) => files.set("README.md", `# platform ${random()}\n`),
];

/** Applies 1 to 3 random edits to a copy of the platform. */
export function randomlyEdited(files: ReadonlyMap<string, string>, random: () => number): Map<string, string> {
  const edited = new Map(files);
  const count = 1 + Math.floor(random() * 3);
  for (let index = 0; index < count; index += 1) pick(EDITS, random)(edited, random);
  return edited;
}

export function changedPaths(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): string[] {
  return [...new Set([...base.keys(), ...head.keys()])].filter((path) => base.get(path) !== head.get(path)).sort();
}
