import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { parseDocument, LineCounter } from "yaml";
import { createHash } from "node:crypto";
import { readPolicyFromGit, type DeployOutcome, type DriftOutcome, type FlowDrift, type FlowopsChecks, type ImpactOutcome, type LintDiagnostic, type RepositoryPolicy } from "@flowops/sync-bot";
import { git } from "./index.js";

/**
 * Small but real stand-ins for the flowops packages the lead wires into the bot (lint, impact,
 * deploy; the policy is read for real), working on the real Git repositories of the tests: lint finds YAML syntax errors
 * and unpinned images at their line; impact diffs the flow files between two commits per tenant;
 * deploy writes each tenant's flows into an in-memory Kestra (`kestra`), one call at a time
 * observable (`deploys`, `maxConcurrentDeploys`, `hold`); drift compares that Kestra with the files.
 */
export class FakeFlowops implements FlowopsChecks {
  /** env → "<tenant>.<folder>/<id>" → deployed source. */
  readonly kestra = new Map<string, Map<string, string>>();
  readonly deploys: { env: string; sha: string; workspace: string }[] = [];
  readonly policyReads: { ref: string; policy: RepositoryPolicy }[] = [];
  maxConcurrentDeploys = 0;
  failTenant: string | null = null;
  private running = 0;
  private gate: Promise<void> | null = null;
  private onDeployStart: (() => void) | null = null;

  /** Makes the next deploys wait until the returned function is called; `started` resolves when one begins. */
  hold(): { release: () => void; started: Promise<void> } {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    const started = new Promise<void>((resolve) => (this.onDeployStart = resolve));
    return { release: () => { this.gate = null; release(); }, started };
  }

  /** The real policy reader (`@flowops/render` at the ref), recorded so tests see which ref was read. */
  async readPolicy(workspace: string, ref: string): Promise<RepositoryPolicy> {
    const policy = await readPolicyFromGit(workspace, ref);
    this.policyReads.push({ ref, policy });
    return policy;
  }

  async lint(workspace: string): Promise<{ diagnostics: LintDiagnostic[]; errorCount: number }> {
    const diagnostics: LintDiagnostic[] = [];
    for (const file of await yamlFiles(workspace, "flows")) {
      const text = await readFile(join(workspace, file), "utf8");
      const lineCounter = new LineCounter();
      const document = parseDocument(text, { lineCounter });
      for (const error of document.errors) {
        const position = lineCounter.linePos(error.pos[0]);
        diagnostics.push({ rule: "yaml-syntax", severity: "error", message: error.message.split("\n")[0] ?? "syntax error", file, line: position.line, column: position.col });
      }
      text.split("\n").forEach((line, index) => {
        const match = /^(\s*(?:- )?)(?:containerImage|image):\s*["']?([^"'\s#]+)/.exec(line);
        if (!match?.[2]) return;
        const image = match[2];
        if (!/[:@]/.test(image.split("/").pop() ?? "") || image.endsWith(":latest")) {
          diagnostics.push({ rule: "unpinned-image", severity: "error", message: `image "${image}" is not pinned; use a version tag or a digest`, file, line: index + 1, column: (match[1]?.length ?? 0) + 1 });
        }
      });
    }
    return { diagnostics, errorCount: diagnostics.filter((d) => d.severity === "error").length };
  }

  async impact(workspace: string, baseSha: string, headSha: string): Promise<ImpactOutcome> {
    const changes = (await git(workspace, ["diff", "--name-status", "--no-renames", baseSha, headSha, "--", "flows"])).split("\n").filter(Boolean);
    const tenants = (await yamlFiles(workspace, "tenants")).map((file) => file.replace(/^tenants\//, "").replace(/\.yaml$/, ""));
    const summary = { added: 0, removed: 0, modified: 0, cosmetic: 0, unchanged: 0, tenants: 0 };
    const rows: string[] = [];
    for (const line of changes) {
      const [status = "M", file = ""] = line.split("\t");
      const kind = status === "A" ? "added" : status === "D" ? "removed" : "modified";
      summary[kind] += tenants.length;
      const key = file.replace(/^flows\//, "").replace(/\.yaml$/, "");
      rows.push(...tenants.map((tenant) => `| ${tenant} | \`${key}\` | ${kind} |`));
    }
    const allFlows = (await yamlFiles(workspace, "flows")).length * tenants.length;
    summary.unchanged = allFlows - summary.added - summary.modified;
    summary.tenants = changes.length > 0 ? tenants.length : 0;
    const markdown = changes.length === 0
      ? "**No deployed flow changes.**"
      : [`**${changes.length} template(s) changed, ${summary.tenants} tenant(s) affected.**`, "", "| tenant | flow | change |", "| --- | --- | --- |", ...rows].join("\n");
    return { markdown, summary, changedTenants: changes.length > 0 ? tenants : [] };
  }

  async deploy(workspace: string, env: string, request: { sha: string }): Promise<DeployOutcome> {
    this.running++;
    this.maxConcurrentDeploys = Math.max(this.maxConcurrentDeploys, this.running);
    this.deploys.push({ env, sha: request.sha, workspace });
    this.onDeployStart?.();
    this.onDeployStart = null;
    try {
      if (this.gate) await this.gate;
      const flows = await yamlFiles(workspace, "flows");
      const tenants = (await yamlFiles(workspace, "tenants")).map((file) => file.replace(/^tenants\//, "").replace(/\.yaml$/, ""));
      const live = this.kestra.get(env) ?? new Map<string, string>();
      this.kestra.set(env, live);
      const perTenant = [];
      for (const tenant of tenants) {
        if (tenant === this.failTenant) {
          perTenant.push({ tenant, ok: false, error: "Kestra answered 500 while updating flows (test failure)" });
          continue;
        }
        let created = 0;
        let updated = 0;
        let unchanged = 0;
        for (const file of flows) {
          const key = `${tenant}.${file.replace(/^flows\//, "").replace(/\.yaml$/, "")}`;
          const source = await readFile(join(workspace, file), "utf8");
          const before = live.get(key);
          if (before === undefined) created++;
          else if (before === source) unchanged++;
          else updated++;
          live.set(key, source);
        }
        perTenant.push({ tenant, ok: true, created, updated, unchanged, deleted: 0 });
      }
      const ok = perTenant.every((t) => t.ok);
      return { ok, perTenant, text: perTenant.map((t) => `${t.tenant}: ${t.ok ? "ok" : `failed: ${"error" in t ? t.error : ""}`}`).join("\n") };
    } finally {
      this.running--;
    }
  }

  /** Compares the in-memory Kestra of `env` with the flow files of `workspace`, per tenant. */
  async drift(workspace: string, env: string): Promise<DriftOutcome> {
    const live = this.kestra.get(env) ?? new Map<string, string>();
    const wanted = new Map<string, { tenant: string; source: string }>();
    const tenants = (await yamlFiles(workspace, "tenants")).map((file) => file.replace(/^tenants\//, "").replace(/\.yaml$/, ""));
    for (const file of await yamlFiles(workspace, "flows")) {
      const source = await readFile(join(workspace, file), "utf8");
      for (const tenant of tenants) wanted.set(`${tenant}.${file.replace(/^flows\//, "").replace(/\.yaml$/, "")}`, { tenant, source });
    }
    const drift: FlowDrift[] = [];
    const entry = (key: string, tenant: string | null, kind: FlowDrift["kind"], source?: string): FlowDrift => {
      const slash = key.lastIndexOf("/");
      return { tenant, namespace: key.slice(0, slash), id: key.slice(slash + 1), kind, ...(source === undefined ? {} : { liveHash: createHash("sha256").update(source).digest("hex") }) };
    };
    for (const [key, { tenant, source }] of wanted) {
      const held = live.get(key);
      if (held === undefined) drift.push(entry(key, tenant, "missing"));
      else if (held !== source) drift.push(entry(key, tenant, "changed", held));
    }
    for (const [key, held] of live) if (!wanted.has(key)) drift.push(entry(key, key.split(".")[0] ?? null, "not-in-git", held));
    return { ok: true, drift: drift.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.id.localeCompare(b.id)) };
  }
}

async function yamlFiles(root: string, folder: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (/\.ya?ml$/.test(entry.name)) out.push(relative(root, path).split("\\").join("/"));
    }
  }
  await walk(join(root, folder));
  return out.sort();
}
