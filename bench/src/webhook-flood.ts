import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Figure, Scenario } from "./scenarios.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "packages", "cli", "bin", "flowops.js");
const REQUESTS = 150;
const BODY_BYTES = 24 * 1024 * 1024;

/**
 * `flowops bot serve` as its own process while 150 requests announcing 24 MB bodies arrive at
 * once: first unsigned, then with a (wrong) signature header, which passes the header checks
 * and meets the in-flight body cap. The figure is the server's peak RSS (VmHWM in /proc).
 */
export const webhookFloodScenario: Scenario = {
  name: "webhook-flood",
  description: `bot serve under ${REQUESTS} concurrent ${BODY_BYTES / 1024 / 1024} MB webhook requests`,
  async run(): Promise<Figure[]> {
    const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const child = spawn(process.execPath, [CLI, "bot", "serve", "--port", "0"], {
      env: { PATH: process.env["PATH"] ?? "", GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: privateKey, GITHUB_WEBHOOK_SECRET: "bench-secret", KESTRA_URL: "http://127.0.0.1:1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let text = "";
        child.stderr!.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
          const match = /listening on port (\d+)/.exec(text);
          if (match) resolve(Number(match[1]));
        });
        child.once("exit", (code) => reject(new Error(`bot serve exited with ${code}: ${text}`)));
      });
      const body = Buffer.alloc(BODY_BYTES, 0x20);
      const baseline = peakRss(child.pid!);
      const unsigned = await flood(port, body, {});
      const signed = await flood(port, body, { "x-hub-signature-256": "sha256=" + "0".repeat(64) });
      return [
        { name: "server RSS at start", value: baseline, unit: "MB" },
        { name: `unsigned: answers 401`, value: unsigned.get(401) ?? 0, unit: "count" },
        { name: `wrong signature: answers 401 (read, verified)`, value: signed.get(401) ?? 0, unit: "count" },
        { name: `wrong signature: answers 503 (past the in-flight cap)`, value: signed.get(503) ?? 0, unit: "count" },
        { name: `other outcomes (connection closed mid-body)`, value: [...unsigned, ...signed].filter(([status]) => status !== 401 && status !== 503).reduce((sum, [, n]) => sum + n, 0), unit: "count" },
        { name: "bot serve peak memory (VmHWM)", value: peakRss(child.pid!), unit: "MB", target: 300 },
      ];
    } finally {
      child.kill("SIGKILL");
    }
  },
};

/** Sends REQUESTS posts at once, each announcing and writing `body`; counts the answers by status (0: no answer). */
async function flood(port: number, body: Buffer, headers: Record<string, string>): Promise<Map<number, number>> {
  const statuses = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      new Promise<number>((resolve) => {
        const req = request(
          { host: "127.0.0.1", port, method: "POST", path: "/api/github/webhooks", headers: { "content-type": "application/json", "content-length": String(body.length), "x-github-event": "push", "x-github-delivery": `flood-${i}`, ...headers } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
            res.on("error", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", () => resolve(0));
        req.end(body);
      }),
    ),
  );
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return counts;
}

function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
