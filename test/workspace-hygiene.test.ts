import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support.js";

const workspaces = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { workspaces: string[] }).workspaces;
const tested = workspaces.filter((dir) => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  return manifest.scripts?.test?.includes("vitest") ?? false;
});

describe("every workspace that runs vitest", () => {
  it("is found", () => {
    expect(tested).toContain("test");
    expect(tested).toContain("packages/render");
  });

  // vitest's 5 s default fails on a loaded 2-core machine (one e2e test takes 4.7 s idle).
  it.each(tested)("%s sets test and hook timeouts of at least 30 s", async (dir) => {
    const file = join(repoRoot, dir, "vitest.config.mjs");
    expect(existsSync(file), `${dir} has no vitest.config.mjs`).toBe(true);
    const config = ((await import(pathToFileURL(file).href)) as { default: { test?: { testTimeout?: number; hookTimeout?: number } } }).default;
    expect(config.test?.testTimeout ?? 0).toBeGreaterThanOrEqual(30_000);
    expect(config.test?.hookTimeout ?? 0).toBeGreaterThanOrEqual(30_000);
  });
});
