import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@flowops/cli";
import { describe, expect, it } from "vitest";
import { captureIO, repoRoot } from "./support.js";

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

  it("exits 2 on an unknown format", async () => {
    const io = captureIO(repoRoot);
    expect(await main(["lint", "--format", "xml"], io)).toBe(2);
    expect(io.err()).toContain("unknown format");
  });
});
