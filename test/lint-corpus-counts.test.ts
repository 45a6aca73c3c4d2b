// Pins how many findings each lint rule makes on real flows nobody on this project wrote (the
// real-flows corpus and Kestra's own fixtures, read from ../shared). A regression or a new false
// positive shows as a diff of test/golden/lint-corpus-counts.json; after checking the diff by
// reading the findings, refresh it with FLOWOPS_UPDATE_GOLDEN=1.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "@flowops/lint";
import { describe, expect, it } from "vitest";
import { lintPlain, yamlFiles } from "./corpus.js";
import { repoRoot, sharedAvailable } from "./support.js";

const shared = join(repoRoot, "..", "shared");
const goldenFile = join(repoRoot, "test", "golden", "lint-corpus-counts.json");

type Counts = Record<string, Record<string, number>>;

/** Findings per rule and severity (`rule/severity`), per corpus: one plain repository per source repository. */
function corpusCounts(): Counts {
  const counts: Counts = {};
  const add = (corpus: string, diagnostics: readonly Diagnostic[]): void => {
    const entry = (counts[corpus] ??= {});
    for (const d of diagnostics) entry[`${d.rule}/${d.severity}`] = (entry[`${d.rule}/${d.severity}`] ?? 0) + 1;
  };
  const realFlows = join(shared, "corpus", "real-flows");
  for (const source of readdirSync(realFlows).sort()) {
    const dir = join(realFlows, source);
    if (statSync(dir).isDirectory()) add("real-flows", lintPlain(realFlows, yamlFiles(dir)));
  }
  const fixtures = join(shared, "kestra", "fixtures");
  for (const set of readdirSync(fixtures).sort()) {
    const dir = join(fixtures, set);
    if (!statSync(dir).isDirectory()) continue;
    // Invalid fixtures each break a flow on purpose: linted one by one, as in lint-corpus.test.ts.
    if (set.startsWith("invalids")) for (const path of yamlFiles(dir)) add(`kestra-fixtures/${set}`, lintPlain(dir, [path]));
    else add(`kestra-fixtures/${set}`, lintPlain(dir, yamlFiles(dir)));
  }
  for (const entry of Object.values(counts)) {
    const sorted = Object.fromEntries(Object.entries(entry).sort(([a], [b]) => a.localeCompare(b)));
    for (const key of Object.keys(entry)) delete entry[key];
    Object.assign(entry, sorted);
  }
  return counts;
}

describe.runIf(sharedAvailable(join(shared, "corpus", "real-flows")))("lint findings per rule on real flows", () => {
  it("match the pinned counts in test/golden/lint-corpus-counts.json", { timeout: 180_000 }, () => {
    const counts = corpusCounts();
    if (process.env.FLOWOPS_UPDATE_GOLDEN === "1") writeFileSync(goldenFile, JSON.stringify(counts, null, 2) + "\n");
    expect(existsSync(goldenFile), "the golden file exists (FLOWOPS_UPDATE_GOLDEN=1 writes it)").toBe(true);
    expect(counts).toEqual(JSON.parse(readFileSync(goldenFile, "utf8")));
  });
});
