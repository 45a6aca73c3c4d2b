// End to end: a multi-tenant platform written to a temp folder (and committed with git), read with
// readRepository, rendered, linted; each planted problem is reported once, at its template line,
// with the tenants it affects.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { simpleGit } from "simple-git";
import { readRepository, render } from "@flowops/render";
import { formatLintResult, lintExitCode, lintRepository } from "@flowops/lint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const clean: Record<string, string> = {
  "flowops.config.yaml": `environments:
  staging:
    kestra: { url: https://kestra.staging.example.com }
lint:
  rules:
    unpinned-image: error
`,
  "tenants/acme.yaml": "code: acme\nname: Acme\nsources: { aws: true, gcp: false }\nschedule: \"30 0 * * *\"\nvars: { warehouse: acme_dw }\n",
  "tenants/globex.yaml": "code: globex\nname: Globex\nsources: { aws: true, gcp: true }\nschedule: \"0 2 * * *\"\nvars: { warehouse: globex_dw }\n",
  "tenants/initech.yaml": "code: initech\nname: Initech\nsources: { aws: false, gcp: true }\nschedule: \"0 3 * * *\"\nvars: { warehouse: initech_dw }\n",
  "flows/bronze/aws_costs.yaml": `$when: tenant.sources.aws
tasks:
  - id: extract
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python:3.12-slim
    script: print("costs for \${tenant.vars.warehouse}")
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "\${tenant.schedule}"
`,
  "flows/gold/report.yaml": `tasks:
  - id: build
    type: io.kestra.plugin.core.log.Log
    message: "report for {{ flow.namespace }}"
`,
};

/** The clean platform plus one planted problem per rule, each at a known line. */
const broken: Record<string, string> = {
  ...clean,
  "tenants/initech.yaml": "code: initech\nname: Initech\nsources: { aws: false, gcp: true }\nschedule: \"0 3 * * *\"\nvars: { warehouse: initech_dw, db_password: hunter2 }\n",
  "flows/bronze/aws_costs.yaml": `$when: tenant.sources.aws
tasks:
  - id: extract
    type: io.kestra.plugin.scripts.python.Script
    containerImage: python
    script: print("costs for \${tenant.vars.warehouse}")
  - id: extract
    type: io.kestra.core.tasks.log.Log
    message: "{{ outputs.extrct.uri }}"
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 25 * * *"
`,
  "flows/gold/report.yaml": `tasks:
  - id: build
    type: io.kestra.plugin.core.log.Log
    message: "report for {{ inputs.day }}"
  - id: legacy
    # flowops-disable-next-line unknown-task-type -- a plugin only our server has
    type: io.kestra.plugin.core.debug.Missing
triggers:
  - id: after_costs
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: costs
      flows:
        - namespace: \${tenant.code}.bronze
          flowId: aws_costs
`,
};

async function writeRepo(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-lint-"));
  await writeRepo(dir, clean);
  const git = simpleGit(dir);
  await git.init();
  await git.addConfig("user.email", "lint@example.com").addConfig("user.name", "lint test");
  await git.add(".").commit("clean platform");
  await writeRepo(dir, broken);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("flowops lint, end to end", () => {
  it("lints the clean platform (the committed HEAD) clean", async () => {
    const repository = await readRepository({ cwd: dir, ref: "HEAD" });
    const result = lintRepository(repository, render(repository));
    expect(formatLintResult(result, "text")).toBe("No problems found.\n");
    expect(lintExitCode(result)).toBe(0);
  });

  it("reports each planted problem of the working tree once, at its line, with its tenants", async () => {
    const repository = await readRepository({ cwd: dir });
    const result = lintRepository(repository, render(repository));
    expect(formatLintResult(result, "text")).toBe(
      [
        "flows/bronze/aws_costs.yaml:5:21: error Image 'python' has no tag, so it means ':latest'; pin a version tag or a digest (e.g. 'python:1.2.3') [unpinned-image] (tenants: acme, globex)",
        "flows/bronze/aws_costs.yaml:7:9: error Task id 'extract' is already used by the task at line 3; task ids must be unique in the whole flow, errors and finally included [duplicate-task-id] (tenants: acme, globex)",
        "flows/bronze/aws_costs.yaml:8:11: warning 'io.kestra.core.tasks.log.Log' is a legacy name of 'io.kestra.plugin.core.log.Log'; Kestra 2.0 no longer accepts it: write 'io.kestra.plugin.core.log.Log' [deprecated-task-type] (tenants: acme, globex)",
        "flows/bronze/aws_costs.yaml:9:18: error 'outputs.extrct' refers to no task of this flow: no task has id 'extrct' [unknown-output-reference] (tenants: acme, globex)",
        "flows/bronze/aws_costs.yaml:13:11: error Invalid cron '0 25 * * *': Invalid value for hour: 25 [invalid-cron] (tenants: acme, globex)",
        "flows/gold/report.yaml:4:29: error 'inputs.day' refers to no input of this flow; declared: none [unknown-input-reference] (tenants: acme, globex, initech)",
        "flows/gold/report.yaml:15:19: error Flow trigger waits for '${tenant.code}.bronze.aws_costs', which is not rendered for this tenant; the trigger would never fire [missing-upstream] (tenants: initech)",
        "tenants/initech.yaml:5:45: warning 'db_password' holds a credential in clear; store it as a Kestra secret and write \"{{ secret('NAME') }}\" (or \"{{ kv('NAME') }}\") [hardcoded-secret] (tenants: initech)",
        "8 problems (6 errors, 2 warnings) in 3 files.",
        "",
      ].join("\n"),
    );
    expect(lintExitCode(result)).toBe(1);
    const json = JSON.parse(formatLintResult(result, "json")) as { errorCount: number; warningCount: number; diagnostics: { tenants: string[] }[] };
    expect([json.errorCount, json.warningCount, json.diagnostics.length]).toEqual([6, 2, 8]);
    expect(formatLintResult(result, "github").split("\n")[0]).toBe(
      "::error file=flows/bronze/aws_costs.yaml,line=5,col=21,title=flowops unpinned-image::Image 'python' has no tag, so it means ':latest'; pin a version tag or a digest (e.g. 'python:1.2.3') (tenants: acme, globex)",
    );
  });
});
