// Times `impactOfRefs` (read both sides from Git, plan, render, diff) on the bench platform
// (default 200 tenants x 150 templates): a one-template change, a one-tenant change and a config
// change, each incremental and full, against `main`. Run after `npx tsc -b bench packages/tenant-diff`:
//   node packages/tenant-diff/scripts/measure-impact.mjs [TENANTS] [TEMPLATES]
// Meant to become a scenario in bench/src/scenarios.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import { impactOfRefs } from "@flowops/tenant-diff";
import { editConfig, editTemplate, editTenant, generatePlatform } from "../../../bench/dist/generate.js";

const tenants = Number(process.argv[2] ?? 200);
const templates = Number(process.argv[3] ?? 150);
const root = mkdtempSync(join(tmpdir(), "measure-impact-"));
const dir = join(root, "platform");
try {
  const platform = await generatePlatform({ dir, tenants, templates, seed: 1 });
  console.log(`bench platform: ${tenants} tenants x ${templates} templates`);
  const git = simpleGit({ baseDir: dir });
  const scenarios = [
    ["one-template change", () => editTemplate(dir, platform.templateKeys.indexOf(platform.templateKeys.find((key) => key.startsWith("bronze/"))))],
    ["one-tenant change", () => editTenant(dir, 3)],
    ["config change", () => editConfig(dir)],
  ];
  for (const [name, edit] of scenarios) {
    await git.checkout(["--", "."]);
    await edit();
    for (const incremental of [true, false]) {
      const times = [];
      let report;
      for (let run = 0; run < 3; run += 1) {
        const started = performance.now();
        ({ report } = await impactOfRefs({ cwd: dir, base: "main", incremental }));
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      console.log(
        `${name.padEnd(20)} ${incremental ? "incremental" : "full       "} median ${times[1].toFixed(0).padStart(6)} ms (${report.scope.mode}): ${report.changes.length} changes, ${report.impacted.length} impacted`,
      );
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
