import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { simpleGit } from "simple-git";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImpactError } from "./errors.js";
import { resolveImpactRefs } from "./git.js";

const root = mkdtempSync(join(tmpdir(), "flowops-git-"));
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
const git = simpleGit({ baseDir: root });

beforeAll(async () => {
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.name", "Test").addConfig("user.email", "test@example.com").addConfig("commit.gpgsign", "false");
  write("flows/bronze/a.yaml", "tasks: []\n");
  write("tenants/t1.yaml", "code: t1\n");
  await git.add(".").commit("start");
  await git.checkoutLocalBranch("feature");
  write("flows/bronze/b.yaml", "tasks: []\n");
  await git.add(".").commit("feature adds b");
  await git.checkout("main");
  write("flows/bronze/c.yaml", "tasks: []\n");
  await git.add(".").commit("main moves on with c");
  await git.checkout("feature");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("resolveImpactRefs", () => {
  it("compares with the merge base, so a branch behind main shows no phantom removals", async () => {
    const refs = await resolveImpactRefs({ cwd: root, base: "main", head: "feature" });
    const mergeBase = (await git.raw(["merge-base", "main", "feature"])).trim();
    expect(refs.baseCommit).toBe(mergeBase);
    expect(refs.headCommit).toBe((await git.revparse(["feature"])).trim());
    expect(refs.changedFiles).toEqual(["flows/bronze/b.yaml"]);
    expect(refs.baseLabel).toBe(`main (merge base ${mergeBase.slice(0, 7)})`);
  });

  it("uses the working tree as head: uncommitted and untracked files count", async () => {
    write("flows/bronze/a.yaml", "tasks: [] # edited\n");
    write("tenants/t2.yaml", "code: t2\n");
    try {
      const refs = await resolveImpactRefs({ cwd: root, base: "main" });
      expect(refs.headCommit).toBeUndefined();
      expect(refs.headLabel).toBe("working tree");
      expect(refs.changedFiles).toEqual(["flows/bronze/a.yaml", "flows/bronze/b.yaml", "tenants/t2.yaml"]);
    } finally {
      await git.checkout(["--", "flows/bronze/a.yaml"]);
      rmSync(join(root, "tenants/t2.yaml"));
    }
  });

  it("names an unreadable ref", async () => {
    const error = await resolveImpactRefs({ cwd: root, base: "no-such-branch" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImpactError);
    expect((error as ImpactError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/--base: Git cannot resolve "no-such-branch" to a commit/);
  });

  it("refuses refs without a merge base", async () => {
    await git.checkout(["--orphan", "unrelated"]);
    write("other.txt", "x\n");
    await git.add(".").commit("unrelated history");
    await git.checkout("feature");
    await expect(resolveImpactRefs({ cwd: root, base: "main", head: "unrelated" })).rejects.toThrow(/have no common ancestor/);
  });

  it("refuses a folder outside Git", async () => {
    const plain = mkdtempSync(join(tmpdir(), "flowops-plain-"));
    try {
      await expect(resolveImpactRefs({ cwd: plain, base: "main" })).rejects.toThrow(/is not inside a Git repository/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it("refuses a folder that does not exist with the same ImpactError, not a Git client's crash", async () => {
    const missing = join(tmpdir(), "flowops-missing-folder-never-made");
    await expect(resolveImpactRefs({ cwd: missing, base: "main" })).rejects.toThrow(/is not inside a Git repository; --base needs one/);
  });
});
