import { spawn } from "node:child_process";
import { accessSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { simpleGit } from "simple-git";
import { editTemplate, generatePlatform } from "./generate.js";
import type { Figure, Scenario, ScenarioReport } from "./scenarios.js";

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, "..", "..", "packages", "cli", "bin", "flowops.js");
// From bench/dist (npm run bench) and bench/src (its tests) alike: the built scripts.
const FLOOR = join(here, "..", "dist", "floor.js");
const MEASURE = join(here, "..", "dist", "measure.js");

/** Peak RSS targets of `flowops lint` (both environments) from issue 13, by platform size. */
const LINT_RSS_TARGET_MB: Record<string, number> = { "200x150": 400, "1000x150": 1024 };

export interface Measured {
  label: string;
  ms: number;
  /** CPU time (user + system) of the process. */
  cpuMs: number;
  peakMb: number;
  code: number;
  stdout: string;
  /** One-minute load average when the command ended: the machine is shared. */
  load: number;
}

/**
 * Runs `node SCRIPT ...args` in `cwd` as its own process, through measure.js for its peak RSS;
 * wall time from spawn to exit (node's start-up included, as a user waits for it). stdout goes to
 * a file (lint's JSON can be large), read back when `keepStdout`.
 */
export async function measure(label: string, script: string, args: string[], options: { cwd: string; work: string; keepStdout?: boolean }): Promise<Measured> {
  const slug = label.replace(/[^A-Za-z0-9]+/g, "-");
  const resultFile = join(options.work, `${slug}.rss.json`);
  const stdoutFile = join(options.work, `${slug}.stdout`);
  const fd = openSync(stdoutFile, "w");
  let stderr = "";
  const started = performance.now();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [MEASURE, resultFile, script, ...args], { cwd: options.cwd, stdio: ["ignore", fd, "pipe"] });
    child.stderr!.on("data", (chunk: Buffer) => void (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
  });
  const ms = performance.now() - started;
  closeSync(fd);
  // Exit 1 is findings (lint, impact): a result. Anything else means the figure is not one.
  if (code > 1) throw new Error(`${label} exited with ${code}: ${stderr.slice(0, 2000)}`);
  const { peakRssKb, cpuUs } = JSON.parse(readFileSync(resultFile, "utf8")) as { peakRssKb: number; cpuUs: number };
  const stdout = options.keepStdout ? readFileSync(stdoutFile, "utf8") : "";
  rmSync(stdoutFile, { force: true });
  return { label, ms: Math.round(ms), cpuMs: Math.round(cpuUs / 1000), peakMb: Math.round(peakRssKb / 1024), code, stdout, load: Math.round(loadavg()[0]! * 100) / 100 };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The cost model of issue 13, in one run: the render floor (one environment, both) and the real
 * command line (`render --out`, `lint --format json`, one environment and both, `impact` of a
 * one-template change), each as its own process with wall time and peak RSS, as a ratio to the
 * one-environment floor; then lint again on the same platform with no template reading `env.*`.
 */
export const costScenario: Scenario = {
  name: "cost",
  description: "render floor vs flowops render, lint and impact as a user runs them (time, peak RSS, ratio to the floor); lint of a platform that reads no env.*",
  async run({ dir, tenants, templates }): Promise<ScenarioReport> {
    const work = mkdtempSync(join(tmpdir(), "flowops-bench-cost-"));
    const rows: Measured[] = [];
    const loadBefore = loadavg().map((n) => n.toFixed(2)).join(" ");
    // Rendered trees go to memory where there is a tmpfs: disk writes on a shared machine vary
    // by tens of seconds from one run to the next, for flowops and the floor alike.
    const outRoot = outputRoot(work);
    const outputs: string[] = [];
    const out = () => {
      const folder = mkdtempSync(join(outRoot, "flowops-bench-cost-out-"));
      outputs.push(folder);
      return folder;
    };
    try {
      const run = async (label: string, script: string, args: string[], cwd: string, keepStdout = false) => {
        const measured = await measure(label, script, args, { cwd, work, keepStdout });
        rows.push(measured);
        return measured;
      };
      const cleanOut = (folder: string) => rmSync(folder, { recursive: true, force: true });
      const git = simpleGit({ baseDir: dir });
      // Scenarios before this one may leave edits in the working tree.
      await git.checkout(["--", "."]);

      let folder = out();
      const floorOne = await run("floor --env staging", FLOOR, ["--dir", dir, "--out", folder, "--env", "staging"], dir, true);
      const flowsStaging = (JSON.parse(floorOne.stdout) as { flows: number }).flows;
      cleanOut(folder);
      folder = out();
      const floorBoth = await run("floor (both environments)", FLOOR, ["--dir", dir, "--out", folder], dir, true);
      const flowsBoth = (JSON.parse(floorBoth.stdout) as { flows: number }).flows;
      cleanOut(folder);
      folder = out();
      await run("flowops render --env staging --out DIR", CLI, ["render", "--env", "staging", "--out", folder], dir);
      cleanOut(folder);
      folder = out();
      await run("flowops render --out DIR", CLI, ["render", "--out", folder], dir);
      cleanOut(folder);
      const lintOne = await run("flowops lint --env staging --format json", CLI, ["lint", "--env", "staging", "--format", "json"], dir);
      const lintBoth = await run("flowops lint --format json", CLI, ["lint", "--format", "json"], dir);

      // impact of a one-template change (a bronze template: every tenant with its source), committed on a branch.
      const keys = (await git.raw(["ls-files", "flows"])).split("\n").filter(Boolean).sort((a, b) => (a.slice(0, -5) < b.slice(0, -5) ? -1 : 1));
      const bronze = Math.max(0, keys.findIndex((path) => path.startsWith("flows/bronze/")));
      await git.checkout(["-b", "bench-cost-one-template"]);
      try {
        await editTemplate(dir, bronze, { commit: "bench: one template changed" });
        await run("flowops impact --base main --format json", CLI, ["impact", "--base", "main", "--format", "json"], dir);
      } finally {
        await git.checkout(["main"]);
        await git.branch(["-D", "bench-cost-one-template"]);
      }

      const constant = join(work, "no-env-reads");
      await generatePlatform({ dir: constant, tenants, templates, seed: 1, envReads: false });
      folder = out();
      const floorConstant = await run("no env reads: floor --env staging", FLOOR, ["--dir", constant, "--out", folder, "--env", "staging"], constant, true);
      cleanOut(folder);
      const constantOne = await run("no env reads: flowops lint --env staging --format json", CLI, ["lint", "--env", "staging", "--format", "json"], constant);
      const constantBoth = await run("no env reads: flowops lint --format json", CLI, ["lint", "--format", "json"], constant);

      const size = `${tenants}x${templates}`;
      const lines = [
        `${tenants} tenants x ${templates} templates: ${flowsStaging.toLocaleString("en")} flows in staging, ${flowsBoth.toLocaleString("en")} in both environments`,
        "",
        `${"command (each its own process)".padEnd(56)} ${"time".padStart(8)} ${"x floor".padStart(8)} ${"CPU".padStart(8)} ${"x floor".padStart(8)} ${"peak RSS".padStart(9)} ${"load".padStart(6)}`,
        ...rows.map((row) => {
          const floor = row.label.startsWith("no env reads") ? floorConstant : floorOne;
          return `${row.label.padEnd(56)} ${seconds(row.ms).padStart(8)} ${(row.ms / floor.ms).toFixed(2).padStart(8)} ${seconds(row.cpuMs).padStart(8)} ${(row.cpuMs / floor.cpuMs).toFixed(2).padStart(8)} ${`${row.peakMb} MB`.padStart(9)} ${row.load.toFixed(2).padStart(6)}`;
        }),
        "",
        `time: wall time; CPU: user + system time of the process; "x floor": either / the same for the one-environment floor of the same platform in this run.`,
        `Rendered trees were written to ${outRoot === work ? "the temp folder" : `${outRoot} (tmpfs)`}.`,
        `load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadavg().map((n) => n.toFixed(2)).join(" ")} (${availableParallelism()} cores)`,
        "",
        "targets (issue 13, Done when):",
      ];
      const ratio = (value: number) => Math.round(value * 100) / 100;
      // Each time target twice: by wall time (what the issue says) and by CPU time (steadier on a shared machine).
      const both = (name: string, a: Measured, b: Measured, target?: number): Figure[] => [
        { name: `${name} (time)`, value: ratio(a.ms / b.ms), unit: "ratio", ...(target ? { target, atMost: true } : {}) },
        { name: `${name} (CPU)`, value: ratio(a.cpuMs / b.cpuMs), unit: "ratio", ...(target ? { target, atMost: true } : {}) },
      ];
      const figures: Figure[] = [
        ...both("lint both environments / lint staging", lintBoth, lintOne),
        ...both("no env reads: lint both envs / lint staging", constantBoth, constantOne, 1.2),
        // Issue 13's targets are for a platform whose templates read no env.*: where they do, each
        // environment is a render and lint of its own by necessity. This ratio is for reference.
        ...both("lint both environments / floor (staging)", lintBoth, floorOne),
        ...both("no env reads: lint both envs / floor (staging)", constantBoth, floorConstant, 2),
        { name: "lint both environments: peak RSS", value: lintBoth.peakMb, unit: "MB", ...(LINT_RSS_TARGET_MB[size] ? { target: LINT_RSS_TARGET_MB[size] } : {}) },
      ];
      return { lines, figures };
    } finally {
      for (const folder of outputs) rmSync(folder, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  },
};

/** /dev/shm when it is a writable folder (a tmpfs on Linux), else `fallback`. */
function outputRoot(fallback: string): string {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return statSync("/dev/shm").isDirectory() ? "/dev/shm" : fallback;
  } catch {
    return fallback;
  }
}
