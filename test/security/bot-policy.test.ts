import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flowopsChecks, KestraTargets, runCiDeploy } from "@flowops/sync-bot";
import { AWS_COSTS } from "../github-double/platform.js";
import { configYaml, FLOW, KESTRA_PASSWORD, KESTRA_USERNAME, World } from "./harness.js";

// Real Git, real servers and child processes on a busy machine: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

/**
 * Issue 9, item 1: the deploy policy (approvals, allowed pushers, protected tenants, prune,
 * maxDeleteShare) must come from trusted history, never from the pusher's own commits. Real Git
 * repositories on the GitHub double, real force pushes, the real flowops packages and the Kestra
 * double: the attack is done, and nothing may reach Kestra.
 */
let w: World;
const credentials = { KESTRA_URL: "", KESTRA_USERNAME, KESTRA_PASSWORD };
const checks = () => flowopsChecks({ kestra: KestraTargets.fromActions({ ...credentials, KESTRA_URL: w.kestra.url }) });

beforeEach(async () => {
  w = await World.start();
}, 60_000);

afterEach(async () => {
  expect(w.github.violations).toEqual([]);
  await w.stop();
});

/** Mallory (a writer, not on deploy.allowedPushers) puts herself on the allow list in her own commit. */
function laxRepository(): Record<string, string> {
  return {
    "flowops.config.yaml": configYaml({ kestraUrl: w.kestra.url, allowedPushers: ["mallory"] }),
    "tenants/customer_1.yaml": "code: customer_1\nname: Customer One\n",
    "tenants/customer_2.yaml": "code: customer_2\nname: Customer Two\n",
    "flows/bronze/aws_costs.yaml": AWS_COSTS,
  };
}

describe("bot serve: policy after a force push", () => {
  it("refuses a force push over a never-deployed branch: the old tip is missing, so no policy can be trusted", async () => {
    await w.startBot(checks());
    const push = await w.forcePushNewHistory(laxRepository(), { "flows/bronze/evil.yaml": FLOW("evil") });
    expect(await w.deliverPush({ before: push.before, after: push.after, pusher: "mallory" })).toBe(202);
    expect(w.kestra.writeCount()).toBe(0);
    expect(w.github.deployments(w.repo)).toEqual([]);
    const [delivery] = w.bot!.deliveries;
    expect(delivery).toMatchObject({ status: "failed" });
    expect(delivery!.error).toMatch(/policy cannot be trusted.*not in the repository \(a force push/);
  });

  it("refuses a force push over a deployed commit: policy comes from the deployment, never from the pusher's parent commit", async () => {
    await w.startBot(checks());
    w.github.recordDeployment(w.repo, { sha: await w.mainTip(), environment: "staging", states: ["in_progress", "success"] });
    const push = await w.forcePushNewHistory(laxRepository(), { "flows/bronze/evil.yaml": FLOW("evil") });
    await w.deliverPush({ before: push.before, after: push.after, pusher: "mallory" });
    expect(w.kestra.writeCount()).toBe(0);
    expect(w.github.deployments(w.repo)).toHaveLength(1);
    const [delivery] = w.bot!.deliveries;
    const refused = delivery!.status === "failed" ? delivery!.error : delivery!.deploy?.decision?.reason;
    expect(delivery!.deploy?.status ?? "refused").toBe("refused");
    expect(refused).toMatch(/No merged pull request|approv|no longer in the repository/);
  });

  it("refuses the second of two pushes: a policy change pushed first is not trusted because it was never deployed", async () => {
    await w.startBot(checks());
    w.github.recordDeployment(w.repo, { sha: await w.mainTip(), environment: "staging", states: ["in_progress", "success"] });
    const first = await w.pushToMain("Put mallory on the allow list", { "flowops.config.yaml": laxRepository()["flowops.config.yaml"]! });
    await w.deliverPush({ ...first, pusher: "mallory" });
    const second = await w.pushToMain("Add a flow", { "flows/bronze/evil.yaml": FLOW("evil") });
    await w.deliverPush({ ...second, pusher: "mallory" });
    expect(w.bot!.deliveries.map((d) => d.deploy?.status)).toEqual(["refused", "refused"]);
    expect(w.kestra.writeCount()).toBe(0);
  });
});

describe("ci deploy: the same decision in GitHub Actions", () => {
  it("refuses the second of two pushes: policy from the last successful deployment, not from before", async () => {
    w.github.recordDeployment(w.repo, { sha: await w.mainTip(), environment: "staging", states: ["in_progress", "success"] });
    const first = await w.pushToMain("Put mallory on the allow list", { "flowops.config.yaml": laxRepository()["flowops.config.yaml"]! });
    const env1 = await w.actionsPushEnv({ ...first, pusher: "mallory" }, { ...credentials, KESTRA_URL: w.kestra.url });
    expect(await runCiDeploy(env1, "staging", { flowops: checks(), log: w.log })).toBe(1);
    const second = await w.pushToMain("Add a flow", { "flows/bronze/evil.yaml": FLOW("evil") });
    const env2 = await w.actionsPushEnv({ ...second, pusher: "mallory" }, { ...credentials, KESTRA_URL: w.kestra.url });
    expect(await runCiDeploy(env2, "staging", { flowops: checks(), log: w.log })).toBe(1);
    expect(w.kestra.writeCount()).toBe(0);
    expect(w.logLines.join("\n")).toMatch(/policy from [0-9a-f]{12}, the last successful deployment of staging/);
  });

  it("ignores a deployment GitHub Actions recorded for a job's environment (it succeeds even when flowops skipped the commit)", async () => {
    const first = await w.pushToMain("Put mallory on the allow list", { "flowops.config.yaml": laxRepository()["flowops.config.yaml"]! });
    w.github.recordDeployment(w.repo, { sha: first.after, environment: "staging", task: "deploy", states: ["in_progress", "success"] });
    const second = await w.pushToMain("Add a flow", { "flows/bronze/evil.yaml": FLOW("evil") });
    // No flowops deployment: the policy comes from `before` (an ancestor), which is the lax
    // commit here, so this shows only that the Actions deployment is not what was picked.
    const env = await w.actionsPushEnv({ ...second, pusher: "mallory" }, { ...credentials, KESTRA_URL: w.kestra.url });
    await runCiDeploy(env, "staging", { flowops: checks(), log: w.log });
    expect(w.logLines.join("\n")).toMatch(/the branch before this push/);
  });

  it("refuses a force push and says why; nothing reaches Kestra", async () => {
    const push = await w.forcePushNewHistory(laxRepository(), { "flows/bronze/evil.yaml": FLOW("evil") });
    const env = await w.actionsPushEnv({ ...push, pusher: "mallory" }, { ...credentials, KESTRA_URL: w.kestra.url });
    expect(await runCiDeploy(env, "staging", { flowops: checks(), log: w.log })).toBe(1);
    expect(w.kestra.writeCount()).toBe(0);
    expect(w.logLines.join("\n")).toMatch(/policy cannot be trusted/);
  });

  it("still deploys an approved merge, and the next deploy reads its policy from that deployment", async () => {
    await w.platform.commit("feature", "Add a flow", { "flows/bronze/good.yaml": FLOW("good") });
    const pull = await w.github.openPullRequest(w.repo, { head: "feature", author: "alice" });
    w.github.submitReview(w.repo, pull.number, "bob", "APPROVED");
    const merge = await w.github.mergePullRequest(w.repo, pull.number);
    const env = await w.actionsPushEnv({ before: merge.before, after: merge.after, pusher: "alice" }, { ...credentials, KESTRA_URL: w.kestra.url });
    expect(await runCiDeploy(env, "staging", { flowops: checks(), log: w.log })).toBe(0);
    expect(w.kestra.liveFlows().map((f) => f.id)).toContain("good");
    expect(w.github.deployments(w.repo).map((d) => [d.sha, d.task, d.statuses.at(-1)!.state])).toEqual([[merge.after, "deploy:flowops", "success"]]);
  });
});

describe("item 8: the rest of the policy is judged from trusted history too", () => {
  it("judges protected tenants by the namespaces a change writes into, not by the tenant a template was rendered for", async () => {
    await w.pushToMain("Protect customer_2", { "flowops.config.yaml": configYaml({ kestraUrl: w.kestra.url, protectedTenants: ["customer_2"] }) });
    // The allow-listed release bot pushes a template rendered only for customer_1 that writes into customer_2's namespace.
    const push = await w.pushToMain("A customer_1 flow", {
      "flows/bronze/sneaky.yaml": `$when: tenant.code == "customer_1"\nid: sneaky\nnamespace: customer_2.bronze\ntasks:\n  - id: say\n    type: io.kestra.plugin.core.log.Log\n    message: hello\n`,
    });
    const env = await w.actionsPushEnv({ ...push, pusher: "release-bot" }, { ...credentials, KESTRA_URL: w.kestra.url });
    expect(await runCiDeploy(env, "staging", { flowops: checks(), log: w.log })).toBe(1);
    expect(w.kestra.liveFlows().filter((f) => f.namespace.startsWith("customer_2"))).toEqual([]);
    expect(w.logLines.join("\n")).toMatch(/customer_2/);
  });

  it("takes maxDeleteShare and prune from the trusted commit: an approved PR cannot raise its own delete limit", async () => {
    await w.pushToMain("Prune, at most a quarter per deploy", {
      "flowops.config.yaml": configYaml({ kestraUrl: w.kestra.url, prune: true, maxDeleteShare: 0.25 }),
    });
    const approvedMerge = async (branch: string, files: Record<string, string>, remove: string[] = []) => {
      await w.platform.pullMain();
      await w.platform.commit(branch, `Change ${branch}`, files);
      for (const path of remove) await w.platform.dev.raw(["rm", "--quiet", path]);
      if (remove.length) {
        await w.platform.dev.raw(["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "remove flows"]);
        await w.platform.dev.raw(["push", "--quiet", "--force", "origin", branch]);
      }
      const pull = await w.github.openPullRequest(w.repo, { head: branch, author: "alice" });
      w.github.submitReview(w.repo, pull.number, "bob", "APPROVED");
      const merge = await w.github.mergePullRequest(w.repo, pull.number);
      const env = await w.actionsPushEnv({ before: merge.before, after: merge.after, pusher: "alice" }, { ...credentials, KESTRA_URL: w.kestra.url });
      return runCiDeploy(env, "staging", { flowops: checks(), log: w.log });
    };
    expect(await approvedMerge("more", { "flows/bronze/b.yaml": FLOW("b"), "flows/bronze/c.yaml": FLOW("c") })).toBe(0);
    expect(w.kestra.liveFlows()).toHaveLength(6);
    // Deletes 4 of 6 managed flows, and raises the limit in the same PR.
    const code = await approvedMerge(
      "shrink",
      { "flowops.config.yaml": configYaml({ kestraUrl: w.kestra.url, prune: true, maxDeleteShare: 1 }) },
      ["flows/bronze/b.yaml", "flows/bronze/c.yaml"],
    );
    expect(code).toBe(1);
    expect(w.kestra.liveFlows()).toHaveLength(6);
    expect(JSON.stringify(w.github.comments(w.repo))).toMatch(/25%/);
  });
});
