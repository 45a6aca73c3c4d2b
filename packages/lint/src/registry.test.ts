import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ALL_RULES } from "./registry.js";

/**
 * Real material beside the checkout (`../shared`). Where it is absent (a fork's CI) these tests are
 * skipped; with FLOWOPS_REQUIRE_SHARED=1 (this repository's CI) a missing folder fails instead.
 */
function sharedAvailable(path: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.FLOWOPS_REQUIRE_SHARED === "1") throw new Error(`${path} is missing: ../shared must be checked out beside the repository`);
  return false;
}


const here = dirname(fileURLToPath(import.meta.url));
const rulesDir = join(here, "rules");

function repoRoot(): string {
  let dir = here;
  while (!existsSync(join(dir, "turbo.json"))) dir = dirname(dir);
  return dir;
}

/** The rule ids of DESIGN.md's table, read from the product docs. */
function designRuleIds(): string[] {
  const design = readFileSync(join(repoRoot(), "..", "shared", "DESIGN.md"), "utf8");
  const table = design.slice(design.indexOf("## Lint rule ids"));
  return [...table.matchAll(/^\| ([a-z][a-z-]+) \|/gm)].map((match) => match[1]!).filter((id) => id !== "id");
}

describe("rule registry", () => {
  const folders = readdirSync(rulesDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const registered = ALL_RULES.map((rule) => rule.meta.id);

  it.runIf(sharedAvailable(join(repoRoot(), "..", "shared", "DESIGN.md")))("registers exactly DESIGN.md's rule ids", () => {
    expect([...registered].sort()).toEqual(designRuleIds().sort());
  });

  it("registers every rule folder, and every registered rule has its folder", () => {
    expect([...registered].sort()).toEqual(folders);
  });

  it.each(folders)("%s has index.ts, index.test.ts and a README that documents it", (folder) => {
    for (const file of ["index.ts", "index.test.ts", "README.md"]) expect(existsSync(join(rulesDir, folder, file)), `${folder}/${file}`).toBe(true);
    const rule = ALL_RULES.find((r) => r.meta.id === folder)!;
    expect(rule.meta.docs).toBe(`packages/lint/src/rules/${folder}/README.md`);
    expect(readFileSync(join(rulesDir, folder, "README.md"), "utf8")).toMatch(new RegExp(`^# ${folder}\\n`));
    expect(rule.meta.description.length).toBeGreaterThan(10);
    expect(["error", "warning", "info"]).toContain(rule.meta.defaultSeverity);
  });
});
