import { describe, it, expect } from "vitest";
import { decideApproval, type PullRequestReview } from "./approvals.js";

let nextId = 1;
const review = (login: string, state: string, minute: number): PullRequestReview => ({
  id: nextId++,
  user: { login },
  state,
  submitted_at: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
});
const policy = { approvals: 1, allowedPushers: ["release-bot"] };
const pr = { number: 7, author: "alice" };

describe("decideApproval", () => {
  const cases: { name: string; reviews: PullRequestReview[]; pusher?: string; allowed: boolean; reason: RegExp; approvals?: number }[] = [
    { name: "one approval", reviews: [review("bob", "APPROVED", 1)], allowed: true, reason: /approved by @bob \(1 of 1/ },
    { name: "no review", reviews: [], allowed: false, reason: /0 of the 1 approval/ },
    { name: "approval then changes requested", reviews: [review("bob", "APPROVED", 1), review("bob", "CHANGES_REQUESTED", 2)], allowed: false, reason: /changes requested by @bob/ },
    { name: "changes requested then approval", reviews: [review("bob", "CHANGES_REQUESTED", 1), review("bob", "APPROVED", 2)], allowed: true, reason: /approved/ },
    { name: "a comment after an approval keeps it", reviews: [review("bob", "APPROVED", 1), review("bob", "COMMENTED", 2)], allowed: true, reason: /approved/ },
    { name: "a dismissed approval drops out", reviews: [review("bob", "APPROVED", 1), review("bob", "DISMISSED", 2)], allowed: false, reason: /0 of the 1/ },
    { name: "another reviewer's standing change request blocks", reviews: [review("bob", "APPROVED", 1), review("carol", "CHANGES_REQUESTED", 2)], allowed: false, reason: /@carol/ },
    { name: "the author's own approval does not count", reviews: [review("alice", "APPROVED", 1)], allowed: false, reason: /0 of the 1/ },
    { name: "two required, one given", reviews: [review("bob", "APPROVED", 1)], approvals: 2, allowed: false, reason: /1 of the 2 approvals/ },
    { name: "allow-listed pusher bypasses (case-insensitive)", reviews: [], pusher: "Release-Bot", allowed: true, reason: /allowedPushers/ },
    { name: "allow list also bypasses a change request", reviews: [review("bob", "CHANGES_REQUESTED", 1)], pusher: "release-bot", allowed: true, reason: /allowedPushers/ },
    { name: "zero approvals required", reviews: [], approvals: 0, allowed: true, reason: /0 of 0/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decision = decideApproval({ policy: { ...policy, approvals: c.approvals ?? 1 }, pusher: c.pusher ?? "alice", pullRequest: pr, reviews: c.reviews });
      expect(decision.allowed).toBe(c.allowed);
      expect(decision.reason).toMatch(c.reason);
    });
  }

  it("does not let the allow list bypass approvals for protected tenants", () => {
    const refused = decideApproval({ policy, pusher: "release-bot", pullRequest: null, reviews: [], protectedTenantsTouched: ["bank_1"] });
    expect(refused.allowed).toBe(false);
    expect(refused.reason).toMatch(/No merged pull request[\s\S]*allowedPushers does not apply: the change touches protected tenant bank_1/);
    const approved = decideApproval({ policy, pusher: "release-bot", pullRequest: pr, reviews: [review("bob", "APPROVED", 1)], protectedTenantsTouched: ["bank_1"] });
    expect(approved.allowed).toBe(true);
    const unapproved = decideApproval({ policy, pusher: "release-bot", pullRequest: pr, reviews: [], protectedTenantsTouched: ["bank_1", "bank_2"] });
    expect(unapproved.reason).toMatch(/0 of the 1 approval that deploy.approvals requires; get the approvals and merge again\. deploy.allowedPushers does not apply: the change touches protected tenants bank_1, bank_2/);
  });

  it("orders reviews by time, not by the order they are listed", () => {
    const later = review("bob", "CHANGES_REQUESTED", 5);
    const earlier = review("bob", "APPROVED", 1);
    expect(decideApproval({ policy, pusher: "alice", pullRequest: pr, reviews: [later, earlier] }).allowed).toBe(false);
  });

  it("refuses a direct push by someone not on the allow list", () => {
    const decision = decideApproval({ policy, pusher: "mallory", pullRequest: null, reviews: [] });
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toMatch(/No merged pull request/);
  });
});
