import { createHmac } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);

export interface WebhookExampleGroup {
  name: string;
  actions: string[];
  examples: Record<string, unknown>[];
}

/** GitHub's own example webhook payloads (`@octokit/webhooks-examples`). */
export function webhookExamples(): WebhookExampleGroup[] {
  return require("@octokit/webhooks-examples") as WebhookExampleGroup[];
}

function example(event: string, action?: string): Record<string, unknown> {
  const group = webhookExamples().find((g) => g.name === event);
  const found = group?.examples.find((e) => action === undefined || e["action"] === action);
  if (!found) throw new Error(`no @octokit/webhooks-examples payload for ${event}${action ? `.${action}` : ""}`);
  return structuredClone(found);
}

/** A pull_request payload: GitHub's example with this repository, PR, installation and shas. */
export function pullRequestEvent(action: "opened" | "synchronize" | "reopened" | "closed", repository: Record<string, unknown>, pull: Record<string, unknown>, installationId?: number): Record<string, unknown> {
  const payload = example("pull_request", action === "synchronize" ? "synchronize" : action === "closed" ? "closed" : action);
  const examplePull = payload["pull_request"] as Record<string, unknown>;
  const pullHead = pull["head"] as Record<string, unknown>;
  const pullBase = pull["base"] as Record<string, unknown>;
  payload["number"] = pull["number"];
  payload["pull_request"] = {
    ...examplePull,
    ...pull,
    head: { ...(examplePull["head"] as object), ...pullHead },
    base: { ...(examplePull["base"] as object), ...pullBase },
  };
  payload["repository"] = { ...(payload["repository"] as object), ...repository };
  if (installationId !== undefined) payload["installation"] = { id: installationId, node_id: "MDIz" };
  else delete payload["installation"];
  return payload;
}

/** A push payload for a branch: GitHub's example with these shas, pusher and repository. */
export function pushEvent(options: { ref: string; before: string; after: string; pusher: string; repository: Record<string, unknown>; installationId?: number }): Record<string, unknown> {
  const payload = example("push");
  payload["ref"] = options.ref;
  payload["before"] = options.before;
  payload["after"] = options.after;
  payload["created"] = false;
  payload["deleted"] = false;
  payload["pusher"] = { name: options.pusher, email: `${options.pusher}@example.com` };
  payload["sender"] = { ...(payload["sender"] as object), login: options.pusher };
  payload["repository"] = { ...(payload["repository"] as object), ...options.repository };
  if (options.installationId !== undefined) payload["installation"] = { id: options.installationId, node_id: "MDIz" };
  return payload;
}

/** `sha256=<hex>` over the exact bytes, as GitHub signs deliveries. */
export function signature256(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * The variables GitHub Actions gives a step, with the event payload written where
 * `GITHUB_EVENT_PATH` points (inside `scratch`, named after `run`).
 */
export async function actionsEnvironment(options: {
  eventName: string;
  payload: unknown;
  repository: string;
  apiUrl: string;
  token: string;
  workspace: string;
  sha: string;
  scratch: string;
  run: number;
  runId: string;
}): Promise<NodeJS.ProcessEnv> {
  const eventPath = join(options.scratch, `event-${options.run}.json`);
  await writeFile(eventPath, JSON.stringify(options.payload));
  return {
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: options.repository,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_TOKEN: options.token,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_SHA: options.sha,
    GITHUB_STEP_SUMMARY: join(options.scratch, `summary-${options.run}.md`),
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: options.runId,
  };
}
