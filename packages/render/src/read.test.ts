import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { beforeAll, describe, expect, it } from "vitest";
import { readRepository, render, RepositoryError } from "./index.js";

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A Git repository on `main` in `dir`, with an author set, nothing committed yet. */
async function initGit(dir: string): Promise<SimpleGit> {
  const git = simpleGit({ baseDir: dir });
  await git.init(["-b", "main"]);
  await git.addConfig("user.email", "dev@example.com");
  await git.addConfig("user.name", "Dev");
  return git;
}

const TENANT = (code: string) => `code: ${code}\nsources: { aws: true }\nschedule: "0 1 * * *"\n`;

describe("reading a Git ref", () => {
  let dir: string;
  let first: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowops-git-"));
    const write = (path: string, text: string) => writeFiles(dir, { [path]: text });
    const git = await initGit(dir);
    write("platform/flows/bronze/costs.yaml", "description: v1 ${tenant.code}\ntasks: [{ id: t, type: a.B }]\n");
    write("platform/tenants/acme.yaml", TENANT("acme"));
    write("README.md", "not an input\n");
    await git.add(".");
    await git.commit("first");
    first = (await git.revparse(["HEAD"])).trim();
    write("platform/flows/bronze/costs.yaml", "description: v2 ${tenant.code}\ntasks: [{ id: t, type: a.B }]\n");
    write("platform/tenants/beta.yaml", TENANT("beta"));
    await git.add(".");
    await git.commit("second");
    // Uncommitted: visible in the working tree only.
    write("platform/flows/bronze/costs.yaml", "description: v3 ${tenant.code}\ntasks: [{ id: t, type: a.B }]\n");
  });

  it("reads any ref without checking it out, from a folder inside the work tree", async () => {
    const atFirst = await readRepository({ cwd: join(dir, "platform"), ref: first });
    expect(atFirst.commit).toBe(first);
    expect(atFirst.tenants.map((t) => t.code)).toEqual(["acme"]);
    expect(render(atFirst).flows.map((f) => f.document.description)).toEqual(["v1 acme"]);
    const atHead = await readRepository({ cwd: join(dir, "platform"), ref: "HEAD" });
    expect(render(atHead).flows.map((f) => f.document.description)).toEqual(["v2 acme", "v2 beta"]);
    const working = await readRepository({ cwd: join(dir, "platform") });
    expect(render(working).flows.map((f) => f.document.description)).toEqual(["v3 acme", "v3 beta"]);
    expect(execFileSync("git", ["status", "--porcelain"], { cwd: dir }).toString()).toContain("costs.yaml");
  });

  it("gives the same model from a ref as from the same files on disk", async () => {
    const atHead = await readRepository({ cwd: join(dir, "platform"), ref: "HEAD" });
    expect([...atHead.files.keys()].sort()).toEqual(["flows/bronze/costs.yaml", "tenants/acme.yaml", "tenants/beta.yaml"]);
  });

  it("refuses an unknown ref and a folder outside Git with a clear error", async () => {
    await expect(readRepository({ cwd: dir, ref: "no-such-branch" })).rejects.toThrow(/ref "no-such-branch" is not a commit/);
    const plain = mkdtempSync(join(tmpdir(), "flowops-plain-"));
    await expect(readRepository({ cwd: plain, ref: "HEAD" })).rejects.toBeInstanceOf(RepositoryError);
    await expect(readRepository({ cwd: join(plain, "missing") })).rejects.toThrow(/is not a folder/);
    rmSync(plain, { recursive: true });
  });

  it("does not follow symbolic links out of the repository", async () => {
    const outside = mkdtempSync(join(tmpdir(), "flowops-outside-"));
    writeFileSync(join(outside, "secret.yaml"), "code: stolen\n");
    symlinkSync(join(outside, "secret.yaml"), join(dir, "platform/tenants/stolen.yaml"));
    const working = await readRepository({ cwd: join(dir, "platform") });
    expect(working.tenants.map((t) => t.code)).toEqual(["acme", "beta"]);
    expect(working.problems.map((p) => [p.code, p.file])).toEqual([["yaml-syntax", "tenants/stolen.yaml"]]);
    rmSync(join(dir, "platform/tenants/stolen.yaml"));
  });
});

describe("finding the flows of a plain repository", () => {
  const FLOW = (id: string, namespace = "company.team") => `id: ${id}\nnamespace: ${namespace}\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
  const FILES: Record<string, string> = {
    "_flows/company.team.hello.yml": FLOW("hello"),
    "kestra/prod/etl/load.yaml": FLOW("load", "company.etl"),
    "flows/legacy.yaml": FLOW("legacy"),
    "docker-compose.yml": "services:\n  kestra:\n    image: kestra/kestra:v1.0.3\n",
    ".github/workflows/ci.yaml": FLOW("not_a_flow_ci"),
    "node_modules/some-package/flow.yaml": FLOW("not_a_flow_dependency"),
    ".kestra/hidden.yaml": FLOW("not_a_flow_hidden"),
    "docs/tasks.yaml": "tasks:\n  - not a flow: no id, no namespace\n",
    "kestra/broken.yaml": "id: broken\nnamespace: company.team\ntasks:\n  - id: x\n   type: bad-indent\n",
  };
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowops-discover-"));
    writeFiles(dir, FILES);
    const git = await initGit(dir);
    await git.add(".");
    await git.commit("plain");
  });

  it.each([["the working tree", undefined], ["a Git ref", "HEAD"]])("finds YAML files with id, namespace and tasks anywhere but node_modules and dot-folders (%s)", async (_what, ref) => {
    const repository = await readRepository({ cwd: dir, ...(ref ? { ref } : {}) });
    expect(repository.mode).toBe("plain");
    expect(repository.templates.map((t) => t.file)).toEqual(["_flows/company.team.hello.yml", "flows/legacy.yaml", "kestra/prod/etl/load.yaml"]);
    expect(repository.problems.map((p) => [p.code, p.file])).toEqual([["yaml-syntax", "kestra/broken.yaml"]]);
    expect(render(repository).flows.map((f) => `${f.namespace}/${f.id}`)).toEqual(["company.team/hello", "company.team/legacy", "company.etl/load"]);
  });
});

describe("a multi-tenant repository with a part missing", () => {
  const write = writeFiles;
  const TEMPLATE = "tasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: ${env.vars.bucket} for ${tenant.code}\n  - id: u\n    type: io.kestra.plugin.core.log.Log\n    message: ${env.vars.region}\n";

  it("names a missing tenants folder once, never switching to plain mode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowops-no-tenants-"));
    write(dir, { "flowops.config.yaml": "environments:\n  staging: { vars: { bucket: b, region: r } }\n", "flows/bronze/a.yaml": TEMPLATE, "flows/bronze/b.yaml": TEMPLATE });
    const repository = await readRepository({ cwd: dir });
    expect(repository.mode).toBe("multi-tenant");
    const problems = [...repository.problems, ...render(repository).problems];
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: "config-schema", file: "flowops.config.yaml" });
    expect(problems[0]!.message).toContain('the tenants folder "tenants/" does not exist');
  });

  it("names a missing config once instead of one error per env.vars placeholder, tenant and environment", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowops-no-config-"));
    write(dir, {
      "flows/bronze/a.yaml": TEMPLATE,
      "flows/bronze/b.yaml": `${TEMPLATE}    $when: env.vars.enabled\n`,
      "tenants/acme.yaml": "code: acme\nenvironments: [staging, production]\n",
      "tenants/beta.yaml": "code: beta\nenvironments: [staging, production]\n",
    });
    const repository = await readRepository({ cwd: dir });
    const problems = [...repository.problems, ...render(repository).problems];
    expect(new Set(problems.map((p) => `${p.code} ${p.file}:${p.line}:${p.column} ${p.message}`))).toEqual(
      new Set(["config-schema flowops.config.yaml:1:1 flowops.config.yaml is missing, and the templates read environment values (env.vars.*) that only it defines; add flowops.config.yaml with your environments and their vars"]),
    );
  });
});
