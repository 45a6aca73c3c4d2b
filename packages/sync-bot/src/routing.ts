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

interface RepositoryPayload {
  name: string;
  owner: { login: string };
  clone_url: string;
  default_branch?: string;
}

/**
 * Decides from the event name and the parsed payload what to do; pure, so every example payload
 * of GitHub can be routed in a test. Events the bot does not handle are ignored with a reason.
 */
export function routeWebhook(eventName: string, payload: unknown, options: { checkName?: string; appId?: number } = {}): WebhookRoute {
  if (typeof payload !== "object" || payload === null) return { kind: "ignore", reason: "the payload is not an object" };
  const body = payload as Record<string, unknown>;
  const installationId = (body["installation"] as { id?: number } | undefined)?.id;
  const repository = body["repository"] as RepositoryPayload | undefined;
  if (!repository?.owner?.login || !repository.clone_url) return { kind: "ignore", reason: `${eventName} carries no repository` };
  if (typeof installationId !== "number") return { kind: "ignore", reason: `${eventName} was not sent to an installed GitHub App (no installation id)` };
  const base = { installationId, owner: repository.owner.login, repo: repository.name, cloneUrl: repository.clone_url };
  const action = String(body["action"] ?? "");

  switch (eventName) {
    case "pull_request": {
      if (!PULL_REQUEST_ACTIONS.has(action)) return { kind: "ignore", reason: `pull_request.${action} needs no check` };
      const pull = body["pull_request"] as { number: number; head: { sha: string }; base: { sha: string; ref: string } } | undefined;
      if (typeof pull?.number !== "number" || typeof pull.head?.sha !== "string" || typeof pull.base?.sha !== "string" || typeof pull.base.ref !== "string") {
        throw new MalformedPayloadError("pull_request event without pull_request.number, head.sha, base.sha and base.ref");
      }
      return { kind: "pull-request", ...base, pullNumber: pull.number, headSha: pull.head.sha, baseSha: pull.base.sha, baseRef: pull.base.ref };
    }
    case "check_run": {
      const run = body["check_run"] as { name: string; app?: { id?: number }; pull_requests?: { number: number }[] };
      if (action !== "rerequested") return { kind: "ignore", reason: `check_run.${action} needs nothing` };
      if (run.name !== (options.checkName ?? "flowops")) return { kind: "ignore", reason: `check run ${run.name} is not flowops's` };
      if (options.appId !== undefined && run.app?.id !== undefined && run.app.id !== options.appId) return { kind: "ignore", reason: "the check run belongs to another app" };
      return rerequest(base, run.pull_requests);
    }
    case "check_suite": {
      if (action !== "rerequested") return { kind: "ignore", reason: `check_suite.${action} needs nothing` };
      return rerequest(base, (body["check_suite"] as { pull_requests?: { number: number }[] }).pull_requests);
    }
    case "push": {
      const ref = String(body["ref"] ?? "");
      const after = String(body["after"] ?? "");
      if (!ref.startsWith("refs/heads/")) return { kind: "ignore", reason: `push to ${ref} is not a branch` };
      if (body["deleted"] === true || ZERO_SHA.test(after)) return { kind: "ignore", reason: `push deleted ${ref}` };
      const branch = ref.slice("refs/heads/".length);
      const defaultBranch = repository.default_branch ?? "main";
      const pusher = (body["sender"] as { login?: string } | undefined)?.login ?? (body["pusher"] as { name?: string } | undefined)?.name ?? null;
      return { kind: "push", ...base, branch, before: String(body["before"] ?? ""), after, pusher, defaultBranch };
    }
    default:
      return { kind: "ignore", reason: `flowops does not handle ${eventName} events` };
  }
}

function rerequest(base: { installationId: number; owner: string; repo: string; cloneUrl: string }, pulls: { number: number }[] | undefined): WebhookRoute {
  const pullNumbers = (pulls ?? []).map((pull) => pull.number);
  if (pullNumbers.length === 0) return { kind: "ignore", reason: "the re-requested check belongs to no open pull request of this repository" };
  return { kind: "rerequest", ...base, pullNumbers };
}
