import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { generatePlatform } from "./generate.js";
import { scenarios, type Figure } from "./scenarios.js";

const USAGE = "npm run bench -- [--tenants T] [--templates F] [--scenario NAME]...";

/**
 * Runs every scenario in a child process of its own (so peak memory is the scenario's) on a
 * freshly generated platform, and prints each figure with the size it ran at.
 */
async function runAll(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenants: { type: "string", default: "200" },
      templates: { type: "string", default: "150" },
      scenario: { type: "string", multiple: true },
      child: { type: "string" },
      dir: { type: "string" },
    },
    strict: true,
  });
  const tenants = Number(values.tenants);
  const templates = Number(values.templates);
  if (!Number.isInteger(tenants) || !Number.isInteger(templates) || tenants < 1 || templates < 1) {
    console.error(`usage: ${USAGE}`);
    return 2;
  }
  if (values.child) {
    const scenario = scenarios.find((s) => s.name === values.child)!;
    const figures = await scenario.run({ dir: values.dir!, tenants, templates });
    process.stdout.write(JSON.stringify(figures));
    return 0;
  }
  const selected = values.scenario ? scenarios.filter((s) => values.scenario!.includes(s.name)) : scenarios;
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
      for (const figure of JSON.parse(stdout) as Figure[]) console.log("  " + formatFigure(figure));
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
  const target = figure.target === undefined ? "" : `  (target < ${figure.target} ${figure.unit}: ${figure.value < figure.target ? "met" : "NOT met"})`;
  return `${figure.name.padEnd(48)} ${value}${target}`;
}

process.exitCode = await runAll(process.argv.slice(2));
