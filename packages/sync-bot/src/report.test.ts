import { describe, expect, it } from "vitest";
import { deployReport, pullRequestComment, pullRequestTitle } from "./report.js";
import type { RepositoryPolicy } from "./types.js";

const policy: RepositoryPolicy = { deployBranch: "main", approvals: 2, allowedPushers: [], protectedTenants: ["bank_1"], prune: false, maxDeleteShare: 0.25, selfHeal: false, environments: ["staging", "production"] };
const summary = { added: 1, removed: 0, modified: 2, cosmetic: 0, unchanged: 10, tenants: 2 };

describe("pull request report", () => {
  it("states the verdict, the base policy, and flags protected tenants", () => {
    const body = pullRequestComment({
      lint: { diagnostics: [{ rule: "invalid-cron", severity: "warning", message: "cron | odd", file: "flows/a.yaml", line: 3, column: 7, tenants: ["bank_1"] }], errorCount: 0 },
      impact: { markdown: "**3 flows change.**", summary, changedTenants: ["bank_1", "shop_2"] },
      impactError: null,
      policy,
      baseRef: "main",
      headSha: "a".repeat(40),
      mergeBaseSha: "b".repeat(40),
    });
    expect(body).toContain("### ✅ flowops: no lint errors (1 warning); 3 flows change in 2 tenants");
    expect(body).toContain("| warning | `flows/a.yaml:3:7` | cron \\| odd (bank_1) | `invalid-cron` |");
    expect(body).toContain("touches protected tenant: `bank_1`");
    expect(body).toContain("deploys to `staging` after 2 approvals (policy read from `main`, not from this PR)");
  });

  it("fails the title when impact could not be computed", () => {
    expect(pullRequestTitle({ lint: { diagnostics: [], errorCount: 0 }, impact: null, impactError: "tenants/x.yaml:1:1: bad" })).toBe("no lint errors; impact could not be computed");
  });
});

describe("deploy report", () => {
  it("lists each tenant's result and the run link", () => {
    const text = deployReport({
      env: "production",
      sha: "c".repeat(40),
      pullRequest: { number: 9 },
      decision: { allowed: true, reason: "Pull request #9 is approved by @bob (1 of 1 required).", approvers: ["bob"], changesRequestedBy: [] },
      outcome: { ok: false, perTenant: [{ tenant: "a", ok: true, created: 1 }, { tenant: "b", ok: false, error: "HTTP 500" }], text: "a: ok\nb: failed" },
      logUrl: "https://github.com/o/r/actions/runs/1",
    });
    expect(text).toContain("deploy of `cccccccccccc` to `production` failed for 1 tenant");
    expect(text).toContain("| a | ✅ ok | 1 | 0 | 0 | 0 |");
    expect(text).toContain("| b | ❌ HTTP 500 |");
    expect(text).toContain("[Workflow run](https://github.com/o/r/actions/runs/1)");
  });
});
