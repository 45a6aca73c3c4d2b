import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasCommit, headCommit, mergeBase, runGit } from "./git.js";

let dir: string;
const saved = { ...process.env };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-bot-git-"));
  await runGit(dir, ["init", "--quiet", "-b", "main"]);
  await runGit(dir, ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false", "commit", "--quiet", "--allow-empty", "-m", "first"]);
});

afterEach(async () => {
  process.env = { ...saved };
  await rm(dir, { recursive: true, force: true });
});

describe("runGit (simple-git)", () => {
  it("fails on a non-zero exit even when git prints nothing", async () => {
    await expect(runGit(dir, ["cat-file", "-e", "1".repeat(40)])).rejects.toThrow(/git cat-file failed in .*exit code 1/);
    expect(await hasCommit(dir, "1".repeat(40))).toBe(false);
    expect(await hasCommit(dir, await headCommit(dir))).toBe(true);
  });

  it("gives git only the variables it needs: no secret of the bot, no editor or pager of a person", async () => {
    process.env["GITHUB_APP_PRIVATE_KEY"] = "-----BEGIN PRIVATE KEY-----not-for-git";
    process.env["GITHUB_WEBHOOK_SECRET"] = "not-for-git-either";
    process.env["EDITOR"] = "vim";
    process.env["GIT_PAGER"] = "less";
    // A repository alias that prints git's environment (aliases passed on the command line are refused).
    await writeFile(join(dir, ".git", "config"), "[alias]\n\tshowenv = !env\n", { flag: "a" });
    const env = await runGit(dir, ["showenv"]);
    expect(env).toContain("GIT_TERMINAL_PROMPT=0");
    expect(env).toMatch(/^PATH=/m);
    expect(env).not.toMatch(/not-for-git|^EDITOR=|^GIT_PAGER=/m);
  });

  it("says which command failed, with secrets removed from git's message", async () => {
    const token = "ghs_0123456789abcdef0123";
    const failure = await runGit(dir, ["rev-parse", token], { secrets: [token] }).then(() => null, (error: Error) => error.message);
    expect(failure).toMatch(/^git rev-parse failed in [\s\S]*ambiguous argument '\*\*\*'/);
    expect(failure).not.toContain(token);
  });

  it("finds the merge base, and says how to fix a shallow checkout", async () => {
    const head = await headCommit(dir);
    expect(await mergeBase(dir, head, head)).toBe(head);
    await expect(mergeBase(dir, "2".repeat(40), head)).rejects.toThrow(/fetch-depth: 0/);
  });
});
