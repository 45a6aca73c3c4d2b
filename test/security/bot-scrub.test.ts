import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "@flowops/cli";
import { flowopsChecks, KestraTargets, runCiDeploy } from "@flowops/sync-bot";
import { captureIO, gitRepo } from "../support.js";
import { configYaml, FLOW, World } from "./harness.js";

// Real Git, real servers and child processes on a busy machine: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

/**
 * Issue 9, item 5: no credential in any text that leaves the process. Tokens with a line break
 * (undici then throws `Headers.append: "Bearer <token>" is an invalid header value`), non-ASCII,
 * `/`, `@` and `:`, and credentials in URLs, through the CLI's error output, the bot's logs, the
 * PR comment, the deployment status and the job summary.
 */
const NEWLINE_TOKEN = "tokA1b2C3d4\nE5f6G7h8-secret";
const NON_ASCII_TOKEN = "jeton-secret-€-ümlaut-9876";
const URL_PASSWORD = "p/ss@w:rd-Zq9";

function pieces(secret: string): string[] {
  return [secret, ...secret.split("\n"), encodeURIComponent(secret)];
}

function expectNoSecret(text: string, secrets: string[]): void {
  for (const secret of secrets) for (const piece of pieces(secret)) expect(text, `leaks ${JSON.stringify(piece)}`).not.toContain(piece);
}

describe("the CLI's error output", () => {
  let kestraUrl = "http://127.0.0.1:9";
  let world: World | null = null;
  beforeEach(async () => {
    world = await World.start();
    kestraUrl = world.kestra.url;
  }, 60_000);
  afterEach(async () => {
    await world?.stop();
  });

  async function platformDir(): Promise<string> {
    const { dir } = await gitRepo({
      "flowops.config.yaml": configYaml({ kestraUrl }),
      "tenants/customer_1.yaml": "code: customer_1\nname: One\n",
      "flows/bronze/a.yaml": FLOW("a"),
    });
    return dir;
  }

  it.each([NEWLINE_TOKEN, NON_ASCII_TOKEN])("flowops plan with KESTRA_TOKEN %j prints no part of it", async (token) => {
    const dir = await platformDir();
    const io = captureIO(dir, { KESTRA_TOKEN: token });
    const code = await main(["plan", "--env", "staging", "--cwd", dir], io);
    expect(code).not.toBe(0);
    expect(io.err()).not.toBe("");
    expectNoSecret(io.out() + io.err(), [token]);
  });

  it("flowops plan with a password holding / @ : in --kestra-url prints no part of it", async () => {
    const dir = await platformDir();
    const io = captureIO(dir, {});
    const code = await main(["plan", "--env", "staging", "--cwd", dir, "--kestra-url", `http://admin:${URL_PASSWORD}@127.0.0.1:9`], io);
    expect(code).not.toBe(0);
    expectNoSecret(io.out() + io.err(), [URL_PASSWORD, "p/ss", "w:rd-Zq9"]);
  });
});

describe("ci deploy: logs, comment, deployment status and job summary", () => {
  let w: World;
  beforeEach(async () => {
    w = await World.start();
  }, 60_000);
  afterEach(async () => {
    await w.stop();
  });

  it.each([NEWLINE_TOKEN, NON_ASCII_TOKEN])("a failed deploy with KESTRA_TOKEN %j publishes no part of it", async (token) => {
    await w.platform.commit("feature", "Add a flow", { "flows/bronze/new_flow.yaml": FLOW("new_flow") });
    const pull = await w.github.openPullRequest(w.repo, { head: "feature", author: "alice" });
    w.github.submitReview(w.repo, pull.number, "bob", "APPROVED");
    const merge = await w.github.mergePullRequest(w.repo, pull.number);
    const env = await w.actionsPushEnv({ before: merge.before, after: merge.after, pusher: "alice" }, { KESTRA_URL: w.kestra.url, KESTRA_TOKEN: token });
    expect(await runCiDeploy(env, "staging", { flowops: flowopsChecks({ kestra: KestraTargets.fromActions(env) }), log: w.log })).toBe(1);
    const published = [
      w.logLines.join("\n"),
      JSON.stringify(w.github.comments(w.repo)),
      JSON.stringify(w.github.deployments(w.repo)),
      await readFile(env["GITHUB_STEP_SUMMARY"]!, "utf8"),
    ].join("\n");
    expect(published).toMatch(/Nothing was deployed|failed/);
    expectNoSecret(published, [token, env["GITHUB_TOKEN"]!]);
  });
});
