// Issue 9, item 6 (Kestra part): unbounded input from a Kestra server. A 3 GB answer on
// `/api/v1/configs` aborted the process (read whole), and paging never stopped while a server kept
// returning non-empty pages. Answers must be read up to a size limit and paging must stop at the
// reported total and at a page cap, each failing with a clear error naming the URL path and limit.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { main } from "@flowops/cli";
import { DEFAULT_MAX_PAGES, KestraApiError, KestraClient } from "@flowops/kestra";
import { afterEach, describe, expect, it, vi } from "vitest";
import { captureIO, gitRepo } from "../support.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const MIB = 1024 * 1024;
const GB = 1024 * MIB;

interface Hostile {
  url: string;
  /** Bytes handed to the socket per path before the client went away or the answer ended. */
  sent: Map<string, number>;
  requests: string[];
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server on 127.0.0.1 that answers each request with `handler`. */
async function hostile(handler: (request: IncomingMessage, response: ServerResponse, server: Hostile) => void): Promise<Hostile> {
  const state: Hostile = { url: "", sent: new Map(), requests: [] };
  const server = createServer((request, response) => {
    state.requests.push(`${request.method} ${request.url}`);
    handler(request, response, state);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** Streams `total` bytes (a JSON string that never closes), honouring back-pressure, until the client leaves. */
function stream(response: ServerResponse, state: Hostile, path: string, total: number, headers: Record<string, string> = {}): void {
  response.writeHead(200, { "Content-Type": "application/json", ...headers });
  const chunk = Buffer.alloc(MIB, 0x61);
  let sent = 0;
  let gone = false;
  response.on("close", () => (gone = true));
  response.write('{"version":"');
  const pump = (): void => {
    while (!gone && sent < total) {
      sent += chunk.length;
      state.sent.set(path, sent);
      if (!response.write(chunk)) return void response.once("drain", pump);
    }
    if (!gone) response.end('"}');
  };
  pump();
}

function json(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { "Content-Type": "application/json" });
  response.end(JSON.stringify(body));
}

async function failure(promise: Promise<unknown>): Promise<KestraApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KestraApiError);
  return error as KestraApiError;
}

describe("answers are read up to a size limit", () => {
  it("a 3 GB streamed answer on /api/v1/configs fails at 16 MiB, is not retried, and is not read on", async () => {
    const server = await hostile((request, response, state) => stream(response, state, "/api/v1/configs", 3 * GB));
    const client = new KestraClient({ url: server.url, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const error = await failure(client.serverInfo());
    expect(error.message).toContain(`GET ${server.url}/api/v1/configs answered more than 16 MiB, the limit for this request`);
    expect(server.requests).toEqual(["GET /api/v1/configs"]);
    // The client stopped reading: what the server managed to hand over stays near the limit.
    expect(server.sent.get("/api/v1/configs")!).toBeLessThan(256 * MIB);
  });

  it("an answer announcing 3 GB is refused before its body is read", async () => {
    const server = await hostile((request, response, state) => stream(response, state, "/api/v1/configs", 3 * GB, { "Content-Length": String(3 * GB) }));
    const error = await failure(new KestraClient({ url: server.url }).serverInfo());
    expect(error.message).toContain("/api/v1/configs answered more than 16 MiB");
    expect(server.sent.get("/api/v1/configs")!).toBeLessThan(256 * MIB);
  });

  it("flowops plan fails with the path and limit, and deploys nothing", async () => {
    const server = await hostile((request, response, state) => stream(response, state, "/api/v1/configs", 3 * GB));
    const { dir } = await gitRepo({
      "flowops.config.yaml": "environments:\n  staging: {}\n",
      "flows/bronze/usage.yaml": "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
      "tenants/acme.yaml": "code: acme\n",
    });
    const io = captureIO(dir, {});
    const code = await main(["plan", "--env", "staging", "--kestra-url", server.url], io);
    expect(code).not.toBe(0);
    expect(io.out() + io.err()).toContain("/api/v1/configs answered more than 16 MiB");
    expect(server.requests.every((r) => r.startsWith("GET "))).toBe(true);
  });

  it("the pulled flow schema may be large, up to 64 MiB", async () => {
    const server = await hostile((request, response, state) => {
      if (request.url === "/api/v1/configs") return json(response, { version: "1.0.3", edition: "OSS" });
      stream(response, state, "schema", 3 * GB);
    });
    const error = await failure(new KestraClient({ url: server.url }).getFlowSchema());
    expect(error.message).toContain(`GET ${server.url}/api/v1/plugins/schemas/flow answered more than 64 MiB`);
    expect(server.sent.get("schema")!).toBeGreaterThan(64 * MIB);
    expect(server.sent.get("schema")!).toBeLessThan(512 * MIB);
  });
});

describe("paging stops", () => {
  /** A search that claims `total` flows and hands out fresh ones on every page, for ever. */
  async function endlessSearch(total: number): Promise<Hostile> {
    let next = 0;
    return hostile((request, response) => {
      if (request.url === "/api/v1/configs") return json(response, { version: "1.0.3", edition: "OSS" });
      const results = Array.from({ length: 2 }, () => ({ namespace: "acme.bronze", id: `flow_${next++}`, revision: 1, labels: [] }));
      json(response, { total, results });
    });
  }

  it("at the page cap, with a clear error, when the server never runs out", async () => {
    const server = await endlessSearch(1e12);
    const client = new KestraClient({ url: server.url, pageSize: 2 });
    const error = await failure(client.listFlows({ namespacePrefix: "acme" }));
    expect(error.message).toContain(`GET ${server.url}/api/v1/main/flows/search still had results after ${DEFAULT_MAX_PAGES} pages of 2`);
    expect(server.requests.filter((r) => r.includes("/flows/search"))).toHaveLength(DEFAULT_MAX_PAGES);
  });

  it("at the reported total, even when more pages would come", async () => {
    const server = await endlessSearch(5);
    const flows = await new KestraClient({ url: server.url, pageSize: 2 }).listFlows({ namespacePrefix: "acme" });
    expect(flows).toHaveLength(6);
    expect(server.requests.filter((r) => r.includes("/flows/search"))).toHaveLength(3);
  });
});
