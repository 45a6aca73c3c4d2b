import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import { afterAll, describe, expect, it } from "vitest";
import { costScenario, measure } from "./cost.js";
import { generatePlatform } from "./generate.js";

// The scenario runs the built command line and bench/dist: `npx tsc -b bench packages/cli` first
// (npm test builds everything before it tests). No figure is asserted, only that each is measured.
const scratch = mkdtempSync(join(tmpdir(), "flowops-bench-cost-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("measure", () => {
  it("reads a child's peak RSS at its end and passes its arguments as its command line", async () => {
    const script = join(scratch, "allocate.mjs");
    // 200 MB touched just before exit: polling /proc would likely miss it, resourceUsage does not.
    writeFileSync(script, "const b = Buffer.alloc(Number(process.argv[2]) * 1024 * 1024, 1); console.log(process.argv.slice(2).join(' '), b.length > 0);\n");
    const measured = await measure("allocate", script, ["200", "x y"], { cwd: scratch, work: scratch, keepStdout: true });
    expect(measured).toMatchObject({ label: "allocate", code: 0, stdout: "200 x y true\n" });
    expect(measured.peakMb).toBeGreaterThanOrEqual(200);
    expect(measured.ms).toBeGreaterThan(0);
    expect(measured.cpuMs).toBeGreaterThan(0);
  });

  it("keeps exit 1 (findings) as a result and fails on any other exit, with the child's stderr", async () => {
    const script = join(scratch, "exit.mjs");
    writeFileSync(script, "console.error('went wrong'); process.exitCode = Number(process.argv[2]);\n");
    expect((await measure("findings", script, ["1"], { cwd: scratch, work: scratch })).code).toBe(1);
    await expect(measure("usage", script, ["2"], { cwd: scratch, work: scratch })).rejects.toThrow(/usage exited with 2: went wrong/);
  });
});

describe("the cost scenario", () => {
  it("measures every command of the cost model on a small platform and leaves it as it found it", { timeout: 600_000 }, async () => {
    const { dir, commit } = await generatePlatform({ dir: join(scratch, "platform"), tenants: 3, templates: 8, seed: 2 });
    const result = await costScenario.run({ dir, tenants: 3, templates: 8 });
    if (Array.isArray(result)) throw new Error("the cost scenario prints a table");
    const table = result.lines.join("\n");
    for (const row of ["floor --env staging", "floor (both environments)", "flowops render --env staging --out DIR", "flowops render --out DIR", "flowops lint --env staging --format json", "flowops lint --format json", "flowops impact --base main --format json", "no env reads: flowops lint --format json"]) {
      expect(table).toMatch(new RegExp(`^${row.replace(/[()]/g, "\\$&")} +\\d+\\.\\d s +\\d+\\.\\d\\d +\\d+\\.\\d s +\\d+\\.\\d\\d +\\d+ MB +\\d+\\.\\d\\d$`, "m"));
    }
    expect(table).toMatch(/^3 tenants x 8 templates: \d+ flows in staging, \d+ in both environments$/m);
    expect(result.figures.map((f) => [f.name, f.target])).toEqual([
      ["lint both environments / lint staging (time)", undefined],
      ["lint both environments / lint staging (CPU)", undefined],
      ["no env reads: lint both envs / lint staging (time)", 1.2],
      ["no env reads: lint both envs / lint staging (CPU)", 1.2],
      // Issue 13's floor target is for templates that read no env.*; with env reads it is for reference.
      ["lint both environments / floor (staging) (time)", undefined],
      ["lint both environments / floor (staging) (CPU)", undefined],
      ["no env reads: lint both envs / floor (staging) (time)", 2],
      ["no env reads: lint both envs / floor (staging) (CPU)", 2],
      // The RSS targets are for 200 x 150 and 1000 x 150 only.
      ["lint both environments: peak RSS", undefined],
    ]);
    for (const figure of result.figures) expect(figure.value).toBeGreaterThan(0);
    expect(result.figures.filter((f) => f.target !== undefined).every((f) => f.atMost === true)).toBe(true);
    const git = simpleGit({ baseDir: dir });
    expect((await git.revparse(["HEAD"])).trim()).toBe(commit);
    expect((await git.branchLocal()).all).toEqual(["main"]);
    expect((await git.status()).isClean()).toBe(true);
  });
});
