import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@flowops/cli";
import { describe, expect, it } from "vitest";
import { captureIO, repoRoot, tempDir, writeFiles } from "./support.js";

async function copyOfExample(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "flowops-cli-lint-"));
  for (const entry of ["flows", "tenants", "schemas", "flowops.config.yaml"]) await cp(join(repoRoot, entry), join(dir, entry), { recursive: true });
  return dir;
}

describe("flowops lint", () => {
  it("finds the example platform clean (exit 0) in every format", async () => {
    for (const format of ["text", "json", "github", "sarif"]) {
      const io = captureIO(repoRoot);
      expect(await main(["lint", "--format", format], io), format).toBe(0);
      if (format === "json") expect(JSON.parse(io.out())).toMatchObject({ diagnostics: [], errorCount: 0, warningCount: 0 });
      if (format === "sarif") expect(JSON.parse(io.out())).toMatchObject({ version: "2.1.0" });
    }
  });

  it("reports planted problems at their template lines, once for all the tenants they affect, and exits 1", async () => {
    const dir = await copyOfExample();
    const file = join(dir, "flows/bronze/aws_costs.yaml");
    const lines = (await readFile(file, "utf8")).split("\n");
    const typeLine = lines.findIndex((l) => /^\s+type: io\.kestra\.plugin\.kubernetes/.test(l));
    lines[typeLine] = lines[typeLine]!.replace(/type: .*/, "type: io.kestra.plugin.core.log.Logg");
    await writeFile(file, lines.join("\n"));
    const io = captureIO(dir);
    expect(await main(["lint", "--format", "json"], io)).toBe(1);
    const result = JSON.parse(io.out()) as { diagnostics: { rule: string; file: string; line: number; tenants: string[] }[]; errorCount: number };
    const unknown = result.diagnostics.filter((d) => d.rule === "unknown-task-type");
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ file: "flows/bronze/aws_costs.yaml", line: typeLine + 1 });
    expect(unknown[0]!.tenants.length).toBeGreaterThan(1);
    const text = captureIO(dir);
    expect(await main(["lint"], text)).toBe(1);
    expect(text.out()).toContain(`flows/bronze/aws_costs.yaml:${typeLine + 1}:`);
    expect(text.out()).toContain("[unknown-task-type]");
  });

  it("lints a plain repository's flows wherever they are, and exits 2 with 0 flows found, never 'No problems found'", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "_flows/hello.yml": "id: hello\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Logg\n    message: hi\n",
      "README.md": "# pipelines\n",
    });
    const found = captureIO(dir);
    expect(await main(["lint", "--format", "json"], found)).toBe(1);
    expect((JSON.parse(found.out()) as { diagnostics: { rule: string; file: string }[] }).diagnostics).toEqual([expect.objectContaining({ rule: "unknown-task-type", file: "_flows/hello.yml" })]);

    const empty = tempDir();
    writeFiles(empty, { "README.md": "# nothing here\n", "ci/compose.yaml": "services: {}\n" });
    for (const command of [["lint"], ["start"]]) {
      const io = captureIO(empty);
      expect(await main(command, io), command[0]).toBe(2);
      expect(io.err()).toContain("0 flows found");
      expect(io.out()).not.toContain("No problems found");
    }
  });

  it("names a missing config or tenants folder with one problem", async () => {
    const template = "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${env.vars.bucket} of ${tenant.code}\n";
    const platform = {
      "flowops.config.yaml": "environments:\n  staging: { vars: { bucket: b1 } }\n  production: { vars: { bucket: b2 } }\n",
      "flows/bronze/a.yaml": template,
      "flows/silver/b.yaml": template,
      "tenants/acme.yaml": "code: acme\nenvironments: [staging, production]\n",
      "tenants/beta.yaml": "code: beta\nenvironments: [staging, production]\n",
    };
    const cases: [string, string][] = [
      ["tenants", 'the tenants folder "tenants/" does not exist'],
      ["flowops.config.yaml", "flowops.config.yaml is missing"],
    ];
    for (const [removed, message] of cases) {
      const dir = tempDir();
      writeFiles(dir, platform);
      await rm(join(dir, removed), { recursive: true });
      const io = captureIO(dir);
      expect(await main(["lint", "--format", "json"], io), removed).toBe(1);
      const diagnostics = (JSON.parse(io.out()) as { diagnostics: { rule: string; message: string }[] }).diagnostics;
      expect(diagnostics.map((d) => d.rule), removed).toEqual(["config-schema"]);
      expect(diagnostics[0]!.message).toContain(message);
    }
  });

  it("exits 2 on an unknown format", async () => {
    const io = captureIO(repoRoot);
    expect(await main(["lint", "--format", "xml"], io)).toBe(2);
    expect(io.err()).toContain("unknown format");
  });
});
