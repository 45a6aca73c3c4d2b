// Sums the vitest JSON reports of every workspace into one closing line for CI logs.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const workspaces = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces;
let passed = 0;
let failed = 0;
let skipped = 0;
for (const workspace of workspaces) {
  const file = join(root, workspace, ".vitest-result.json");
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
