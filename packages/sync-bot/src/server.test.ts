import { createHmac, generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBotServer, type BotServer } from "./server.js";
import type { FlowopsChecks } from "./types.js";

const SECRET = "webhook-secret-for-tests";
// `ping` with no installation: routed to "ignore", so a delivery that passes the signature check
// is answered 200 without any call to GitHub.
const BODY = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1, repository: { name: "platform", owner: { login: "acme" }, clone_url: "https://github.com/acme/platform.git" } });

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

const unused = (): never => {
  throw new Error("no flowops work is expected in these tests");
};
const flowops: FlowopsChecks = { readPolicy: unused, lint: unused, impact: unused, deploy: unused, drift: unused };

describe("webhook signature check", () => {
  let bot: BotServer;
  let url: string;
  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    bot = createBotServer({ appId: 1, privateKey, webhookSecret: SECRET, flowops, catchUpIntervalMs: 0, log: quiet });
    const port = await bot.listen(0, "127.0.0.1");
    url = `http://127.0.0.1:${port}/api/github/webhooks`;
  });
  afterAll(async () => {
    await bot.close();
  });

  const deliver = (body: string, signature: string | undefined) =>
    fetch(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "d-1", ...(signature !== undefined ? { "x-hub-signature-256": signature } : {}) },
    });

  it("accepts the HMAC-SHA256 of the exact body under the webhook secret", async () => {
    const response = await deliver(BODY, sign(BODY));
    expect(response.status).toBe(200);
  });

  it.each([
    ["no signature", BODY, undefined],
    ["an empty signature", BODY, ""],
    ["another secret's signature", BODY, sign(BODY, "another-secret")],
    ["a body changed after signing", BODY.replace("awesome", "awesome!"), sign(BODY)],
    ["a body re-serialised after signing", JSON.stringify(JSON.parse(BODY), null, 1), sign(BODY)],
    ["a SHA-1 signature in the SHA-256 header", BODY, `sha1=${createHmac("sha1", SECRET).update(BODY).digest("hex")}`],
    ["the digest without its sha256= prefix", BODY, sign(BODY).slice("sha256=".length)],
    ["a truncated digest", BODY, sign(BODY).slice(0, -8)],
    ["a digest with one character changed", BODY, sign(BODY).slice(0, -1) + (sign(BODY).endsWith("0") ? "1" : "0")],
    ["the signature of an empty body", BODY, sign("")],
  ])("refuses %s with 401 before reading the payload", async (_what, body, signature) => {
    const response = await deliver(body, signature);
    expect(response.status).toBe(401);
    expect(bot.deliveries).toHaveLength(0);
  });
});
