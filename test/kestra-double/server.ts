import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { crc32 } from "node:zlib";
import { FlowStore, flowJson, sameSourceAsKestra } from "./store.js";
import type { StoredRevision } from "./store.js";
import { labelPairs, parseFlowSource } from "./validate.js";
import { ApiError, ExecutionStore, historyExecutions, routeExecutionApi } from "./executions.js";
import type { HistoryOptions, SeedExecution, SeedTriggerState } from "./executions.js";
import type { Violation } from "./validate.js";

/** Fault injection: rates are chances per matching request (0..1). */
export interface KestraDoubleFaults {
  /** Methods the faults apply to; default every method. */
  methods?: string[];
  /** Only paths matching this (path without query); default every path but `/api/v1/configs`. */
  pathPattern?: RegExp;
  /** Answer 503 with a Kestra error body. */
  serverErrorRate?: number;
  /** Answer 429 with `Retry-After`. */
  rateLimitRate?: number;
  retryAfterSeconds?: number;
  /** Hold the answer for `slowMs` (meant to exceed the client's timeout). */
  slowRate?: number;
  slowMs?: number;
  /** Destroy the connection without an answer. */
  dropRate?: number;
  /**
   * Share of injected 5xx/drops on writes that happen after the write was applied: the client
   * sees a failure although Kestra stored the change (the ambiguous case for creates).
   */
  afterWriteShare?: number;
}

export type FaultKind = "5xx" | "429" | "slow" | "drop";

export interface QueuedFault {
  kind: FaultKind;
  /** Methods it may hit; default any. */
  methods?: string[];
  pathPattern?: RegExp;
  /** Apply the request first, then fail (writes only). */
  afterWrite?: boolean;
}

const DEFAULT_FLOW_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $ref: "#/definitions/io.kestra.core.models.flows.Flow",
  definitions: {
    "io.kestra.core.models.flows.Flow": { type: "object", required: ["id", "namespace", "tasks"], properties: { id: { type: "string" }, namespace: { type: "string" }, tasks: { type: "array" } } },
  },
};

export interface KestraDoubleOptions {
  /** Server version reported by `/api/v1/configs`; default `1.0.3`. Before 0.23: `/api/v1/flows` routing. */
  version?: string;
  edition?: "OSS" | "EE";
  /** EE tenants; OSS always has `main` only. */
  tenants?: string[];
  /** OSS 0.23+: serve `/api/v1/flows...` as `/api/v1/main/flows...` (TenantAliasingRooter). Default true. */
  aliasLegacyPaths?: boolean;
  /** Basic-auth credentials; when unset, the API is open. */
  basicAuth?: { username: string; password: string };
  /** Bearer tokens accepted (EE API tokens). */
  bearerTokens?: string[];
  /** Added before every answer, in ms. */
  latencyMs?: number;
  faults?: KestraDoubleFaults;
  /** Seed of the fault dice, for repeatable runs. */
  seed?: number;
  /** A task/trigger `type` outside these prefixes gets `Invalid type` (422). Default `io.kestra.`. */
  knownTypePrefixes?: string[];
  /** Reject unknown properties on PUT too (U21/D20); default false, the T103 behaviour. */
  strictUpdate?: boolean;
  /** Largest page `flows/search` returns, whatever `size` asks (some servers cap it). */
  maxPageSize?: number;
  /** What `GET /api/v1/plugins/schemas/flow` serves (KESTRA-API.md §9); default a small draft-07 schema. */
  flowSchema?: Record<string, unknown>;
  /** Called for every request before it is handled (after latency), e.g. to stop a process mid-deploy. */
  onRequest?: (request: { method: string; path: string }) => void;
  /** The server's clock (the default 8-day window, running durations); default the real time. */
  now?: () => Date;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number | "dropped";
  fault?: FaultKind;
  contentType?: string;
  authorization?: string;
  /** `namespace/id` of the flow a create, read, update or delete was about, when known. */
  flow?: string;
}

/** A running double; see {@link startKestraDouble}. */
export interface KestraDouble {
  /** e.g. `http://127.0.0.1:43121` */
  readonly url: string;
  readonly port: number;
  /** Every request answered (or dropped), in order. */
  readonly requests: readonly LoggedRequest[];
  /** Requests by method, e.g. `{ GET: 3, POST: 1 }`. */
  countByMethod(): Record<string, number>;
  /** Flow writes received: POST/PUT/DELETE on flows, not counting the read-only export. */
  writeCount(): number;
  resetRequests(): void;
  setFaults(faults: KestraDoubleFaults | undefined): void;
  /** Queue faults hitting the next matching requests, one each, in order. */
  queueFaults(...faults: QueuedFault[]): void;
  setLatency(ms: number): void;
  /** Store a flow directly (as if made in the UI), bypassing HTTP and faults. */
  seedFlow(source: string, tenant?: string): Record<string, unknown>;
  /** The live flow (latest, not deleted) with its source, or undefined. */
  liveFlow(namespace: string, id: string, tenant?: string): (Record<string, unknown> & { source: string; revision: number }) | undefined;
  /** Every live flow of a tenant with its source. */
  liveFlows(tenant?: string): { namespace: string; id: string; revision: number; source: string; labels: [string, string][] }[];
  revisions(namespace: string, id: string, tenant?: string): { revision: number; deleted: boolean; source: string }[];
  /** Store executions directly (see executions.ts); returns their ids. */
  seedExecutions(executions: readonly SeedExecution[], tenant?: string): string[];
  /** Seed one execution per cron slot of each flow in a window (a generated history); returns how many. */
  seedHistory(options: HistoryOptions, tenant?: string): number;
  /** Set a trigger's runtime state (`triggerContext` / `state`). */
  setTriggerState(state: SeedTriggerState, tenant?: string): void;
  /** Executions stored for a tenant. */
  executionCount(tenant?: string): number;
  close(): Promise<void>;
}

interface Route {
  tenant: string;
  /** Path after `{base}/flows`, e.g. `/search`, `/ns/id`, `` */
  rest: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** Starts a Kestra API double on 127.0.0.1 at a random port (KESTRA-API.md §11). */
export async function startKestraDouble(options: KestraDoubleOptions = {}): Promise<KestraDouble> {
  const version = options.version ?? "1.0.3";
  const [major = 0, minor = 0] = version.split(/[.-]/).map(Number);
  const tenantInPath = major > 0 || minor >= 23;
  const hasFilters = major > 0 || minor >= 22;
  const hasLegacySearch = major < 2;
  const edition = options.edition ?? "OSS";
  const tenants = edition === "OSS" ? ["main"] : (options.tenants ?? ["main"]);
  const aliasLegacy = options.aliasLegacyPaths ?? true;
  const knownTypePrefixes = options.knownTypePrefixes ?? ["io.kestra."];
  const store = new FlowStore();
  const executionStores = new Map<string, ExecutionStore>();
  const executionsOf = (tenant: string): ExecutionStore => {
    let found = executionStores.get(tenant);
    if (!found) {
      found = new ExecutionStore();
      executionStores.set(tenant, found);
    }
    return found;
  };
  const now = (): number => (options.now ? options.now().getTime() : Date.now());
  const requests: LoggedRequest[] = [];
  let faults = options.faults;
  const queued: QueuedFault[] = [];
  let latencyMs = options.latencyMs ?? 0;
  let seed = options.seed ?? 42;
  const sockets = new Set<Socket>();

  // mulberry32: small, seeded, good enough for fault dice.
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const tenantIdFor = (tenant: string): string | undefined => (tenantInPath ? tenant : undefined);

  function resolveRoute(path: string): Route | undefined {
    const segments = path.split("/");
    // ["", "api", "v1", ...]
    if (segments[1] !== "api" || segments[2] !== "v1") return undefined;
    const flowsAt = (index: number): string | undefined => (segments[index] === "flows" ? "/" + segments.slice(index + 1).join("/") : undefined);
    if (!tenantInPath) {
      const rest = flowsAt(3);
      return rest === undefined ? undefined : { tenant: "main", rest: rest === "/" ? "" : rest };
    }
    const tenantRest = flowsAt(4);
    if (tenantRest !== undefined) {
      const tenant = decodeURIComponent(segments[3] ?? "");
      if (!tenants.includes(tenant)) {
        if (edition === "OSS") throw new HttpError(400, errorBody(path, "Tenant must be 'main' for OSS version", []));
        throw new HttpError(404, errorBody(path, `Not Found: tenant '${tenant}' does not exist`, []));
      }
      return { tenant, rest: tenantRest === "/" ? "" : tenantRest };
    }
    const legacyRest = flowsAt(3);
    if (legacyRest !== undefined && edition === "OSS" && aliasLegacy) return { tenant: "main", rest: legacyRest === "/" ? "" : legacyRest };
    return undefined;
  }

  /** `{base}/executions/...` and `{base}/triggers/...`: the tenant and the path after `{base}`. */
  function executionApiRoute(path: string): Route | undefined {
    const match = (tenantInPath ? /^\/api\/v1\/([^/]+)(\/(?:executions|triggers)\/.*)$/ : /^\/api\/v1()(\/(?:executions|triggers)\/.*)$/).exec(path);
    if (!match) return undefined;
    const tenant = tenantInPath ? decodeURIComponent(match[1]!) : "main";
    if (!tenants.includes(tenant)) {
      if (edition === "OSS") throw new HttpError(400, errorBody(path, "Tenant must be 'main' for OSS version", []));
      throw new HttpError(404, errorBody(path, `Not Found: tenant '${tenant}' does not exist`, []));
    }
    return { tenant, rest: match[2]! };
  }

  function checkAuth(request: IncomingMessage, path: string): void {
    if (!options.basicAuth && !options.bearerTokens) return;
    const header = request.headers.authorization ?? "";
    if (options.basicAuth && header.startsWith("Basic ")) {
      const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
      if (decoded === `${options.basicAuth.username}:${options.basicAuth.password}`) return;
    }
    if (options.bearerTokens && header.startsWith("Bearer ") && options.bearerTokens.includes(header.slice(7))) return;
    throw new HttpError(401, errorBody(path, "Unauthorized", []), { "WWW-Authenticate": 'Basic realm="Kestra"' });
  }

  function pickFault(method: string, path: string): QueuedFault | undefined {
    const index = queued.findIndex((f) => (!f.methods || f.methods.includes(method)) && (!f.pathPattern || f.pathPattern.test(path)));
    if (index >= 0) return queued.splice(index, 1)[0];
    if (!faults) return undefined;
    if (faults.methods && !faults.methods.includes(method)) return undefined;
    if (faults.pathPattern ? !faults.pathPattern.test(path) : path === "/api/v1/configs") return undefined;
    const afterWrite = random() < (faults.afterWriteShare ?? 0);
    if (random() < (faults.dropRate ?? 0)) return { kind: "drop", afterWrite };
    if (random() < (faults.rateLimitRate ?? 0)) return { kind: "429" };
    if (random() < (faults.serverErrorRate ?? 0)) return { kind: "5xx", afterWrite };
    if (random() < (faults.slowRate ?? 0)) return { kind: "slow" };
    return undefined;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", "http://double");
    const path = url.pathname;
    const body = await readBody(request);
    if (latencyMs > 0) await sleep(latencyMs);
    options.onRequest?.({ method, path });
    const log: LoggedRequest = { method, path, query: url.search, status: 0 };
    if (request.headers["content-type"]) log.contentType = request.headers["content-type"];
    if (request.headers.authorization) log.authorization = request.headers.authorization;
    const flow = flowOf(method, path, body.toString("utf8"));
    if (flow) log.flow = flow;
    requests.push(log);

    const fault = pickFault(method, path);
    if (fault) log.fault = fault.kind;
    const isWrite = method !== "GET" && !path.endsWith("/export/by-ids");
    if (fault && !(fault.afterWrite && isWrite)) {
      if (fault.kind === "drop") {
        log.status = "dropped";
        request.socket.destroy();
        return;
      }
      if (fault.kind === "429") {
        const seconds = faults?.retryAfterSeconds ?? 0;
        return send(response, log, 429, errorBody(path, "Too Many Requests", []), { "Retry-After": String(seconds) });
      }
      if (fault.kind === "5xx") return send(response, log, 503, errorBody(path, "Service Unavailable", []));
      if (fault.kind === "slow") await sleep(faults?.slowMs ?? 5000);
    }

    let status: number;
    let payload: unknown;
    let headers: Record<string, string> = {};
    try {
      [status, payload] = route(method, path, url.searchParams, body, request);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      status = error.status;
      payload = error.body;
      headers = error.headers;
    }
    if (fault?.afterWrite && isWrite) {
      if (fault.kind === "drop") {
        log.status = "dropped";
        request.socket.destroy();
        return;
      }
      return send(response, log, 503, errorBody(path, "Service Unavailable", []));
    }
    send(response, log, status, payload, headers);
  }

  function route(method: string, path: string, query: URLSearchParams, body: Buffer, request: IncomingMessage): [number, unknown] {
    if (path === "/api/v1/configs" && method === "GET") {
      const config: Record<string, unknown> = { uuid: "flowops-double", version, commitId: "double", isBasicAuthInitialized: Boolean(options.basicAuth) };
      if (major >= 1) config.edition = edition;
      return [200, config];
    }
    // The authentication filter covers /api/v1/** before routing (KESTRA-API.md §6).
    if (path.startsWith("/api/v1/")) checkAuth(request, path);
    // Plugin schemas are not tenant-scoped (PluginController); lower- or upper-case type.
    if (method === "GET" && /^\/api\/v1\/plugins\/schemas\/flow$/i.test(path)) return [200, options.flowSchema ?? DEFAULT_FLOW_SCHEMA];
    const executionRoute = executionApiRoute(path);
    if (executionRoute) {
      const { tenant, rest } = executionRoute;
      try {
        const answer = routeExecutionApi(
          { store: executionsOf(tenant), major, minor, tenantId: tenantIdFor(tenant), now, liveFlows: () => store.liveFlows(tenant).map((f) => ({ namespace: f.namespace, id: f.id, doc: f.flow.doc })) },
          method,
          rest,
          query,
          body.toString("utf8"),
        );
        if (answer) return answer;
      } catch (error) {
        if (error instanceof ApiError) throw new HttpError(error.status, errorBody(path, error.detail, []));
        throw error;
      }
      throw new HttpError(404, errorBody(path, "Not Found", []));
    }
    const flowRoute = resolveRoute(path);
    if (!flowRoute) throw new HttpError(404, errorBody(path, "Not Found", []));
    const { tenant, rest } = flowRoute;
    const parts = rest.split("/").filter((p) => p !== "").map(decodeURIComponent);
    const text = body.toString("utf8");
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]!.trim();

    if (rest === "" && method === "POST") return createFlow(tenant, path, text, contentType);
    if (parts[0] === "search" && parts.length === 1 && method === "GET") return [200, search(tenant, path, query)];
    if (parts[0] === "export" && parts[1] === "by-ids" && method === "POST") return exportByIds(tenant, path, text);
    if (parts[0] === "bulk" || (parts.length === 1 && method === "POST")) {
      throw new HttpError(501, errorBody(path, "The flowops double does not implement the bulk endpoints: flowops must never call them", []));
    }
    if (parts.length === 1 && method === "GET") {
      const listed = store.liveFlows(tenant).filter((f) => f.namespace === parts[0]);
      return [200, listed.map((f) => flowJson(f.flow, tenantIdFor(tenant), false))];
    }
    if (parts.length === 2) {
      const [namespace, id] = parts as [string, string];
      if (method === "GET") return getFlow(tenant, path, namespace, id, query);
      if (method === "PUT") return updateFlow(tenant, path, namespace, id, text, contentType);
      if (method === "DELETE") {
        const live = store.live(tenant, namespace, id);
        if (!live) throw new HttpError(404, errorBody(path, "Not Found", []));
        store.save(tenant, namespace, id, live.source, live.doc, true);
        return [204, undefined];
      }
    }
    if (parts.length === 3 && parts[2] === "revisions" && method === "GET") {
      const revisions = store.revisions(tenant, parts[0]!, parts[1]!);
      if (revisions.length === 0) throw new HttpError(404, errorBody(path, "Not Found", []));
      return [200, revisions.map((r) => flowJson(r, tenantIdFor(tenant), true))];
    }
    throw new HttpError(404, errorBody(path, "Not Found", []));
  }

  function requireYaml(path: string, contentType: string): void {
    // ≤1.x routes other content types to a deprecated JSON variant; 2.0 answers 415. Either way
    // a YAML body sent without this exact type is not stored as written.
    if (contentType !== "application/x-yaml") {
      throw new HttpError(415, errorBody(path, `Unsupported Media Type: flow sources must be sent as application/x-yaml, got '${contentType}'`, []));
    }
  }

  function createFlow(tenant: string, path: string, source: string, contentType: string): [number, unknown] {
    requireYaml(path, contentType);
    const parsed = parseFlowSource(source, { strict: true, knownTypePrefixes });
    if (!parsed.ok) throw new HttpError(422, errorBody(path, undefined, parsed.violations));
    const namespace = String(parsed.doc.namespace);
    const id = String(parsed.doc.id);
    if (store.live(tenant, namespace, id)) throw new HttpError(422, errorBody(path, undefined, [{ path: "flow.id", message: "Flow id already exists" }]));
    const saved = store.save(tenant, namespace, id, source, parsed.doc);
    return [200, flowJson(saved, tenantIdFor(tenant), true)];
  }

  function updateFlow(tenant: string, path: string, namespace: string, id: string, source: string, contentType: string): [number, unknown] {
    requireYaml(path, contentType);
    const live = store.live(tenant, namespace, id);
    if (!live) throw new HttpError(404, errorBody(path, "Not Found", []));
    const parsed = parseFlowSource(source, { strict: options.strictUpdate ?? false, knownTypePrefixes });
    if (!parsed.ok) throw new HttpError(422, errorBody(path, undefined, parsed.violations));
    const changes: Violation[] = [];
    if (parsed.doc.id !== id) changes.push({ path: "flow.id", message: "Illegal flow id update" });
    if (parsed.doc.namespace !== namespace) changes.push({ path: "flow.namespace", message: "Illegal namespace update" });
    if (changes.length > 0) throw new HttpError(422, errorBody(path, undefined, changes));
    if (sameSourceAsKestra(live.source, source) && live.disabled === (parsed.doc.disabled === true)) {
      return [200, flowJson(live, tenantIdFor(tenant), true)];
    }
    const saved = store.save(tenant, namespace, id, source, parsed.doc);
    return [200, flowJson(saved, tenantIdFor(tenant), true)];
  }

  function getFlow(tenant: string, path: string, namespace: string, id: string, query: URLSearchParams): [number, unknown] {
    const withSource = query.get("source") === "true";
    const revisionParam = query.get("revision");
    let found: StoredRevision | undefined;
    if (revisionParam !== null) found = store.revision(tenant, namespace, id, Number(revisionParam));
    else if (query.get("allowDeleted") === "true") found = store.latest(tenant, namespace, id);
    else found = store.live(tenant, namespace, id);
    if (!found) throw new HttpError(404, errorBody(path, `Not Found: Unable to find flow ${tenant}_${namespace}_${id}`, []));
    return [200, flowJson(found, tenantIdFor(tenant), withSource)];
  }

  function search(tenant: string, path: string, query: URLSearchParams): unknown {
    const page = Number(query.get("page") ?? "1");
    const size = Number(query.get("size") ?? "10");
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1) {
      throw new HttpError(400, errorBody(path, "page and size must be integers of at least 1", []));
    }
    const sorts = query.getAll("sort").flatMap((s) => s.split(","));
    for (const sort of sorts) {
      if (!/^[\w.]+:(asc|desc)$/.test(sort)) throw new HttpError(422, errorBody(path, "Illegal argument: Invalid sort parameter", []));
    }
    type Predicate = (f: { namespace: string; id: string; flow: StoredRevision }) => boolean;
    const predicates: Predicate[] = [];
    const filterKeys = [...query.keys()].filter((k) => k.startsWith("filters["));
    if (hasFilters && filterKeys.length > 0) {
      for (const key of new Set(filterKeys)) {
        const value = query.get(key) ?? "";
        const match = /^filters\[(\w+)\]\[(\w+)\](?:\[(.+)\])?$/.exec(key);
        if (!match) throw new HttpError(400, errorBody(path, `Invalid query filter: ${key}`, []));
        const [, field, op, labelKey] = match;
        if (field === "namespace") {
          const ops: Record<string, Predicate> = {
            EQUALS: (f) => f.namespace === value,
            NOT_EQUALS: (f) => f.namespace !== value,
            // Plain string prefix here on purpose: some Kestra versions match `ns2` for `ns`.
            STARTS_WITH: (f) => f.namespace.startsWith(value),
            PREFIX: (f) => f.namespace === value || f.namespace.startsWith(`${value}.`),
            CONTAINS: (f) => f.namespace.includes(value),
          };
          const predicate = op ? ops[op] : undefined;
          if (!predicate) throw new HttpError(400, errorBody(path, `Unsupported operation '${op}' for field 'namespace'.`, []));
          predicates.push(predicate);
        } else if (field === "labels" && labelKey !== undefined && (op === "EQUALS" || op === "NOT_EQUALS")) {
          const wanted = op === "EQUALS";
          predicates.push((f) => labelPairs(f.flow.doc.labels).some(([k, v]) => k === labelKey && v === value) === wanted);
        } else if (field === "q") {
          predicates.push((f) => f.id.includes(value) || f.namespace.includes(value));
        } else throw new HttpError(400, errorBody(path, `Unsupported filter ${key}`, []));
      }
    } else if (hasLegacySearch) {
      const namespace = query.get("namespace");
      if (namespace !== null) predicates.push((f) => f.namespace === namespace || f.namespace.startsWith(`${namespace}.`));
      for (const label of query.getAll("labels")) {
        const colon = label.indexOf(":");
        const [k, v] = [label.slice(0, colon), label.slice(colon + 1)];
        predicates.push((f) => labelPairs(f.flow.doc.labels).some(([lk, lv]) => lk === k && lv === v));
      }
      const q = query.get("q");
      if (q !== null) predicates.push((f) => f.id.includes(q) || f.namespace.includes(q));
    }
    const matching = store.liveFlows(tenant).filter((f) => predicates.every((p) => p(f)));
    const comparators = sorts.map((sort) => {
      const [field, direction] = sort.split(":") as [string, string];
      const sign = direction === "desc" ? -1 : 1;
      return (a: (typeof matching)[number], b: (typeof matching)[number]): number => {
        const av = String(field === "namespace" ? a.namespace : field === "id" ? a.id : (a.flow.doc[field] ?? ""));
        const bv = String(field === "namespace" ? b.namespace : field === "id" ? b.id : (b.flow.doc[field] ?? ""));
        return av < bv ? -sign : av > bv ? sign : 0;
      };
    });
    matching.sort((a, b) => {
      for (const compare of comparators) {
        const result = compare(a, b);
        if (result !== 0) return result;
      }
      return 0;
    });
    const pageSize = Math.min(size, options.maxPageSize ?? size);
    const results = matching.slice((page - 1) * pageSize, page * pageSize).map((f) => flowJson(f.flow, tenantIdFor(tenant), false));
    return { results, total: matching.length };
  }

  function exportByIds(tenant: string, path: string, text: string): [number, unknown] {
    let ids: unknown;
    try {
      ids = JSON.parse(text);
    } catch {
      throw new HttpError(422, errorBody(path, "Invalid json", []));
    }
    if (!Array.isArray(ids)) throw new HttpError(422, errorBody(path, "Invalid json mapping", []));
    const files = new Map<string, Buffer>();
    for (const item of ids as { namespace?: string; id?: string }[]) {
      const live = store.live(tenant, String(item.namespace), String(item.id));
      if (!live) throw new HttpError(404, errorBody(path, "Not Found: No value present", []));
      const name = `${item.namespace}.${item.id}.yml`;
      if (files.has(name)) throw new HttpError(500, errorBody(path, `Internal server error: duplicate entry: ${name}`, []));
      files.set(name, Buffer.from(live.source, "utf8"));
    }
    return [200, storedZip(files)];
  }

  function send(response: ServerResponse, log: LoggedRequest, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    log.status = status;
    if (status === 204 || payload === undefined) {
      response.writeHead(status, headers).end();
    } else if (Buffer.isBuffer(payload)) {
      response.writeHead(status, { ...headers, "Content-Type": "application/octet-stream", "Content-Length": payload.length }).end(payload);
    } else {
      const text = JSON.stringify(payload);
      response.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) }).end(text);
    }
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        const text = JSON.stringify({ message: `Internal server error: ${(error as Error).message}` });
        response.writeHead(500, { "Content-Type": "application/json" }).end(text);
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    countByMethod() {
      const counts: Record<string, number> = {};
      for (const r of requests) counts[r.method] = (counts[r.method] ?? 0) + 1;
      return counts;
    },
    writeCount() {
      return requests.filter((r) => r.method !== "GET" && r.path.includes("/flows") && !r.path.endsWith("/export/by-ids")).length;
    },
    resetRequests() {
      requests.length = 0;
    },
    setFaults(next) {
      faults = next;
    },
    queueFaults(...next) {
      queued.push(...next);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    seedFlow(source, tenant = "main") {
      const parsed = parseFlowSource(source, { strict: true, knownTypePrefixes });
      if (!parsed.ok) throw new Error(`seedFlow: invalid flow: ${parsed.violations.map((v) => `${v.path}: ${v.message}`).join(", ")}`);
      const saved = store.save(tenant, String(parsed.doc.namespace), String(parsed.doc.id), source, parsed.doc);
      return flowJson(saved, tenantIdFor(tenant), true);
    },
    liveFlow(namespace, id, tenant = "main") {
      const live = store.live(tenant, namespace, id);
      return live ? (flowJson(live, tenantIdFor(tenant), true) as Record<string, unknown> & { source: string; revision: number }) : undefined;
    },
    liveFlows(tenant = "main") {
      return store.liveFlows(tenant).map((f) => ({ namespace: f.namespace, id: f.id, revision: f.flow.revision, source: f.flow.source, labels: labelPairs(f.flow.doc.labels) }));
    },
    revisions(namespace, id, tenant = "main") {
      return store.revisions(tenant, namespace, id).map((r) => ({ revision: r.revision, deleted: r.deleted, source: r.source }));
    },
    seedExecutions(executions, tenant = "main") {
      return executionsOf(tenant).add(executions).map((e) => e.id);
    },
    seedHistory(history, tenant = "main") {
      return executionsOf(tenant).add(historyExecutions(history)).length;
    },
    setTriggerState(state, tenant = "main") {
      executionsOf(tenant).setTriggerState(state);
    },
    executionCount(tenant = "main") {
      return executionsOf(tenant).count();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/**
 * Kestra's JsonError body (KESTRA-API.md §3): `message`, `_links.self`, `_embedded.errors`, the
 * latter collapsed to a single object when there is exactly one violation.
 */
export function errorBody(href: string, message: string | undefined, violations: Violation[]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    message: message ?? `Invalid entity: ${violations.map((v) => `${v.path}: ${v.message}`).join(", ")}`,
    _links: { self: { href, templated: false } },
  };
  if (violations.length === 1) body._embedded = { errors: violations[0] };
  else if (violations.length > 1) body._embedded = { errors: violations };
  return body;
}

/**
 * A zip archive with stored (uncompressed) entries, in insertion order, as Java's
 * ZipOutputStream would list them. Written by hand because it is the double's hot path.
 */
function storedZip(files: Map<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((sum, b) => sum + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.size, 8);
  end.writeUInt16LE(files.size, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

function flowOf(method: string, path: string, body: string): string | undefined {
  if (method === "POST" && /\/flows$/.test(path)) {
    const id = /^id:\s*(\S+)/m.exec(body)?.[1];
    const namespace = /^namespace:\s*(\S+)/m.exec(body)?.[1];
    return id && namespace ? `${namespace}/${id}` : undefined;
  }
  const match = /\/flows\/([^/]+)\/([^/]+)$/.exec(path);
  return match && match[1] !== "export" ? `${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}` : undefined;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
