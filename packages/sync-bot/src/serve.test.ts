import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { botOptionsFromEnv } from "./serve.js";

describe("botOptionsFromEnv", () => {
  it("names every missing setting", async () => {
    await expect(botOptionsFromEnv({})).rejects.toThrow("set GITHUB_APP_ID, GITHUB_WEBHOOK_SECRET, GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_PATH");
  });

  it("reads the key from a file and the optional settings", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-serve-"));
    try {
      await writeFile(join(dir, "key.pem"), "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n");
      const options = await botOptionsFromEnv({
        GITHUB_APP_ID: "123",
        GITHUB_WEBHOOK_SECRET: "s",
        GITHUB_APP_PRIVATE_KEY_PATH: join(dir, "key.pem"),
        GITHUB_API_URL: "https://ghe.example.com/api/v3",
        FLOWOPS_DEPLOY_BRANCHES: "release, prod",
        FLOWOPS_BOT_CATCHUP_INTERVAL: "60",
      });
      expect(options).toMatchObject({ appId: 123, webhookSecret: "s", baseUrl: "https://ghe.example.com/api/v3", deployBranches: ["release", "prod"], catchUpIntervalMs: 60_000 });
      expect(options.privateKey).toContain("BEGIN RSA PRIVATE KEY");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("turns literal \\n of a one-line key into newlines, and refuses a non-numeric id", async () => {
    const options = await botOptionsFromEnv({ GITHUB_APP_ID: "1", GITHUB_WEBHOOK_SECRET: "s", GITHUB_APP_PRIVATE_KEY: "-----BEGIN-----\\nabc\\n-----END-----" });
    expect(options.privateKey).toBe("-----BEGIN-----\nabc\n-----END-----");
    await expect(botOptionsFromEnv({ GITHUB_APP_ID: "1", GITHUB_WEBHOOK_SECRET: "s", GITHUB_APP_PRIVATE_KEY: "k", FLOWOPS_BOT_CATCHUP_INTERVAL: "5m" })).rejects.toThrow(/FLOWOPS_BOT_CATCHUP_INTERVAL must be a whole number of seconds.*got 5m/);
    expect((await botOptionsFromEnv({ GITHUB_APP_ID: "1", GITHUB_WEBHOOK_SECRET: "s", GITHUB_APP_PRIVATE_KEY: "k", FLOWOPS_BOT_CATCHUP_INTERVAL: "0" })).catchUpIntervalMs).toBe(0);
    await expect(botOptionsFromEnv({ GITHUB_APP_ID: "my-app", GITHUB_WEBHOOK_SECRET: "s", GITHUB_APP_PRIVATE_KEY: "k" })).rejects.toThrow(/numeric id, got my-app/);
  });
});
