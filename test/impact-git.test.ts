// End-to-end: `impactOfRefs` on real Git repositories in temp folders, with the real reader and
// renderer. Covers every classification, cause and flag, the merge-base case, the working tree as
// head, incremental == full, and the errors that must stop a report (exit 2).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { formatImpactMarkdown, impactOfRefs } from "@flowops/tenant-diff";
import type { ImpactReport } from "@flowops/tenant-diff";
import { simpleGit } from "simple-git";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const root = mkdtempSync(join(tmpdir(), "flowops-impact-"));
const git = simpleGit({ baseDir: root });
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
const remove = (path: string) => rmSync(join(root, path));

const config = (k8s: string) => `environments:
  staging:
    kestra: { url: http://127.0.0.1:8080 }
    vars: { k8s: ${k8s} }
`;
const tenant = (code: string, schedule: string, flows = "{}") => `code: ${code}
name: Tenant ${code}
sources: { aws: true }
schedule: "${schedule}"
vars: { warehouse: ${code}_dw }
flows: ${flows}
`;
const ingest = (image: string) => `tasks:
  - id: extract
    type: io.kestra.plugin.scripts.python.Script
    containerImage: ${image}
    script: print("\${tenant.code}")
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "\${tenant.schedule}"
`;
const COSTS = `tasks:
  - id: load
    type: io.kestra.plugin.jdbc.postgresql.Query
    sql: select * from \${tenant.vars.warehouse}.costs
`;
const USAGE = `tasks:
  - id: run
    type: io.kestra.plugin.core.log.Log
    message: usage on \${env.vars.k8s}
triggers:
  - id: after_ingest
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      flows:
        - namespace: \${tenant.code}.bronze
          flowId: ingest
`;
const report = (labels: string) => `tasks:
  - id: usage
    type: io.kestra.plugin.core.flow.Subflow
    namespace: \${tenant.code}.silver
    flowId: usage
${labels}`;
const quality = (type: string, trigger: boolean) => `tasks:
  - id: check
    type: ${type}
    message: checked
${trigger ? "triggers:\n  - id: hourly\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: \"0 * * * *\"\n" : ""}`;
const SIMPLE = "tasks:\n  - id: run\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";

async function commitAll(message: string): Promise<void> {
  await git.add(["-A", "."]).commit(message);
}

beforeAll(async () => {
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.name", "Test").addConfig("user.email", "test@example.com").addConfig("commit.gpgsign", "false");
  write("flowops.config.yaml", config("data-staging"));
  write("flows/bronze/ingest.yaml", ingest("python:3.12-slim"));
  write("flows/bronze/costs.yaml", COSTS);
  write("flows/silver/usage.yaml", USAGE);
  write("flows/silver/quality.yaml", quality("io.kestra.plugin.core.log.Log", true));
  write("flows/gold/report.yaml", report(""));
  write("flows/gold/legacy.yaml", SIMPLE);
  for (const code of ["acme", "beta", "gamma"]) write(`tenants/${code}.yaml`, tenant(code, "0 1 * * *"));
  write("README.md", "# platform\n");
  await commitAll("platform");

  await git.checkoutLocalBranch("feature");
  write("flows/bronze/ingest.yaml", ingest("python:3.13-slim")); // image, every tenant
  write("flows/bronze/costs.yaml", `# loads the warehouse\n${COSTS}`); // cosmetic
  remove("flows/gold/legacy.yaml"); // removed
  write("flows/gold/forecast.yaml", SIMPLE); // added
  write("flows/gold/report.yaml", report("labels:\n  team: finance\n")); // labels only
  write("flows/silver/quality.yaml", quality("io.kestra.plugin.core.debug.Return", false)); // task type, trigger removed
  write("tenants/acme.yaml", tenant("acme", "0 5 * * *")); // schedule
  write("tenants/beta.yaml", tenant("beta", "0 1 * * *", '{ "silver/usage": { disabled: true } }')); // disabled
  write("README.md", "# platform, edited\n"); // feeds nothing
  await commitAll("feature");

  // main moves on after the branch: none of this may show up as a removal in the branch's impact
  await git.checkout("main");
  write("flows/gold/main_only.yaml", SIMPLE);
  write("tenants/delta.yaml", tenant("delta", "0 2 * * *"));
  await commitAll("main moves on");
  await git.checkout("feature");
}, 30_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const line = (report: ImpactReport) =>
  report.changes.map((c) => `${c.kind} ${c.tenant}:${c.namespace}/${c.id} [${c.flags.join(",")}] <- ${c.causes.join(",")}`);

describe("flowops impact on a real Git repository", () => {
  let report: ImpactReport;
  beforeAll(async () => {
    ({ report } = await impactOfRefs({ cwd: root, base: "main", head: "feature" }));
  });

  it("compares the branch with its merge base: no phantom removals of what main added since", () => {
    expect(report.base).toMatch(/^main \(merge base [0-9a-f]{7}\)$/);
    expect(report.changes.some((c) => c.tenant === "delta" || c.id === "main_only")).toBe(false);
  });

  it("classifies every flow and names flags and causes", () => {
    const byTenant = (code: string) => line(report).filter((entry) => entry.includes(` ${code}:`));
    expect(byTenant("acme")).toEqual([
      "cosmetic acme:acme.bronze/costs [] <- flows/bronze/costs.yaml",
      "modified acme:acme.bronze/ingest [image,schedule,trigger] <- flows/bronze/ingest.yaml,tenants/acme.yaml",
      "added acme:acme.gold/forecast [] <- flows/gold/forecast.yaml",
      "removed acme:acme.gold/legacy [deleted] <- flows/gold/legacy.yaml",
      "modified acme:acme.gold/report [labels-only] <- flows/gold/report.yaml",
      "modified acme:acme.silver/quality [schedule,task-type,trigger,trigger-removed] <- flows/silver/quality.yaml",
    ]);
    expect(byTenant("beta")).toContain("modified beta:beta.silver/usage [disabled] <- tenants/beta.yaml");
    expect(byTenant("gamma")).toContain("modified gamma:gamma.bronze/ingest [image] <- flows/bronze/ingest.yaml");
    expect(report.summary).toEqual({ added: 3, removed: 3, modified: 10, cosmetic: 3, unchanged: 2, tenants: 3 });
    expect(report.changes.flatMap((c) => c.causes)).not.toContain("README.md");
  });

  it("lists unchanged flows downstream of changed ones", () => {
    // beta.gold/report calls the now disabled beta.silver/usage, but it changed itself (labels), so
    // it is a change, not an impacted flow.
    expect(report.impacted.map((f) => `${f.namespace}/${f.id} <- ${f.because.join(",")}`)).toEqual([
      "acme.silver/usage <- acme.bronze/ingest",
      "gamma.silver/usage <- gamma.bronze/ingest",
    ]);
  });

  it("gives the same answer incrementally and in full", async () => {
    const { report: full } = await impactOfRefs({ cwd: root, base: "main", head: "feature", incremental: false });
    expect(report.scope.mode).toBe("full"); // a new template (forecast) makes the plan render everything
    expect({ ...report, scope: undefined }).toEqual({ ...full, scope: undefined });
  });

  it("renders the PR comment within GitHub's limit", () => {
    const markdown = formatImpactMarkdown(report);
    expect(markdown.startsWith("**flowops impact: 19 flow changes in 3 tenants**: ⚠️ 7 destructive; 3 added, 10 modified, 3 removed, 3 cosmetic; 2 downstream impacted.")).toBe(true);
    expect(markdown).toContain("<code>bronze/costs</code>: same change for 3 tenants (cosmetic; staging)");
    expect(markdown).toContain("- **removed**: `gold/legacy` for 3 tenants in staging: `acme`, `beta`, `gamma`");
    expect(markdown).toContain("- **trigger removed** (`hourly`): `silver/quality` for 3 tenants in staging: `acme`, `beta`, `gamma`");
    expect(markdown).toContain("- **disabled**: `beta.silver/usage` (beta, staging) · from `tenants/beta.yaml`");
  });
});

describe("flowops impact with the working tree as head", () => {
  afterEach(async () => {
    await git.checkout(["--", "."]);
    await git.clean("f", ["-d"]);
  });

  it("reports no change for a clean working tree, rendering nothing", async () => {
    const { report } = await impactOfRefs({ cwd: root, base: "HEAD" });
    expect(report.changes).toEqual([]);
    expect(report.impacted).toEqual([]);
    expect(report.scope).toEqual({ mode: "incremental", reason: "no changed file feeds a flow" });
    expect(formatImpactMarkdown(report)).toMatch(/^\*\*flowops impact: no deployed flow changes\.\*\*/);
  });

  it("includes uncommitted and untracked changes and attributes a config change", async () => {
    write("flowops.config.yaml", config("data-staging-2"));
    write("tenants/zeta.yaml", tenant("zeta", "0 3 * * *"));
    const { report } = await impactOfRefs({ cwd: root, base: "HEAD" });
    expect(report.head).toBe("working tree");
    expect(report.scope).toEqual({ mode: "full", reason: "flowops.config.yaml feeds every flow" });
    const usage = report.changes.filter((c) => c.id === "usage" && c.tenant !== "zeta");
    expect(usage.map((c) => `${c.tenant} ${c.kind} ${c.causes.join(",")}`)).toEqual([
      "acme modified flowops.config.yaml",
      "beta modified flowops.config.yaml",
      "gamma modified flowops.config.yaml",
    ]);
    // Causes are exact: the new tenant's ingest flow does not read env.vars, so the config edit is
    // not one of its causes; its usage flow reads env.vars.k8s, so both files are.
    const zeta = report.changes.filter((c) => c.tenant === "zeta").map((c) => `${c.kind} ${c.id} ${c.causes.join(",")}`);
    expect(zeta).toContain("added ingest tenants/zeta.yaml");
    expect(zeta).toContain("added usage flowops.config.yaml,tenants/zeta.yaml");
    // Flows that do not read env.vars.k8s are untouched by the config edit.
    expect(report.changes.some((c) => c.tenant === "acme" && c.id === "costs")).toBe(false);
  });

  it("re-renders only the edited tenant, and matches the full result", async () => {
    write("tenants/gamma.yaml", tenant("gamma", "0 9 * * *"));
    const { report } = await impactOfRefs({ cwd: root, base: "HEAD" });
    const { report: full } = await impactOfRefs({ cwd: root, base: "HEAD", incremental: false });
    expect(report.scope).toEqual({ mode: "incremental", reason: "1 tenant(s) with every template" });
    expect(line(report)).toEqual(["modified gamma:gamma.bronze/ingest [schedule,trigger] <- tenants/gamma.yaml"]);
    expect(report.impacted).toEqual(full.impacted);
    expect(report.changes).toEqual(full.changes);
  });

  it("re-renders only an edited template (plus its possible dependents), and matches the full result", async () => {
    write("flows/bronze/ingest.yaml", ingest("python:3.14-slim"));
    const { report } = await impactOfRefs({ cwd: root, base: "HEAD" });
    const { report: full } = await impactOfRefs({ cwd: root, base: "HEAD", incremental: false });
    expect(report.scope).toEqual({ mode: "incremental", reason: "1 template(s) for every tenant" });
    expect(line(report)).toEqual([
      "modified acme:acme.bronze/ingest [image] <- flows/bronze/ingest.yaml",
      "modified beta:beta.bronze/ingest [image] <- flows/bronze/ingest.yaml",
      "modified gamma:gamma.bronze/ingest [image] <- flows/bronze/ingest.yaml",
    ]);
    // downstream flows come from templates that were not edited: found all the same
    expect(report.impacted.map((f) => `${f.namespace}/${f.id}`)).toEqual(["acme.silver/usage", "beta.silver/usage", "gamma.silver/usage"]);
    expect(report.impacted).toEqual(full.impacted);
    expect(report.changes).toEqual(full.changes);
    expect(full.summary.unchanged).toBe(15);
  });

  it("still reports when a side does not render, listing the problems at file and line", async () => {
    write("tenants/beta.yaml", "code: beta\nname: [unclosed\n");
    const { report } = await impactOfRefs({ cwd: root, base: "HEAD" });
    expect(report.problems).toEqual([expect.objectContaining({ side: "head", code: "yaml-syntax", file: "tenants/beta.yaml" })]);
    // beta's flows are not called removed: they are flagged as not rendered on the head
    expect(report.changes.length).toBeGreaterThan(0);
    expect(report.changes.every((change) => change.tenant === "beta" && change.kind === "modified" && change.flags.includes("render-problem"))).toBe(true);
  });

  it("refuses an unreadable ref (exit 2)", async () => {
    await expect(impactOfRefs({ cwd: root, base: "no-such-branch" })).rejects.toThrow(/--base: Git cannot resolve "no-such-branch"/);
  });
});

describe("flowops impact on a plain Kestra repository (no tenants folder)", () => {
  const plain = mkdtempSync(join(tmpdir(), "flowops-plain-impact-"));
  const plainGit = simpleGit({ baseDir: plain });
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(plain, path)), { recursive: true });
    writeFileSync(join(plain, path), text);
  };
  afterAll(() => rmSync(plain, { recursive: true, force: true }));

  it("diffs flows as written, with tenant null", async () => {
    await plainGit.init(["--initial-branch=main"]);
    await plainGit.addConfig("user.name", "Test").addConfig("user.email", "test@example.com").addConfig("commit.gpgsign", "false");
    put("flows/company.team/extract.yaml", "id: extract\nnamespace: company.team\ntasks:\n  - id: run\n    type: io.kestra.plugin.core.log.Log\n    message: one\n");
    put(
      "flows/company.team/load.yaml",
      "id: load\nnamespace: company.team\ntasks:\n  - id: run\n    type: io.kestra.plugin.core.log.Log\n    message: load\ntriggers:\n  - id: up\n    type: io.kestra.plugin.core.trigger.Flow\n    preconditions:\n      flows:\n        - { namespace: company.team, flowId: extract }\n",
    );
    await plainGit.add(".").commit("flows");
    put("flows/company.team/extract.yaml", "id: extract\nnamespace: company.team\ntasks:\n  - id: run\n    type: io.kestra.plugin.core.log.Log\n    message: two\n");
    const { report } = await impactOfRefs({ cwd: plain, base: "main" });
    expect(report.changes.map((c) => `${c.kind} ${c.tenant} ${c.namespace}/${c.id} <- ${c.causes.join(",")}`)).toEqual([
      "modified null company.team/extract <- flows/company.team/extract.yaml",
    ]);
    expect(report.impacted.map((f) => `${f.tenant} ${f.namespace}/${f.id}`)).toEqual(["null company.team/load"]);
    const markdown = formatImpactMarkdown(report);
    expect(markdown.startsWith("**flowops impact: 1 flow change**: 1 modified; 1 downstream impacted.")).toBe(true);
    expect(markdown).toContain("| (no tenant) | 0 | 1 | 0 | 0 | 1 |");
  });
});
