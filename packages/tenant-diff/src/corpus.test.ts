// The classifier against 894 real before/after pairs of edited Kestra flows
// (../shared/corpus/flow-diffs, see its README): formatting-only commits must come out cosmetic,
// real edits modified. The confusion counts are printed for the closing note.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { classifyFlowChange } from "./classify.js";

/**
 * Real material beside the checkout (`../shared`). Where it is absent (a fork's CI) these tests are
 * skipped; with FLOWOPS_REQUIRE_SHARED=1 (this repository's CI) a missing folder fails instead.
 */
function sharedAvailable(path: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.FLOWOPS_REQUIRE_SHARED === "1") throw new Error(`${path} is missing: ../shared must be checked out beside the repository`);
  return false;
}


function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "turbo.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("no turbo.json above the test file");
    dir = parent;
  }
  return dir;
}

const corpus = join(repoRoot(), "..", "shared", "corpus", "flow-diffs");

const VERIFIED_COSMETIC_IN_REAL_EDITS = [
  "examples-syntax-upgrade-2024-11/0045__324839a__examples__all-in-one__metadata.yml", // a blank line
  "blueprints-focused-commits/0044__de16675__flows__flow-downstream.yaml", // a FIXME comment
  "blueprints-focused-commits/0060__1063941__flows__upload-to-s3.yaml", // description `>` -> plain
  "blueprints-focused-commits/0217__c5c52e5__flows__data-engineering-pipeline.yaml", // description `>` -> `|`
  "blueprints-focused-commits/0244__d8377ad__flows__git-flows-files-kv-sync-from-gitlab.yaml", // description `>-` -> `|`
  "blueprints-semantic-mass-edits/0433__a06808a__flows__kvm-provision-vm.yaml", // a comment block
  "blueprints-semantic-mass-edits/0434__a06808a__flows__kvm-scheduled-maintenance-window.yaml", // a comment block
];

type Expected = "cosmetic" | "modified" | "metadata";
function expectedFor(repoLabel: string): Expected {
  if (repoLabel.includes("formatting-only")) return "cosmetic";
  if (repoLabel.includes("metadata-only")) return "metadata";
  return "modified";
}

describe.runIf(sharedAvailable(corpus))("classifier on the real flow-diff corpus", () => {
  it("classifies formatting-only edits as cosmetic and real edits as modified", { timeout: 30_000 }, () => {
    const rows = readFileSync(join(corpus, "pairs.tsv"), "utf8").trim().split("\n").slice(1);
    const counts: Record<Expected, Record<string, number>> = { cosmetic: {}, modified: {}, metadata: {} };
    const misses: string[] = [];
    for (const row of rows) {
      const [pairDir, repoLabel] = row.split("\t") as [string, string];
      const expected = expectedFor(repoLabel);
      const sides = ["before.yaml", "after.yaml"].map((name) => readFileSync(join(corpus, pairDir, name), "utf8"));
      let predicted: string;
      try {
        const [before, after] = sides.map((source) => ({ source, document: parse(source) as Record<string, unknown> }));
        predicted = classifyFlowChange(before, after).kind;
      } catch {
        predicted = "unparsable";
      }
      counts[expected][predicted] = (counts[expected][predicted] ?? 0) + 1;
      if (predicted !== "unparsable" && predicted !== (expected === "metadata" ? "modified" : expected)) misses.push(`${expected} -> ${predicted}: ${pairDir}`);
    }
    console.log(`flow-diff corpus confusion (expected -> predicted): ${JSON.stringify(counts)}\nmisses:\n  ${misses.join("\n  ")}`);

    expect(rows.length).toBe(894);
    // Every formatting-only pair parses and is cosmetic.
    expect(counts.cosmetic).toEqual({ cosmetic: 40 });
    // Metadata edits change values: modified, never cosmetic.
    expect(counts.metadata["cosmetic"] ?? 0).toBe(0);
    // Real-edit commits: the only pairs called cosmetic are files those commits touched only in
    // comments, blank lines or a description's block style (each checked by eye).
    expect(misses).toEqual(VERIFIED_COSMETIC_IN_REAL_EDITS.map((pair) => `modified -> cosmetic: ${pair}`));
    expect(counts.modified["modified"] ?? 0).toBeGreaterThanOrEqual(770);
    expect(counts.modified["unchanged"] ?? 0).toBe(0);
  });
});
