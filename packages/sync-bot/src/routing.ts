import type { EmitterWebhookEvent } from "@octokit/webhooks";

/** What the bot does with a webhook delivery. */
export type WebhookRoute =
  | { kind: "pull-request"; installationId: number; owner: string; repo: string; cloneUrl: string; pullNumber: number; headSha: string; baseSha: string; baseRef: string }
  | { kind: "rerequest"; installationId: number; owner: string; repo: string; cloneUrl: string; pullNumbers: number[] }
  | { kind: "push"; installationId: number; owner: string; repo: string; cloneUrl: string; branch: string; before: string; after: string; pusher: string | null; defaultBranch: string }
  | { kind: "ignore"; reason: string };

/** A delivery whose payload lacks what its event always carries. */
export class MalformedPayloadError extends Error {
  override readonly name = "MalformedPayloadError";
}

const PULL_REQUEST_ACTIONS = new Set(["opened", "synchronize", "reopened"]);
const ZERO_SHA = /^0+$/;

/** The deliveries the bot acts on, typed by GitHub's webhook schemas (@octokit/webhooks). */
type HandledDelivery = {
  [Name in "pull_request" | "check_run" | "check_suite" | "push"]: { name: Name; payload: EmitterWebhookEvent<Name>["payload"] };
}["pull_request" | "check_run" | "check_suite" | "push"];

/** What every delivery the bot acts on carries, checked before anything else is read. */
interface DeliveryEnvelope {
  installation?: { id?: unknown };
  repository?: { name?: unknown; owner?: { login?: unknown } | null; clone_url?: unknown };
}

/**
 * Decides from the event name and the parsed payload what to do; pure, so every example payload
 * of GitHub can be routed in a test. Events the bot does not handle are ignored with a reason.
 */
export function routeWebhook(eventName: string, payload: unknown, options: { checkName?: string; appId?: number } = {}): WebhookRoute {
  if (typeof payload !== "object" || payload === null) return { kind: "ignore", reason: "the payload is not an object" };
  const envelope = payload as DeliveryEnvelope;
  const installationId = envelope.installation?.id;
  const repository = envelope.repository;
  if (typeof repository?.owner?.login !== "string" || typeof repository.clone_url !== "string" || typeof repository.name !== "string") {
    return { kind: "ignore", reason: `${eventName} carries no repository` };
  }
  if (typeof installationId !== "number") return { kind: "ignore", reason: `${eventName} was not sent to an installed GitHub App (no installation id)` };
  const base = { installationId, owner: repository.owner.login, repo: repository.name, cloneUrl: repository.clone_url };
  // The signature proved GitHub sent it, so the payload has the documented shape of its event.
  const delivery = { name: eventName, payload } as HandledDelivery;

  switch (delivery.name) {
    case "pull_request": {
      const { action, pull_request: pull } = delivery.payload;
      if (!PULL_REQUEST_ACTIONS.has(action)) return { kind: "ignore", reason: `pull_request.${action} needs no check` };
      // Typed by GitHub's schema, yet a signed payload can still lack it: refused (400), never a crash further on.
      if (typeof pull?.number !== "number" || typeof pull.head?.sha !== "string" || typeof pull.base?.sha !== "string" || typeof pull.base.ref !== "string") {
        throw new MalformedPayloadError("pull_request event without pull_request.number, head.sha, base.sha and base.ref");
      }
      return { kind: "pull-request", ...base, pullNumber: pull.number, headSha: pull.head.sha, baseSha: pull.base.sha, baseRef: pull.base.ref };
    }
    case "check_run": {
      const { action, check_run: run } = delivery.payload;
      if (action !== "rerequested") return { kind: "ignore", reason: `check_run.${action} needs nothing` };
      if (typeof run?.name !== "string") throw new MalformedPayloadError("check_run event without check_run.name");
      if (run.name !== (options.checkName ?? "flowops")) return { kind: "ignore", reason: `check run ${run.name} is not flowops's` };
      const runAppId = run.app?.id;
      if (options.appId !== undefined && runAppId !== undefined && runAppId !== options.appId) return { kind: "ignore", reason: "the check run belongs to another app" };
      return rerequest(base, run.pull_requests);
    }
    case "check_suite": {
      const { action, check_suite: suite } = delivery.payload;
      if (action !== "rerequested") return { kind: "ignore", reason: `check_suite.${action} needs nothing` };
      if (typeof suite !== "object" || suite === null) throw new MalformedPayloadError("check_suite event without its check_suite object");
      return rerequest(base, suite.pull_requests);
    }
    case "push": {
      const push = delivery.payload;
      const ref = push.ref ?? "";
      const after = push.after ?? "";
      if (!ref.startsWith("refs/heads/")) return { kind: "ignore", reason: `push to ${ref} is not a branch` };
      if (push.deleted === true || ZERO_SHA.test(after)) return { kind: "ignore", reason: `push deleted ${ref}` };
      const branch = ref.slice("refs/heads/".length);
      const defaultBranch = push.repository.default_branch ?? "main";
      const pusher = push.sender?.login ?? push.pusher?.name ?? null;
      return { kind: "push", ...base, branch, before: push.before ?? "", after, pusher, defaultBranch };
    }
    default:
      return { kind: "ignore", reason: `flowops does not handle ${eventName} events` };
  }
}

function rerequest(base: { installationId: number; owner: string; repo: string; cloneUrl: string }, pulls: readonly { number: number }[] | null | undefined): WebhookRoute {
  const pullNumbers = (pulls ?? []).map((pull) => pull.number);
  if (pullNumbers.length === 0) return { kind: "ignore", reason: "the re-requested check belongs to no open pull request of this repository" };
  return { kind: "rerequest", ...base, pullNumbers };
}
