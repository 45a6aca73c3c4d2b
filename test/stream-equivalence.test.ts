// Streaming and environment sharing change how much is held and rendered, never what comes out:
// on the example platform and on generated ones (one with every env.* read taken out, so that
// every template is shared by both environments), lint's JSON and the rendered files are the same
// as the collecting render with every environment rendered on its own.
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "@flowops/cli";
import { formatLintResult, lintRepository } from "@flowops/lint";
import { readRepository, render, renderTenants } from "@flowops/render";
import { simpleGit } from "simple-git";
import { describe, expect, it } from "vitest";
import { generatePlatform } from "../bench/src/generate.js";
import { captureIO, repoRoot, tempDir, writeFiles } from "./support.js";

const log = (id: string, extra = "") => `  - id: ${id}\n    type: io.kestra.plugin.core.log.Log\n    message: hello${extra}\n`;
const subflow = (id: string, flowId: string) => `  - id: ${id}\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${flow.namespace}\n    flowId: ${flowId}\n`;

/** Templates with findings of flow and cross-flow rules, one of them in production only: so the comparison has something to compare. */
const FINDINGS: Record<string, string> = {
  "flows/zz/shared_findings.yaml": `tasks:\n${log("l")}${log("l")}${subflow("call", "missing")}`,
  "flows/zz/env_findings.yaml": `tasks:\n${log("l", " \${env.name}")}  - $when: env.name == "production"\n    id: l\n    type: io.kestra.plugin.core.log.Log\n    message: page\n`,
  "flows/zz/cycle_a.yaml": `tasks:\n${subflow("call", "cycle_b")}`,
  "flows/zz/cycle_b.yaml": `tasks:\n${subflow("call", "cycle_a")}`,
};

async function examplePlatform(): Promise<string> {
  const dir = tempDir("flowops-stream-example-");
  for (const path of ["flows", "tenants", "schemas", "flowops.config.yaml"]) cpSync(join(repoRoot, path), join(dir, path), { recursive: true });
  writeFiles(dir, FINDINGS);
  const git = simpleGit(dir);
  await git.init(["--initial-branch=main"]);
  await git.add(".").commit("example platform", undefined, { "--author": "t <t@example.com>" });
  return dir;
}

async function generated(withoutEnvReads: boolean): Promise<string> {
  const dir = join(tempDir("flowops-stream-generated-"), "platform");
  await generatePlatform({ dir, tenants: 12, templates: 40, seed: 1 });
  writeFiles(dir, FINDINGS);
  if (withoutEnvReads) {
    const templates = (readdirSync(join(dir, "flows"), { recursive: true }) as string[]).filter((path) => path.endsWith(".yaml"));
    for (const path of templates) {
      const file = join(dir, "flows", path);
      const text = readFileSync(file, "utf8")
        .replace(/\$\{env\.name\}/g, "prod")
        .replace(/\$\{env\.vars\.([A-Za-z0-9]+)\}/g, "const-$1")
        .replace(/\$when: *env\..*$/gm, "$when: true");
      writeFileSync(file, text);
    }
  }
  await simpleGit(dir).add(".").commit(withoutEnvReads ? "findings, no env reads" : "findings", undefined, { "--author": "t <t@example.com>" });
  return dir;
}

function filesUnder(dir: string): Map<string, string> {
  const files = (readdirSync(dir, { recursive: true, withFileTypes: true }) as { isFile(): boolean; parentPath: string; name: string }[]).filter((entry) => entry.isFile());
  return new Map(files.map((entry) => [join(entry.parentPath, entry.name).slice(dir.length + 1), readFileSync(join(entry.parentPath, entry.name), "utf8")]));
}

describe.each([
  ["the example platform", () => examplePlatform()],
  ["a generated platform (12 x 40)", () => generated(false)],
  ["a generated platform where no template reads env.*", () => generated(true)],
])("streamed and shared output on %s", (name, makePlatform) => {
  it("equals the collecting, unshared render and lint, byte for byte", { timeout: 240_000 }, async () => {
    const dir = await makePlatform();
    const repository = await readRepository({ cwd: dir });
    const reference = render(repository, { shareEnvironments: false });
    expect(reference.flows.length).toBeGreaterThan(0);
    const expectedLint = formatLintResult(lintRepository(repository, reference), "json");
    const rules = (JSON.parse(expectedLint) as { diagnostics: { rule: string; envs?: string[] }[] }).diagnostics.map((d) => d.rule);
    expect(new Set(rules)).toEqual(new Set([...rules, "duplicate-task-id", "missing-upstream", "flow-cycle"]));

    if (name.includes("no template reads")) {
      // Every render stands for all the environments its tenant goes to.
      const tenants = [...renderTenants(repository).tenants];
      expect(tenants.some((tenant) => tenant.envs.length > 1)).toBe(true);
      for (const tenant of tenants) for (const { envs } of tenant.renders) expect(envs).toEqual(tenant.envs.map((env) => env.env));
    }

    expect(formatLintResult(lintRepository(repository, renderTenants(repository)), "json")).toBe(expectedLint);
    expect(formatLintResult(lintRepository(repository, render(repository)), "json")).toBe(expectedLint);
    const lintIO = captureIO(dir);
    await main(["lint", "--format", "json"], lintIO);
    expect(lintIO.out()).toBe(expectedLint);

    const described = (flows: typeof reference.flows) => flows.map((flow) => ({ ...JSON.parse(JSON.stringify(flow)), document: flow.document }));
    expect(described(render(repository).flows)).toEqual(described(reference.flows));

    const out = tempDir("flowops-stream-out-");
    const renderIO = captureIO(dir);
    expect(await main(["render", "--out", out], renderIO)).toBe(0);
    const expectedFiles = new Map(reference.flows.map((flow) => [`${flow.env}/${flow.namespace}/${flow.id}.yaml`, flow.source]));
    expect(filesUnder(out)).toEqual(expectedFiles);
  });
});
