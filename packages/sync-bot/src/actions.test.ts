import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STEP_SUMMARY_LIMIT, workflowCommandLogger, writeStepSummary } from "./actions.js";

describe("writeStepSummary", () => {
  it("appends, and cuts a report over GitHub's 1 MiB with a notice", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-summary-"));
    try {
      const file = join(dir, "summary.md");
      await writeStepSummary(file, "# first");
      await writeStepSummary(file, "é".repeat(STEP_SUMMARY_LIMIT));
      const text = await readFile(file, "utf8");
      expect(text.startsWith("# first\n")).toBe(true);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT + "# first\n".length);
      expect(text).toMatch(/longer than GitHub's 1 MiB job summary limit/);
      expect(text).not.toContain("\uFFFD");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("does nothing outside Actions (no GITHUB_STEP_SUMMARY)", async () => {
    await expect(writeStepSummary(undefined, "x")).resolves.toBeUndefined();
  });
});

describe("workflowCommandLogger", () => {
  it("writes warnings and errors as workflow commands, escaping newlines and percent signs", () => {
    const lines: string[] = [];
    const log = workflowCommandLogger((line) => lines.push(line));
    log.info("plain");
    log.warn("50% done\nnext");
    log.error("bad\r\nthing");
    expect(lines).toEqual(["plain", "::warning::50%25 done%0Anext", "::error::bad%0D%0Athing"]);
  });
});
