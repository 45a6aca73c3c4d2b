import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBotServer, flowopsChecks, KestraTargets, type BotServer } from "@flowops/sync-bot";
import { signature256 } from "../github-double/events.js";
import { APP_ID, appPrivateKey, WEBHOOK_SECRET } from "./harness.js";

// Real Git, real servers and child processes on a busy machine: generous limits, no timing assertions.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

/**
 * Issue 9, item 6 (webhook part): the server judges a delivery by its headers before reading a
 * byte of its body, caps the body bytes read at once, keeps timeouts short, and answers a signed
 * but malformed payload with 400. (Its memory under a flood of 150 x 24 MB is measured by
 * `npm run bench -- --scenario webhook-flood`.)
 */
let bot: BotServer;
let port: number;
let logLines: string[];

async function start(options: { maxInFlightBodyBytes?: number } = {}): Promise<void> {
  logLines = [];
  bot = createBotServer({
    appId: APP_ID,
    privateKey: appPrivateKey(),
    webhookSecret: WEBHOOK_SECRET,
    flowops: flowopsChecks({ kestra: KestraTargets.fromActions({ KESTRA_URL: "http://127.0.0.1:1" }) }),
    baseUrl: "http://127.0.0.1:1",
    catchUpIntervalMs: 0,
    log: { info: (m) => logLines.push(m), warn: (m) => logLines.push(m), error: (m) => logLines.push(m) },
    ...options,
  });
  port = await bot.listen(0);
}

beforeEach(() => start());
afterEach(async () => {
  await bot.close();
});

/**
 * Sends the headers and only `sent` bytes of a body announced as `length` bytes, then waits for
 * the answer: a server that read the body first would never answer.
 */
function partialPost(headers: Record<string, string>, length: number, sent: number): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path: "/api/github/webhooks", headers: { "content-length": String(length), ...headers } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.write(Buffer.alloc(sent, 0x20));
    // Never ended: the rest of the body does not come.
  });
}

const JSON_HEADERS = { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "d-1" };

describe("the webhook server refuses before reading", () => {
  it("answers 401 to a request without X-Hub-Signature-256 while its 24 MB body is still unsent", async () => {
    const answer = await partialPost(JSON_HEADERS, 24 * 1024 * 1024, 1024);
    expect(answer.status).toBe(401);
    expect(answer.headers.connection).toBe("close");
    expect(answer.body).toContain("missing X-Hub-Signature-256");
  });

  it("answers 415 to a body that is not JSON, and 413 to a Content-Length over 25 MB, before reading", async () => {
    expect((await partialPost({ ...JSON_HEADERS, "content-type": "application/x-www-form-urlencoded", "x-hub-signature-256": "sha256=00" }, 1000, 10)).status).toBe(415);
    expect((await partialPost({ ...JSON_HEADERS, "x-hub-signature-256": "sha256=00" }, 26 * 1024 * 1024, 10)).status).toBe(413);
  });

  it("caps the body bytes read at once across requests: past the cap, 503 with Retry-After", async () => {
    await bot.close();
    await start({ maxInFlightBodyBytes: 3 * 1024 * 1024 });
    const signed = { ...JSON_HEADERS, "x-hub-signature-256": "sha256=00" };
    // Two deliveries of 1.2 MB each are being read (their bodies never finish)...
    const hanging = [partialPost(signed, 1_200_000, 100), partialPost(signed, 1_200_000, 100)];
    await new Promise((resolve) => setTimeout(resolve, 300));
    // ...so a third that would pass 3 MB is refused without being read.
    const third = await partialPost(signed, 1_200_000, 100);
    expect(third.status).toBe(503);
    expect(third.headers["retry-after"]).toBe("10");
    expect(logLines.join("\n")).toMatch(/body bytes already being read; answered 503/);
    bot.server.closeAllConnections();
    await Promise.allSettled(hanging);
  });

  it("uses header and request timeouts well below Node's defaults", () => {
    expect(bot.server.headersTimeout).toBeLessThanOrEqual(10_000);
    expect(bot.server.requestTimeout).toBeLessThanOrEqual(30_000);
  });

  it("answers 400 and logs a signed pull_request event without its pull_request object, never 500", async () => {
    const body = JSON.stringify({ action: "opened", number: 1, installation: { id: 1 }, repository: { name: "flows", owner: { login: "acme" }, clone_url: "http://127.0.0.1:1/acme/flows.git" } });
    const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "d-2", "x-hub-signature-256": signature256(body, WEBHOOK_SECRET) },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "the pull_request payload is malformed" });
    expect(logLines.join("\n")).toMatch(/delivery d-2 \(pull_request\): malformed payload refused/);
  });
});
