import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { generatePlatform } from "./generate.js";
import { scenarios, type Figure, type ScenarioReport } from "./scenarios.js";

const USAGE = "npm run bench -- [--size default|large] [--tenants T] [--templates F] [--scenario NAME]...";

/** `--size`: platform sizes of issue 13; `large` runs only the cost scenario unless --scenario says otherwise. */
const SIZES: Record<string, { tenants: number; templates: number; scenarios?: string[] }> = {
  default: { tenants: 200, templates: 150 },
  large: { tenants: 1000, templates: 150, scenarios: ["cost"] },
};

/**
 * Runs every scenario in a child process of its own (so peak memory is the scenario's) on a
 * freshly generated platform, and prints each figure with the size it ran at.
 */
async function runAll(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: "string", default: "default" },
      tenants: { type: "string" },
      templates: { type: "string" },
      scenario: { type: "string", multiple: true },
      child: { type: "string" },
      dir: { type: "string" },
    },
    strict: true,
  });
  const size = SIZES[values.size];
  const tenants = Number(values.tenants ?? size?.tenants);
  const templates = Number(values.templates ?? size?.templates);
  if (!size || !Number.isInteger(tenants) || !Number.isInteger(templates) || tenants < 1 || templates < 1) {
    console.error(`usage: ${USAGE}`);
    return 2;
  }
  const unknown = (values.scenario ?? []).filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(", ")}; there are: ${scenarios.map((s) => s.name).join(", ")}\nusage: ${USAGE}`);
    return 2;
  }
  if (values.child) {
    const scenario = scenarios.find((s) => s.name === values.child)!;
    const result = await scenario.run({ dir: values.dir!, tenants, templates });
    process.stdout.write(JSON.stringify(result));
    return 0;
  }
  const chosen = values.scenario ?? size.scenarios;
  const selected = chosen ? scenarios.filter((s) => chosen.includes(s.name)) : scenarios;
  const dir = join(mkdtempSync(join(tmpdir(), "flowops-bench-")), "platform");
  const generated = performance.now();
  await generatePlatform({ dir, tenants, templates, seed: 1 });
  console.log(`flowops bench: ${tenants} tenants x ${templates} templates (generated in ${Math.round(performance.now() - generated)} ms at ${dir})\n`);
  const self = fileURLToPath(import.meta.url);
  let failed = 0;
  for (const scenario of selected) {
    console.log(`${scenario.name}: ${scenario.description}`);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [self, "--child", scenario.name, "--dir", dir, "--tenants", String(tenants), "--templates", String(templates)], { maxBuffer: 64 * 1024 * 1024 });
      const result = JSON.parse(stdout) as Figure[] | ScenarioReport;
      for (const line of Array.isArray(result) ? [] : result.lines) console.log(line ? "  " + line : "");
      for (const figure of Array.isArray(result) ? result : result.figures) console.log("  " + formatFigure(figure));
    } catch (error) {
      failed++;
      console.log(`  failed: ${(error as Error).message}`);
    }
    console.log();
  }
  rmSync(join(dir, ".."), { recursive: true, force: true });
  return failed > 0 ? 1 : 0;
}

function formatFigure(figure: Figure): string {
  const value = figure.unit === "count" ? String(figure.value) : `${figure.value} ${figure.unit}`;
  const met = figure.target !== undefined && (figure.atMost ? figure.value <= figure.target : figure.value < figure.target);
  const target = figure.target === undefined ? "" : `  (target ${figure.atMost ? "<=" : "<"} ${figure.target} ${figure.unit}: ${met ? "met" : "NOT met"})`;
  return `${figure.name.padEnd(56)} ${value}${target}`;
}

process.exitCode = await runAll(process.argv.slice(2));
