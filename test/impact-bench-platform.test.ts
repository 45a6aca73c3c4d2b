// Incremental impact == full impact on random edits of the bench platform (a real Git repository
// made by bench's generator): template edits (meaning and comment only), tenant edits (schedule,
// name) and config edits, one to two at a time in the working tree, compared with `main`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { impactOfRefs } from "@flowops/tenant-diff";
import type { ImpactReport } from "@flowops/tenant-diff";
import { simpleGit } from "simple-git";
import { afterAll, describe, expect, it } from "vitest";
import { editConfig, editTemplate, editTenant, generatePlatform } from "../bench/src/generate.js";

const dir = join(mkdtempSync(join(tmpdir(), "flowops-bench-impact-")), "platform");
afterAll(() => rmSync(dirname(dir), { recursive: true, force: true }));

const comparable = (report: ImpactReport) => ({ changes: report.changes, impacted: report.impacted, summary: { ...report.summary, unchanged: 0 } });

describe("incremental impact on the bench platform", () => {
  it("equals the full impact after each of 12 random sets of edits", { timeout: 120_000 }, async () => {
    const platform = await generatePlatform({ dir, tenants: 8, templates: 24, seed: 7 });
    let state = 12345;
    // mulberry32: a seeded generator whose low bits are as random as its high ones
    const random = (n: number) => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const modes = { incremental: 0, full: 0 };
    let withImpacted = 0;
    for (let step = 0; step < 12; step += 1) {
      await simpleGit({ baseDir: dir }).checkout(["--", "."]);
      for (let edit = 0; edit <= random(2); edit += 1) {
        const kind = random(10);
        if (kind < 4) await editTemplate(dir, random(platform.templateKeys.length), { cosmetic: random(3) === 0 });
        else if (kind < 9) await editTenant(dir, random(platform.tenantCodes.length), { change: random(3) === 0 ? "name" : "schedule" });
        else await editConfig(dir);
      }
      const incremental = await impactOfRefs({ cwd: dir, base: "main" });
      const full = await impactOfRefs({ cwd: dir, base: "main", incremental: false });
      expect(comparable(incremental.report), `step ${step}`).toEqual(comparable(full.report));
      modes[incremental.report.scope.mode] += 1;
      if (full.report.impacted.length > 0) withImpacted += 1;
    }
    expect(modes.incremental).toBeGreaterThan(3);
    expect(withImpacted).toBeGreaterThan(3);
  });
});
