import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import { beforeAll, describe, expect, it } from "vitest";
import { GitError, GitRepository } from "./git.js";

describe("GitRepository", () => {
  let dir: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowops-gitmodule-"));
    const git = simpleGit({ baseDir: dir });
    await git.init(["-b", "main"]);
    await git.addConfig("user.email", "dev@example.com");
    await git.addConfig("user.name", "Dev");
    writeFileSync(join(dir, "a.yaml"), "id: a\n");
    writeFileSync(join(dir, "b.yaml"), "héllo\n");
    await git.add(".");
    await git.commit("first");
    first = (await git.revparse(["HEAD"])).trim();
    writeFileSync(join(dir, "a.yaml"), "id: a2\n");
    await git.add(".");
    await git.commit("second");
    second = (await git.revparse(["HEAD"])).trim();
    writeFileSync(join(dir, "untracked.yaml"), "x\n");
  }, 60_000);

  it("resolves refs to commits, and never a ref that reads as an option", async () => {
    const git = new GitRepository(dir);
    expect(await git.resolveCommit("main")).toBe(second);
    expect(await git.resolveCommit("main~1")).toBe(first);
    expect(await git.resolveCommit("nope")).toBeUndefined();
    expect(await git.resolveCommit("--all")).toBeUndefined();
    expect(await git.mergeBase(first, second)).toBe(first);
  });

  it("lists a commit's tree and reads its blobs with one cat-file process, in order", async () => {
    const git = new GitRepository(dir);
    const entries = await git.listTree(first, "");
    expect(entries.map((e) => `${e.path} ${e.type} ${e.size}`)).toEqual(["a.yaml blob 6", "b.yaml blob 7"]);
    expect(await git.readBlobs(entries.map((e) => e.sha).reverse())).toEqual(["héllo\n", "id: a\n"]);
  });

  it("lists changed files against the working tree, untracked ones included", async () => {
    const git = new GitRepository(dir);
    expect(await git.changedFiles(first, second)).toEqual(["a.yaml"]);
    expect(await git.changedFiles(first)).toEqual(["a.yaml", "untracked.yaml"]);
  });

  it("says so outside a repository", async () => {
    await expect(new GitRepository(tmpdir()).topLevel()).rejects.toBeInstanceOf(GitError);
  });
});
