import { execFile } from "node:child_process";
import { existsSync, lstatSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { main } from "@flowops/cli";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { captureIO, gitRepo, listFiles, repoRoot, tempDir, writeFiles } from "./support.js";

const PLATFORM = {
  "flowops.config.yaml": "environments:\n  staging: { vars: { bucket: stg } }\n  production: { vars: { bucket: prd } }\n",
  "flows/bronze/aws_costs.yaml": "# AWS costs\n$when: tenant.sources.aws\nvariables: { bucket: \"${env.vars.bucket}\" }\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${tenant.name}\n",
  "flows/silver/usage.yaml": "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: usage\n",
  "tenants/acme.yaml": "code: acme\nname: Acme\nsources: { aws: true }\n",
  "tenants/beta.yaml": "code: beta\nname: Beta\nsources: { aws: false }\nenvironments: [staging]\n",
};

describe("flowops render", () => {
  it("writes DIR/<env>/<namespace>/<id>.yaml, exactly the deployable source", async () => {
    const { dir } = await gitRepo(PLATFORM);
    const out = tempDir();
    const io = captureIO(dir);
    expect(await main(["render", "--out", out], io)).toBe(0);
    expect(listFiles(out)).toEqual([
      "production/acme.bronze/aws_costs.yaml",
      "production/acme.silver/usage.yaml",
      "staging/acme.bronze/aws_costs.yaml",
      "staging/acme.silver/usage.yaml",
      "staging/beta.silver/usage.yaml",
    ]);
    const source = readFileSync(join(out, "production/acme.bronze/aws_costs.yaml"), "utf8");
    expect(source.startsWith("# AWS costs\nid: aws_costs\nnamespace: acme.bronze\n")).toBe(true);
    expect(parse(source)).toMatchObject({ variables: { bucket: "prd" }, labels: { "managed-by": "flowops", "system.readOnly": "true" } });
    expect(io.out()).toContain("Rendered 5 flows for 2 tenant(s) in 2 environment(s)");
  });

  it("renders one environment and chosen tenants, from a Git ref", async () => {
    const { dir, git } = await gitRepo(PLATFORM);
    writeFiles(dir, { "tenants/gamma.yaml": "code: gamma\nname: Gamma\nsources: { aws: true }\n" });
    await git.add(".");
    await git.commit("add gamma");
    const out = tempDir();
    expect(await main(["render", "--ref", "HEAD~1", "--env", "staging", "--tenant", "acme", "--out", out], captureIO(dir))).toBe(0);
    expect(listFiles(out)).toEqual(["staging/acme.bronze/aws_costs.yaml", "staging/acme.silver/usage.yaml"]);
    const io = captureIO(dir);
    expect(await main(["render", "--ref", "HEAD~1", "--tenant", "gamma", "--out", out], io)).toBe(2);
    expect(io.err()).toContain("unknown tenant(s): gamma");
  });

  it.each([
    ["malformed YAML", { "flows/silver/usage.yaml": "tasks:\n  - id: log\n   type: x\n" }, "flows/silver/usage.yaml:3:1: error invalid YAML"],
    ["an undefined placeholder", { "flows/silver/usage.yaml": "description: ${tenant.vars.nope}\ntasks: [{ id: t, type: a.B }]\n" }, "flows/silver/usage.yaml:1:14: error ${tenant.vars.nope} is not defined"],
    ["a $when that does not parse", { "flows/silver/usage.yaml": "$when: tenant.sources.aws &&\ntasks: [{ id: t, type: a.B }]\n" }, "flows/silver/usage.yaml:1:"],
    ["a tenant value that leaves the namespace rules", { "flows/silver/usage.yaml": "namespace: ${tenant.vars.ns}\ntasks: [{ id: t, type: a.B }]\n", "tenants/acme.yaml": "code: acme\nsources: { aws: true }\nvars: { ns: ../../../tmp/pwned }\n" }, "[namespace-pattern]"],
    ["a tenant file named like a path", { "tenants/..yaml": "code: ..\n" }, "tenants/..yaml:1:7: error code: must match"],
  ])("refuses %s with file:line:col, exit 2 and no output", async (_name, files, message) => {
    const { dir } = await gitRepo({ ...PLATFORM, ...files });
    const out = tempDir();
    writeFiles(out, { "keep.txt": "previous output stays untouched\n" });
    const io = captureIO(dir);
    expect(await main(["render", "--out", out], io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.err()).toContain("nothing was written");
    expect(listFiles(out)).toEqual(["keep.txt"]);
  });

  it("writes nothing, and creates no folder, when a problem shows only in a later tenant's render", async () => {
    // acme renders (and is staged) before beta's missing value is met.
    const { dir } = await gitRepo({
      ...PLATFORM,
      "flows/silver/late.yaml": "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${tenant.vars.only}\n",
      "tenants/acme.yaml": "code: acme\nname: Acme\nsources: { aws: true }\nvars: { only: here }\n",
    });
    const parent = tempDir();
    const out = join(parent, "new", "out");
    const io = captureIO(dir);
    expect(await main(["render", "--out", out], io)).toBe(2);
    expect(io.err()).toContain("flows/silver/late.yaml:4:14: error ${tenant.vars.only}");
    expect(io.err()).toContain("nothing was written");
    expect(existsSync(join(parent, "new"))).toBe(false);
    const kept = tempDir();
    writeFiles(kept, { "staging/old.yaml": "previous output stays untouched\n" });
    expect(await main(["render", "--out", kept], captureIO(dir))).toBe(2);
    expect(listFiles(kept)).toEqual(["staging/old.yaml"]);
  });

  it("replaces each environment's folder whole on a second run, flows sharing a folder included, following no link", async () => {
    const { dir } = await gitRepo({ ...PLATFORM, "flows/silver/usage_daily.yaml": "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: daily\n" });
    const out = tempDir();
    const outside = tempDir();
    writeFiles(outside, { "victim.yaml": "not flowops output\n" });
    writeFiles(out, { "staging/acme.silver/stale.yaml": "old\n", "keep.txt": "not an environment folder\n" });
    symlinkSync(outside, join(out, "production"));
    expect(await main(["render", "--out", out], captureIO(dir))).toBe(0);
    expect(listFiles(out)).toEqual([
      "keep.txt",
      "production/acme.bronze/aws_costs.yaml",
      "production/acme.silver/usage.yaml",
      "production/acme.silver/usage_daily.yaml",
      "staging/acme.bronze/aws_costs.yaml",
      "staging/acme.silver/usage.yaml",
      "staging/acme.silver/usage_daily.yaml",
      "staging/beta.silver/usage.yaml",
      "staging/beta.silver/usage_daily.yaml",
    ]);
    expect(lstatSync(join(out, "production")).isSymbolicLink()).toBe(false);
    expect(listFiles(outside)).toEqual(["victim.yaml"]);
    expect(readFileSync(join(out, "staging/beta.silver/usage_daily.yaml"), "utf8")).toContain("namespace: beta.silver\n");
  });

  it("exits 2 for usage errors", async () => {
    const io = captureIO(repoRoot);
    expect(await main(["render"], io)).toBe(2);
    expect(io.err()).toContain("--out is required");
    expect(await main(["render", "--out", "x", "--bogus"], io)).toBe(2);
    expect(await main(["nope"], io)).toBe(2);
    expect(await main(["render", "--cwd", "/definitely/not/here", "--out", "x"], io)).toBe(2);
    expect(await main(["render", "--env", "moon", "--out", "x", "--cwd", repoRoot], io)).toBe(2);
  });

  it("works as the installed binary, exit codes included", async () => {
    const { dir } = await gitRepo(PLATFORM);
    const out = tempDir();
    const run = promisify(execFile);
    const bin = join(repoRoot, "packages/cli/bin/flowops.js");
    const ok = await run("node", [bin, "render", "--out", out], { cwd: dir });
    expect(ok.stdout).toContain("Rendered 5 flows");
    await expect(run("node", [bin, "render"], { cwd: dir })).rejects.toMatchObject({ code: 2 });
  });
});

describe("flowops schema export", () => {
  it("writes the editor schemas", async () => {
    const out = tempDir();
    expect(await main(["schema", "export", "--out", out], captureIO(repoRoot))).toBe(0);
    expect(listFiles(out)).toEqual(["config.schema.json", "flow-template.schema.json", "flow.schema.json", "tenant.schema.json"]);
    expect(readFileSync(join(out, "flow.schema.json"), "utf8")).toBe(readFileSync(join(repoRoot, "packages/schemas/json/flow.schema.json"), "utf8"));
  });
});
