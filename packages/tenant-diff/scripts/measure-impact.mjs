// Times `impact` on a generated platform (T tenants x F templates, default 200 x 150): a
// one-template change, a one-tenant change and a config change, incremental and full.
// Run after a build: `node packages/tenant-diff/scripts/measure-impact.mjs` (GIT=1 adds an
// end-to-end run on a real Git repository). Meant to move into bench/ as a scenario.
import { buildRepository, render, readRepository } from "@flowops/render";
import { impact, impactOfRefs } from "@flowops/tenant-diff";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { execSync } from "node:child_process";

const T = Number(process.env.T ?? 200), F = Number(process.env.F ?? 150);
const folders = ["bronze", "silver", "gold"];
function template(i) {
  const folder = folders[i % 3];
  const up = i % 3 === 1 ? `triggers:
  - id: upstream
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      flows:
        - namespace: \${tenant.code}.bronze
          flowId: t${i - 1}
` : i % 3 === 0 ? `triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "\${tenant.schedule}"
` : "";
  const sub = i % 3 === 2 ? `  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: \${tenant.code}.silver
    flowId: t${i - 1}
` : "";
  return [`flows/${folder}/t${i}.yaml`, `# template ${i}
${i % 5 === 0 ? "$when: tenant.sources.aws\n" : ""}description: Pipeline ${i} for \${tenant.name}
inputs:
  - id: day
    type: STRING
    defaults: "{{ trigger.date ?? now() }}"
tasks:
  - id: extract
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python:3.12-slim
    script: |
      print("\${tenant.code}", "{{ inputs.day }}")
  - id: load
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: jdbc:postgresql://db/\${tenant.vars.warehouse}
    sql: select * from raw_${i} where day = '{{ inputs.day }}'
  - id: gcp
    $when: tenant.sources.gcp
    type: io.kestra.plugin.gcp.gcs.Download
    from: gs://\${tenant.code}/t${i}
${sub}${up}`];
}
const tenant = (code, schedule = "0 1 * * *") => `code: ${code}
name: Tenant ${code}
environments: [staging]
sources: { aws: ${code.length % 2 === 0}, gcp: true }
schedule: "${schedule}"
vars: { warehouse: ${code}_dw }
`;
const config = (v) => `environments:
  staging:
    vars: { k8s: ${v} }
`;
const base = new Map([["flowops.config.yaml", config("a")]]);
for (let i = 0; i < F; i++) { const [p, t] = template(i); base.set(p, t); }
for (let i = 0; i < T; i++) base.set(`tenants/c${i}.yaml`, tenant(`c${i}`));

const time = (fn) => { const s = performance.now(); const r = fn(); return [performance.now() - s, r]; };
const build = (files) => buildRepository({ root: "/p", files, hasTenantsFolder: true });
const [tb, baseRepo] = time(() => build(base));
const [tr, full] = time(() => render(baseRepo));
console.log(`platform ${T} tenants x ${F} templates: build(parse) ${tb.toFixed(0)} ms, full render ${tr.toFixed(0)} ms, ${full.flows.length} flows, ${full.problems.length} problems`);


function scenario(name, edit) {
  const head = new Map(base); edit(head);
  const changed = [...new Set([...base.keys(), ...head.keys()])].filter((p) => base.get(p) !== head.get(p));
  const headRepo = build(head);
  for (const incremental of [true, false]) {
    impact({ baseRepo, headRepo, changedFiles: changed, incremental }); // warm
    const runs = [];
    let report;
    for (let k = 0; k < 3; k++) { const [t, r] = time(() => impact({ baseRepo, headRepo, changedFiles: changed, incremental })); runs.push(t); report = r; }
    runs.sort((a, b) => a - b);
    console.log(`${name} ${incremental ? "incremental" : "full       "}: median ${runs[1].toFixed(0)} ms (${report.scope.mode}); ${report.changes.length} changes, ${report.impacted.length} impacted`);
  }
}
scenario("one-template change (bronze/t3)", (h) => h.set("flows/bronze/t3.yaml", h.get("flows/bronze/t3.yaml").replace("python:3.12", "python:3.13")));
scenario("one-tenant change (c7)         ", (h) => h.set("tenants/c7.yaml", tenant("c7", "0 4 * * *")));
scenario("config change                  ", (h) => h.set("flowops.config.yaml", config("b")));

if (process.env.GIT) {
  const root = mkdtempSync(join(tmpdir(), "bench-impact-"));
  for (const [p, t] of base) { mkdirSync(dirname(join(root, p)), { recursive: true }); writeFileSync(join(root, p), t); }
  execSync("git init -q -b main && git -c user.name=b -c user.email=b@b add -A && git -c user.name=b -c user.email=b@b commit -qm base", { cwd: root });
  writeFileSync(join(root, "flows/bronze/t3.yaml"), base.get("flows/bronze/t3.yaml").replace("python:3.12", "python:3.13"));
  for (const inc of [true, false]) {
    const s = performance.now(); const { report } = await impactOfRefs({ cwd: root, base: "main", incremental: inc });
    console.log(`git end-to-end one-template (working tree vs main) ${inc ? "incremental" : "full"}: ${(performance.now() - s).toFixed(0)} ms, ${report.changes.length} changes`);
  }
  const s = performance.now(); await readRepository({ cwd: root, ref: "main" }); console.log(`readRepository(ref) alone: ${(performance.now() - s).toFixed(0)} ms`);
  rmSync(root, { recursive: true, force: true });
}
