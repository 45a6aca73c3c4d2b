// Pins what `flowops render` and `flowops lint` print and write, byte for byte, on two platforms
// made by bench's generator (test-owned and deterministic: the same seed gives the same files),
// run through the real command line as a user types it. A change to how flows are rendered or
// linted (streaming, sharing work between environments) must leave these files as they are.
//
// - `generated-12x40` is the generator's platform untouched (no findings);
// - `generated-30x12` gets a few defects written into it first (findings for every tenant of a
//   template, for one environment only, for one tenant only, errors and warnings), then a
//   production-only render problem for the last commands.
//
// Golden files: test/golden/output-identity/<platform>/<command>. The rendered tree is kept as
// sorted `<path> <sha256>` lines; the temp folders in what the CLI prints are replaced by <repo>
// and <out>, and the SARIF log is kept without its list of every rule (see sarifFindings). After a deliberate change to the output, check the diff and refresh them with
// FLOWOPS_UPDATE_GOLDEN=1 npx vitest run --root test output-identity
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { simpleGit } from "simple-git";
import { afterAll, describe, expect, it } from "vitest";
import { generatePlatform } from "../bench/src/generate.js";
import { repoRoot } from "./support.js";

const CLI = join(repoRoot, "packages", "cli", "bin", "flowops.js");
const goldenDir = join(repoRoot, "test", "golden", "output-identity");
const update = process.env["FLOWOPS_UPDATE_GOLDEN"] === "1";
const work = mkdtempSync(join(tmpdir(), "flowops-output-identity-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node packages/cli/bin/flowops.js ...args` in `cwd`, as its own process; never throws on exit 1 or 2. */
async function flowops(cwd: string, args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd, maxBuffer: 256 * 1024 * 1024, env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "" } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** Every file under `dir` as `<path> <sha256>`, sorted by path: the rendered tree, byte for byte. */
function treeDigest(dir: string): string {
  if (!existsSync(dir)) return "";
  const lines = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => `${path.slice(dir.length + 1).split("\\").join("/")} ${createHash("sha256").update(readFileSync(path)).digest("hex")}`)
    .sort();
  return lines.join("\n") + "\n";
}

/** What a run printed, with the machine's temp folders replaced by placeholders. */
function printed(run: Run, folders: Record<string, string>): string {
  let text = `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
  for (const [name, path] of Object.entries(folders)) text = text.split(path).join(`<${name}>`);
  return text;
}

function expectGolden(platform: string, name: string, actual: string): void {
  const file = join(goldenDir, platform, name);
  if (update) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(existsSync(file), `${file} exists (FLOWOPS_UPDATE_GOLDEN=1 writes it)`).toBe(true);
  // A plain string comparison: the diff vitest prints is the diff of the file.
  expect(actual, `${platform}/${name}`).toBe(readFileSync(file, "utf8"));
}

/** Runs `render --out` with `args` into a fresh folder and pins what was printed and written. */
async function expectRender(platform: string, dir: string, name: string, args: string[]): Promise<void> {
  const out = join(work, "out", platform, name);
  const run = await flowops(dir, ["render", ...args, "--out", out]);
  expectGolden(platform, `${name}.out.txt`, printed(run, { repo: dir, out }));
  expectGolden(platform, `${name}.tree.txt`, treeDigest(out));
}

async function expectLint(platform: string, dir: string, name: string, args: string[]): Promise<Run> {
  const run = await flowops(dir, ["lint", ...args]);
  const sarif = args.includes("sarif");
  expectGolden(platform, name, printed(sarif ? { ...run, stdout: sarifFindings(run.stdout) } : run, { repo: dir }));
  return run;
}

/**
 * SARIF without the driver's list of every rule (and the results' index into it), so that adding
 * a lint rule does not change this golden; the results, with their rule ids, stay whole.
 */
function sarifFindings(stdout: string): string {
  const sarif = JSON.parse(stdout) as { runs: { tool: { driver: { rules?: unknown } }; results?: { ruleIndex?: unknown }[] }[] };
  for (const run of sarif.runs) {
    delete run.tool.driver.rules;
    for (const result of run.results ?? []) delete result.ruleIndex;
  }
  return JSON.stringify(sarif, null, 2) + "\n";
}

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: no ${String(from)} to replace; did the generator change?`);
  writeFileSync(path, next);
}

const templatesIn = (dir: string, layer: string) => readdirSync(join(dir, "flows", layer)).filter((name) => name.endsWith(".yaml")).sort().map((name) => `flows/${layer}/${name}`);

/**
 * Findings of every kind of reach: a warning in every tenant of a bronze template (unpinned
 * image), a secret in a task only production renders (`$when: env.vars.paging`), a deprecated
 * type, a duplicate task id (error), and an invalid cron in one tenant's schedule.
 */
function writeDefects(dir: string): void {
  const [first, second] = templatesIn(dir, "bronze");
  const insertTask = (file: string, task: string) => edit(dir, file, "\ntasks:\n", `\ntasks:\n${task}`);
  insertTask(first!, "  - id: fetch_tools\n    type: io.kestra.plugin.scripts.shell.Commands\n    containerImage: ghcr.io/flowops-bench/tools:latest\n    commands: [echo ok]\n");
  insertTask(second!, "  - $when: env.vars.paging\n    id: page_vendor\n    type: io.kestra.plugin.core.http.Request\n    uri: https://vendor.example.com/hook\n    headers:\n      apiKey: sk_live_a1b2c3d4e5f6g7h8i9j0\n");
  insertTask(templatesIn(dir, "silver")[0]!, "  - id: legacy_log\n    type: io.kestra.core.tasks.log.Log\n    message: still on the old name\n");
  insertTask(templatesIn(dir, "gold")[0]!, "  - id: over_budget\n    type: io.kestra.plugin.core.log.Log\n    message: a second task with this id\n");
  const tenant = readdirSync(join(dir, "tenants")).sort()[2]!;
  edit(dir, `tenants/${tenant}`, /^schedule: ".*"$/m, 'schedule: "0 25 * * *"');
}

/** A placeholder only staging defines: production cannot render the platinum template. */
function writeProductionRenderProblem(dir: string): void {
  edit(dir, "flowops.config.yaml", "      k8sNamespace: pipelines-staging\n", "      k8sNamespace: pipelines-staging\n      stagingNote: staging only\n");
  edit(dir, templatesIn(dir, "platinum")[0]!, "\ntasks:\n", "\ntasks:\n  - id: staging_note\n    type: io.kestra.plugin.core.log.Log\n    message: ${env.vars.stagingNote}\n");
}

async function commitAll(dir: string, message: string): Promise<void> {
  const git = simpleGit({ baseDir: dir });
  await git.add(".");
  await git.commit(message);
}

describe("render and lint output on generated platforms", () => {
  it("is unchanged on the generator's 12 x 40 platform (seed 1)", { timeout: 300_000 }, async () => {
    const platform = "generated-12x40";
    const { dir } = await generatePlatform({ dir: join(work, platform), tenants: 12, templates: 40, seed: 1 });
    await expectRender(platform, dir, "render", []);
    await expectRender(platform, dir, "render-staging", ["--env", "staging"]);
    await expectLint(platform, dir, "lint.json.txt", ["--format", "json"]);
    await expectLint(platform, dir, "lint-production.json.txt", ["--env", "production", "--format", "json"]);
  });

  it("is unchanged on a 30 x 12 platform (seed 7) with findings, then with a production-only render problem", { timeout: 300_000 }, async () => {
    const platform = "generated-30x12";
    const { dir } = await generatePlatform({ dir: join(work, platform), tenants: 30, templates: 12, seed: 7 });
    writeDefects(dir);
    await commitAll(dir, "defects");
    await expectRender(platform, dir, "render", []);
    await expectRender(platform, dir, "render-production", ["--env", "production"]);
    const json = await expectLint(platform, dir, "lint.json.txt", ["--format", "json"]);
    // The findings have all the reaches writeDefects aims at (else the golden guards less than it says).
    const { diagnostics } = JSON.parse(json.stdout) as { diagnostics: { rule: string }[] };
    expect(new Set(diagnostics.map((d) => d.rule))).toEqual(new Set(["unpinned-image", "hardcoded-secret", "deprecated-task-type", "duplicate-task-id", "invalid-cron"]));
    await expectLint(platform, dir, "lint-staging.json.txt", ["--env", "staging", "--format", "json"]);
    await expectLint(platform, dir, "lint.sarif.txt", ["--format", "sarif"]);
    await expectLint(platform, dir, "lint.github.txt", ["--format", "github"]);
    await expectLint(platform, dir, "lint.text.txt", []);
    expect((await flowops(dir, ["lint", "--ref", "HEAD", "--format", "json"])).stdout, "lint of the commit = lint of the working tree").toBe(json.stdout);

    writeProductionRenderProblem(dir);
    await expectRender(platform, dir, "broken-render", []);
    await expectRender(platform, dir, "broken-render-staging", ["--env", "staging"]);
    await expectLint(platform, dir, "broken-lint.json.txt", ["--format", "json"]);
    await expectLint(platform, dir, "broken-lint.text.txt", []);
  });
});
