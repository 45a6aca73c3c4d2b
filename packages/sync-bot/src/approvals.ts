import type { RepositoryPolicy } from "./types.js";

/** The fields of a pull request review (`GET /repos/{o}/{r}/pulls/{n}/reviews`) the gate reads. */
export interface PullRequestReview {
  id: number;
  user: { login: string } | null;
  state: string;
  submitted_at?: string | null;
}

export interface ApprovalInput {
  policy: Pick<RepositoryPolicy, "approvals" | "allowedPushers">;
  /** Who pushed the merge (the `push` event's sender / pusher). */
  pusher: string | null;
  /** The merged pull request, or null for a direct push. */
  pullRequest: { number: number; author: string | null } | null;
  reviews: readonly PullRequestReview[];
  /**
   * Protected tenants (`deploy.protectedTenants`) the change touches: they change only through an
   * approved pull request, so the allow list does not apply to them.
   */
  protectedTenantsTouched?: readonly string[];
}

export interface ApprovalDecision {
  allowed: boolean;
  /** One sentence saying why, fit for a PR comment and a log. */
  reason: string;
  approvers: string[];
  changesRequestedBy: string[];
}

/**
 * Decides whether a merge may deploy. The latest review of each reviewer counts (a later comment
 * review does not undo an approval, as on GitHub; a dismissal does); a standing "changes requested"
 * blocks; the author's own reviews never count. A pusher on the allow list deploys without approvals.
 */
export function decideApproval(input: ApprovalInput): ApprovalDecision {
  const { policy, pusher, pullRequest } = input;
  const allowList = policy.allowedPushers.map((login) => login.toLowerCase());
  const standing = latestStandingReviews(input.reviews, pullRequest?.author ?? null);
  const approvers = [...standing].filter(([, state]) => state === "APPROVED").map(([login]) => login).sort();
  const changesRequestedBy = [...standing].filter(([, state]) => state === "CHANGES_REQUESTED").map(([login]) => login).sort();

  const touched = input.protectedTenantsTouched ?? [];
  const allowListed = Boolean(pusher && allowList.includes(pusher.toLowerCase()));
  if (allowListed && touched.length === 0) {
    return { allowed: true, reason: `@${pusher} is on deploy.allowedPushers, so no approval is required.`, approvers, changesRequestedBy };
  }
  const notice = allowListed
    ? ` deploy.allowedPushers does not apply: the change touches protected tenant${touched.length === 1 ? "" : "s"} ${touched.join(", ")} (deploy.protectedTenants), which change only through an approved pull request.`
    : "";
  if (!pullRequest) {
    return {
      allowed: false,
      reason: "No merged pull request contains this commit; a direct push deploys only when the pusher is listed in deploy.allowedPushers of flowops.config.yaml on the deploy branch." + notice,
      approvers,
      changesRequestedBy,
    };
  }
  if (changesRequestedBy.length > 0) {
    return {
      allowed: false,
      reason: `Pull request #${pullRequest.number} has changes requested by ${changesRequestedBy.map((l) => `@${l}`).join(", ")} (their latest review); they must approve, or the review must be dismissed, and the change merged again.${notice}`,
      approvers,
      changesRequestedBy,
    };
  }
  if (approvers.length < policy.approvals) {
    return {
      allowed: false,
      reason: `Pull request #${pullRequest.number} has ${approvers.length} of the ${policy.approvals} approval${policy.approvals === 1 ? "" : "s"} that deploy.approvals requires${approvers.length ? ` (approved by ${approvers.map((l) => `@${l}`).join(", ")})` : ""}; get the approvals and merge again${allowListed ? "." : ", or have someone listed in deploy.allowedPushers re-run the deploy."}${notice}`,
      approvers,
      changesRequestedBy,
    };
  }
  const by = approvers.length ? ` by ${approvers.map((l) => `@${l}`).join(", ")}` : "";
  return { allowed: true, reason: `Pull request #${pullRequest.number} is approved${by} (${approvers.length} of ${policy.approvals} required).`, approvers, changesRequestedBy };
}

/** Reviewer login → the state that stands (APPROVED or CHANGES_REQUESTED); dismissed reviewers drop out. */
function latestStandingReviews(reviews: readonly PullRequestReview[], author: string | null): Map<string, string> {
  const ordered = [...reviews].sort((a, b) => {
    const at = a.submitted_at ? Date.parse(a.submitted_at) : 0;
    const bt = b.submitted_at ? Date.parse(b.submitted_at) : 0;
    return at - bt || a.id - b.id;
  });
  const standing = new Map<string, string>();
  for (const review of ordered) {
    const login = review.user?.login;
    if (!login || (author && login.toLowerCase() === author.toLowerCase())) continue;
    if (review.state === "APPROVED" || review.state === "CHANGES_REQUESTED") standing.set(login, review.state);
    else if (review.state === "DISMISSED") standing.delete(login);
    // COMMENTED and PENDING leave the reviewer's standing as it was.
  }
  return standing;
}
