// Issue 9, item 3: a repository (a PR's files) makes flowops read host files and publish them.
// The repository must be the only file system: config paths that leave it, symbolic links on the
// way to anything flowops reads, and reads past the caps refuse the repository, and nothing read
// from outside it reaches any output.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "@flowops/cli";
import { DEFAULT_READ_LIMITS, readRepository, RepositoryError } from "@flowops/render";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { captureIO, gitRepo, tempDir, writeFiles } from "../support.js";

// Real git repositories on a busy shared machine: generous time, no timed assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/** A value that exists only outside the repository: in the environment and in a host file. */
const CANARY = "canary-7f3a9c1e-outside-the-repository";
const CANARY_ENV = "FLOWOPS_SECURITY_CANARY";

const TENANT = "code: acme\nname: Acme\n";
const FLOW = "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hello\n";
const PLATFORM: Record<string, string> = {
  "flows/bronze/usage.yaml": FLOW,
  "tenants/acme.yaml": TENANT,
};

/** Runs `flowops <command>` in-process in `dir`; returns the exit code and everything printed. */
async function flowops(dir: string, ...argv: string[]): Promise<{ code: number; output: string }> {
  const io = captureIO(dir, { ...process.env });
  const code = await main(argv, io);
  return { code, output: io.out() + io.err() };
}

/** Reads the repository and returns the refusal (failing the test when it was read instead). */
async function refusal(options: Parameters<typeof readRepository>[0]): Promise<RepositoryError> {
  const error = await readRepository(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the repository is refused").toBeInstanceOf(RepositoryError);
  expect((error as Error).message).not.toContain(CANARY);
  return error as RepositoryError;
}

let outside: string;
beforeAll(() => {
  process.env[CANARY_ENV] = CANARY;
  // A host folder that looks like a flowops platform, with the canary in every file.
  outside = tempDir("flowops-host-");
  writeFiles(outside, {
    "secret.txt": `${CANARY}\n`,
    "vars.schema.json": `{"type":"object","required":["${CANARY}"]}`,
    "flowops.config.yaml": `namespace: "${CANARY}.\${flow.folder}"\n`,
    "flows/bronze/stolen.yaml": `tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${CANARY}\n`,
    "tenants/acme.yaml": `code: acme\nname: ${CANARY}\n`,
  });
});
afterAll(() => {
  delete process.env[CANARY_ENV];
});

describe("config paths that leave the repository are refused, never used", () => {
  it.each([
    ["tenantVarsSchema: ../../../../../../../../proc/self/environ", "tenantVarsSchema", 1, 19],
    ["tenantVarsSchema: /proc/self/environ", "tenantVarsSchema", 1, 19],
    ["flows: ../../../../../../../../", "flows", 1, 8],
    ["# platform\ntenants: schemas/../../elsewhere", "tenants", 2, 10],
  ])("%s", async (config, key, line, column) => {
    const { dir } = await gitRepo({ ...PLATFORM, "flowops.config.yaml": `${config}\n` });
    const error = await refusal({ cwd: dir });
    expect(error.message).toContain(`flowops.config.yaml:${line}:${column}: ${key}`);
    expect(error.message).toMatch(/leaves the repository.*refused/);
    // Through the CLI: exit 2 with the refusal, for every command that reads the repository.
    for (const argv of [["lint"], ["render", "--out", tempDir()], ["lint", "--ref", "HEAD"]]) {
      const run = await flowops(dir, ...argv);
      expect(run.code, argv.join(" ")).toBe(2);
      expect(run.output).toContain(`flowops.config.yaml:${line}:${column}`);
      expect(run.output).not.toContain(CANARY);
      expect(run.output).not.toContain("PATH=");
    }
  });

  it("an absolute path to a host file is refused even when read from a commit", async () => {
    const { dir } = await gitRepo({ ...PLATFORM, "flowops.config.yaml": `tenantVarsSchema: ${join(outside, "vars.schema.json")}\n` });
    const error = await refusal({ cwd: dir, ref: "HEAD" });
    expect(error.message).toContain("flowops.config.yaml:1:19: tenantVarsSchema");
  });
});

describe("no symbolic link is followed", () => {
  it("a top-level flows folder linked to / is refused at once, not walked", async () => {
    const { dir } = await gitRepo({ "tenants/acme.yaml": TENANT });
    symlinkSync("/", join(dir, "flows"));
    const error = await refusal({ cwd: dir });
    expect(error.message).toContain('the flows folder "flows" is a symbolic link');
    const run = await flowops(dir, "lint");
    expect(run.code).toBe(2);
    expect(run.output).toContain("is a symbolic link");
  });

  it("a configured tenants folder linked outside is refused, naming the config line", async () => {
    const { dir } = await gitRepo({ "flowops.config.yaml": "flows: flows\ntenants: customers\n", "flows/bronze/usage.yaml": FLOW });
    symlinkSync(join(outside, "tenants"), join(dir, "customers"));
    const error = await refusal({ cwd: dir });
    expect(error.message).toContain('flowops.config.yaml:2:10: tenants "customers" is a symbolic link');
  });

  it("a vars schema reached through a linked folder (inside by name, outside by real path) is refused", async () => {
    const { dir } = await gitRepo({ ...PLATFORM, "flowops.config.yaml": "tenantVarsSchema: schemas/environ\n" });
    symlinkSync("/proc/self", join(dir, "schemas"));
    const error = await refusal({ cwd: dir });
    expect(error.message).toContain('flowops.config.yaml:1:19: tenantVarsSchema "schemas/environ" passes through the symbolic link "schemas"');
    const run = await flowops(dir, "lint");
    expect(run.code).toBe(2);
    expect(run.output).not.toContain(CANARY);
  });

  it("a linked flows folder inside a real parent folder is refused too", async () => {
    const { dir } = await gitRepo({ "flowops.config.yaml": "flows: platform/flows\n", "tenants/acme.yaml": TENANT });
    mkdirSync(join(dir, "platform"));
    symlinkSync(join(outside, "flows"), join(dir, "platform", "flows"));
    const error = await refusal({ cwd: dir });
    expect(error.message).toContain('flowops.config.yaml:1:8: flows "platform/flows" is a symbolic link');
  });

  it("the config file itself as a link is refused (never replaced by the defaults)", async () => {
    const { dir } = await gitRepo(PLATFORM);
    symlinkSync(join(outside, "flowops.config.yaml"), join(dir, "flowops.config.yaml"));
    const error = await refusal({ cwd: dir });
    expect(error.message).toContain('the config file "flowops.config.yaml" is a symbolic link');
  });

  it("the pulled Kestra schema behind a linked .flowops folder is refused", async () => {
    const { dir } = await gitRepo(PLATFORM);
    mkdirSync(join(outside, "dot-flowops"), { recursive: true });
    writeFileSync(join(outside, "dot-flowops", "kestra-flow-schema.json"), `{"title":"${CANARY}"}`);
    symlinkSync(join(outside, "dot-flowops"), join(dir, ".flowops"));
    const error = await refusal({ cwd: dir });
    expect(error.message).toContain('the pulled Kestra flow schema ".flowops/kestra-flow-schema.json" passes through the symbolic link ".flowops"');
  });

  it("a linked flow or tenant file is skipped and reported; its target never reaches the output", async () => {
    const { dir } = await gitRepo(PLATFORM);
    symlinkSync(join(outside, "flows/bronze/stolen.yaml"), join(dir, "flows/bronze/stolen.yaml"));
    symlinkSync(join(outside, "secret.txt"), join(dir, "tenants/globex.yaml"));
    const repository = await readRepository({ cwd: dir });
    expect(repository.templates.map((t) => t.file)).toEqual(["flows/bronze/usage.yaml"]);
    expect(repository.tenants.map((t) => t.code)).toEqual(["acme"]);
    expect(repository.problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
      "flows/bronze/stolen.yaml: symbolic links are not followed (they could point outside the repository); commit the file itself",
      "tenants/globex.yaml: symbolic links are not followed (they could point outside the repository); commit the file itself",
    ]);
    const out = tempDir();
    const run = await flowops(dir, "render", "--out", out);
    expect(run.output).not.toContain(CANARY);
  });

  describe("in a Git ref (links committed as mode 120000)", () => {
    it("a committed link as the flows folder is refused", async () => {
      const { dir, git } = await gitRepo({ "tenants/acme.yaml": TENANT });
      symlinkSync(join(outside, "flows"), join(dir, "flows"));
      await git.add(".");
      await git.commit("flows is a link");
      const error = await refusal({ cwd: dir, ref: "HEAD" });
      expect(error.message).toContain('the flows folder "flows" is a symbolic link');
    });

    it("a committed link as the config file or on the way to the vars schema is refused", async () => {
      const linkedConfig = await gitRepo(PLATFORM);
      symlinkSync(join(outside, "flowops.config.yaml"), join(linkedConfig.dir, "flowops.config.yaml"));
      await linkedConfig.git.add(".");
      await linkedConfig.git.commit("config is a link");
      expect((await refusal({ cwd: linkedConfig.dir, ref: "HEAD" })).message).toContain('the config file "flowops.config.yaml" is a symbolic link');

      const linkedSchema = await gitRepo({ ...PLATFORM, "flowops.config.yaml": "tenantVarsSchema: schemas/vars.schema.json\n" });
      symlinkSync(outside, join(linkedSchema.dir, "schemas"));
      await linkedSchema.git.add(".");
      await linkedSchema.git.commit("schemas is a link");
      expect((await refusal({ cwd: linkedSchema.dir, ref: "HEAD" })).message).toContain('flowops.config.yaml:1:19: tenantVarsSchema "schemas/vars.schema.json" passes through the symbolic link "schemas"');
    });

    it("a committed link as a flow file is skipped and reported", async () => {
      const { dir, git } = await gitRepo(PLATFORM);
      symlinkSync(join(outside, "flows/bronze/stolen.yaml"), join(dir, "flows/bronze/stolen.yaml"));
      await git.add(".");
      await git.commit("a linked flow");
      const repository = await readRepository({ cwd: dir, ref: "HEAD" });
      expect(repository.templates.map((t) => t.file)).toEqual(["flows/bronze/usage.yaml"]);
      expect(repository.problems.map((p) => p.file)).toEqual(["flows/bronze/stolen.yaml"]);
      expect(JSON.stringify([...repository.files.values()])).not.toContain(CANARY);
    });
  });
});

describe("reads are capped in files and bytes", () => {
  const many: Record<string, string> = { "tenants/acme.yaml": TENANT };
  for (let i = 0; i < 30; i++) many[`flows/bronze/flow_${i}.yaml`] = FLOW;

  it("has sane defaults", () => {
    expect(DEFAULT_READ_LIMITS).toEqual({ maxFiles: 20_000, maxBytes: 256 * 1024 * 1024 });
  });

  it.each([["the working tree", undefined], ["a Git ref", "HEAD"]])("too many files in %s: refused with the limit", async (_where, ref) => {
    const { dir } = await gitRepo(many);
    const error = await refusal({ cwd: dir, ...(ref ? { ref } : {}), limits: { maxFiles: 10 } });
    expect(error.message).toMatch(/more than 10 files .*flowops refuses to read more/);
    await expect(readRepository({ cwd: dir, ...(ref ? { ref } : {}), limits: { maxFiles: 100 } })).resolves.toBeDefined();
  });

  it.each([["the working tree", undefined], ["a Git ref", "HEAD"]])("too many bytes in %s: refused with the limit", async (_where, ref) => {
    const { dir } = await gitRepo(many);
    const error = await refusal({ cwd: dir, ...(ref ? { ref } : {}), limits: { maxBytes: 1000 } });
    expect(error.message).toMatch(/exceed 1000 bytes in total .*flowops refuses to read more/);
  });

  it("a flows folder full of other files is refused past the file cap without reading them", async () => {
    const { dir } = await gitRepo({ "tenants/acme.yaml": TENANT, "flows/bronze/usage.yaml": FLOW });
    const junk = join(dir, "flows", "junk");
    mkdirSync(junk);
    for (let i = 0; i < 50; i++) writeFileSync(join(junk, `file_${i}.bin`), "x");
    const error = await refusal({ cwd: dir, limits: { maxFiles: 20 } });
    expect(error.message).toContain("more than 20 files");
  });
});
