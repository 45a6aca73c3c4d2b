import { describe, expect, it } from "vitest";
import { routeWebhook } from "./routing.js";

const repository = { name: "flows", owner: { login: "acme" }, clone_url: "https://github.com/acme/flows.git", default_branch: "main" };
const installation = { id: 9 };

describe("routeWebhook", () => {
  it("re-runs the flowops check run of this app only", () => {
    const run = (name: string, appId: number) => ({ action: "rerequested", check_run: { name, app: { id: appId }, pull_requests: [{ number: 4 }] }, repository, installation });
    expect(routeWebhook("check_run", run("flowops", 1), { appId: 1 })).toMatchObject({ kind: "rerequest", pullNumbers: [4] });
    expect(routeWebhook("check_run", run("flowops", 2), { appId: 1 })).toMatchObject({ kind: "ignore", reason: "the check run belongs to another app" });
    expect(routeWebhook("check_run", run("ci", 1), { appId: 1 })).toMatchObject({ kind: "ignore" });
  });

  it("ignores deliveries without an installation, a repository, or an object payload", () => {
    expect(routeWebhook("pull_request", { action: "opened", repository })).toMatchObject({ kind: "ignore", reason: expect.stringMatching(/installation/) });
    expect(routeWebhook("pull_request", { action: "opened", installation })).toMatchObject({ kind: "ignore", reason: expect.stringMatching(/repository/) });
    expect(routeWebhook("pull_request", "x")).toMatchObject({ kind: "ignore" });
  });

  it("routes a branch push with its pusher, and ignores a branch deletion", () => {
    const push = { ref: "refs/heads/main", before: "a".repeat(40), after: "b".repeat(40), deleted: false, sender: { login: "alice" }, repository, installation };
    expect(routeWebhook("push", push)).toMatchObject({ kind: "push", branch: "main", pusher: "alice", defaultBranch: "main", before: "a".repeat(40) });
    expect(routeWebhook("push", { ...push, deleted: true, after: "0".repeat(40) })).toMatchObject({ kind: "ignore", reason: "push deleted refs/heads/main" });
  });
});
