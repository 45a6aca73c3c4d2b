import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { simpleGit } from "simple-git";
import { beforeAll, describe, expect, it } from "vitest";
import { readRepository, render, RepositoryError } from "./index.js";

const TENANT = (code: string) => `code: ${code}\nsources: { aws: true }\nschedule: "0 1 * * *"\n`;

describe("reading a Git ref", () => {
  let dir: string;
  let first: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowops-git-"));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    const git = simpleGit({ baseDir: dir });
    await git.init(["-b", "main"]);
    await git.addConfig("user.email", "dev@example.com");
    await git.addConfig("user.name", "Dev");
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
