import { redact, registerSecret } from "@flowops/redact";
import { KestraApiError, parseKestraErrorBody, redactHeaders, stripUserInfo, truncate } from "./errors.js";
import type { RedactedRequest } from "./errors.js";
import { DEFAULT_RETRY_POLICY, backoffDelay, isRetryableStatus, parseRetryAfter, sleep } from "./retry.js";
import type { RetryPolicy } from "./retry.js";
import type {
  FlowKey,
  FlowSearchQuery,
  KestraAuth,
  KestraFlow,
  KestraFlowWithSource,
  KestraPagedFlows,
  KestraRequestEvent,
  KestraRetryEvent,
  KestraServerInfo,
} from "./types.js";
import { apiBaseFor, isAtLeast, parseKestraVersion } from "./version.js";
import { readZipEntries } from "./zip.js";

/** The only content type Kestra routes to its YAML flow endpoints (KESTRA-API.md §2.1, §4). */
export const YAML_CONTENT_TYPE = "application/x-yaml";

export interface KestraClientOptions {
  /** Server root, e.g. `http://localhost:8080`. User info in the URL is used as basic auth and removed. */
  url: string;
  /** Kestra tenant for 0.23+: `main` (the default, and the only one in OSS) or an Enterprise tenant id. */
  tenant?: string;
  auth?: KestraAuth;
  /** Per-try timeout in ms, covering the answer's body too. Default 20,000. */
  timeoutMs?: number;
  /**
   * The longest one request may take in all, tries and pauses between them included, in ms.
   * Default 60,000: a Kestra that does not answer costs a minute, not tries × timeout.
   */
  totalTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Called before each retry (for progress on a terminal). Holds no secret. */
  onRetry?: (event: KestraRetryEvent) => void;
  /**
   * Where the credentials came from, names only (e.g. "basic auth from KESTRA_STAGING_USERNAME +
   * KESTRA_STAGING_PASSWORD"); a 401 or 403 names it so the user knows which variables to check.
   */
  credentialSource?: string;
  /** Skip `GET /api/v1/configs` and assume this server version. */
  version?: string;
  /** Rows per search page. Default 5,000. */
  pageSize?: number;
  /** Pages one listing may take before it fails (a server that never stops paging). Default 1,000. */
  maxPages?: number;
  /** Largest answer read from an ordinary request, in bytes; past it the request fails. Default 16 MiB. */
  maxAnswerBytes?: number;
  /** Largest answer read for bulk reads (the flow schema, search pages, export archives). Default 64 MiB. */
  maxBulkAnswerBytes?: number;
  /** Flows per `export/by-ids` request. Default 2,500. */
  exportChunkSize?: number;
  /** Called after every HTTP exchange (for progress, counting, debug logs). Holds no secret. */
  onRequest?: (event: KestraRequestEvent) => void;
  /** Random source for backoff jitter (tests). */
  random?: () => number;
  /** How the client waits between tries (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Extra headers sent with every request (not redacted unless they are auth headers). */
  headers?: Record<string, string>;
}

interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path and query, from the server root. */
  path: string;
  body?: string;
  contentType?: string;
  accept?: string;
  /** Whether the client may repeat the request on network errors, 429 and 5xx. */
  repeatable: boolean;
  /** Statuses returned to the caller instead of thrown (besides 2xx). */
  passStatuses?: number[];
  flow?: FlowKey;
  /** A bulk read: the answer may be up to `maxBulkAnswerBytes` instead of `maxAnswerBytes`. */
  bulk?: boolean;
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  attempts: number;
}

const decoder = new TextDecoder();
const MAX_RETRY_AFTER_MS = 60_000;
const MIB = 1024 * 1024;
/** Default of {@link KestraClientOptions.maxAnswerBytes}: far above any config, flow or error answer. */
export const DEFAULT_MAX_ANSWER_BYTES = 16 * MIB;
/** Default of {@link KestraClientOptions.maxBulkAnswerBytes}: a server's flow schema covers every installed plugin. */
export const DEFAULT_MAX_BULK_ANSWER_BYTES = 64 * MIB;
/** Default of {@link KestraClientOptions.maxPages}: 5 million flows at the default page size. */
export const DEFAULT_MAX_PAGES = 1000;

/** Options of {@link KestraClient.getFlow}. */
export interface GetFlowOptions {
  /** Include the stored YAML source (`source=true`). */
  source?: boolean;
  revision?: number;
  allowDeleted?: boolean;
}

/**
 * A typed client for Kestra's flow API. It speaks both API generations (`/api/v1/...` before
 * 0.23, `/api/v1/{tenant}/...` from 0.23, chosen from `GET /api/v1/configs`), sends flow sources
 * as `application/x-yaml`, retries only what is safe to repeat, and throws only
 * {@link KestraApiError}, which never carries credentials.
 */
export class KestraClient {
  readonly url: string;
  readonly tenant: string;
  private readonly origin: URL;
  private readonly authHeader: string | undefined;
  private readonly timeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly onRetry: ((event: KestraRetryEvent) => void) | undefined;
  private readonly credentialSource: string | undefined;
  private readonly retryPolicy: RetryPolicy;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly maxAnswerBytes: number;
  private readonly maxBulkAnswerBytes: number;
  private readonly exportChunkSize: number;
  private readonly onRequest: ((event: KestraRequestEvent) => void) | undefined;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly extraHeaders: Record<string, string>;
  private readonly fixedVersion: string | undefined;
  private serverInfoPromise: Promise<KestraServerInfo> | undefined;
  private exchanges = 0;

  constructor(options: KestraClientOptions) {
    let origin: URL;
    try {
      origin = new URL(options.url);
    } catch (cause) {
      throw new TypeError(`Kestra URL is not a valid URL: ${JSON.stringify(stripCredentialsFromText(options.url))}. Expected e.g. http://localhost:8080`, { cause });
    }
    if (origin.protocol !== "http:" && origin.protocol !== "https:") {
      throw new TypeError(`Kestra URL must start with http:// or https://, got ${origin.protocol}//`);
    }
    let auth = options.auth;
    if (!auth && (origin.username !== "" || origin.password !== "")) {
      auth = { kind: "basic", username: decodeURIComponent(origin.username), password: decodeURIComponent(origin.password) };
    }
    origin.username = "";
    origin.password = "";
    origin.search = "";
    origin.hash = "";
    // A server behind a path prefix (https://host/kestra) keeps it.
    origin.pathname = origin.pathname.replace(/\/+$/, "");
    this.origin = origin;
    this.url = origin.toString().replace(/\/$/, "");
    this.tenant = options.tenant ?? "main";
    this.authHeader = auth ? authorizationHeader(auth) : undefined;
    if (auth) for (const secret of auth.kind === "bearer" ? [auth.token] : [auth.password]) registerSecret(secret);
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.totalTimeoutMs = Math.max(options.totalTimeoutMs ?? 60_000, 1);
    this.onRetry = options.onRetry;
    this.credentialSource = options.credentialSource;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.pageSize = options.pageSize ?? 5000;
    this.maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    this.maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.maxBulkAnswerBytes = options.maxBulkAnswerBytes ?? DEFAULT_MAX_BULK_ANSWER_BYTES;
    this.exportChunkSize = options.exportChunkSize ?? 2500;
    this.onRequest = options.onRequest;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? sleep;
    this.extraHeaders = { ...options.headers };
    this.fixedVersion = options.version;
  }

  /** HTTP exchanges sent so far by this client, retries and failed tries included. */
  get requestCount(): number {
    return this.exchanges;
  }

  /**
   * Server version and API root, read once from `GET /api/v1/configs` (open without credentials
   * on every version) and cached.
   */
  serverInfo(): Promise<KestraServerInfo> {
    this.serverInfoPromise ??= this.detectServer().catch((error: unknown) => {
      this.serverInfoPromise = undefined;
      throw error;
    });
    return this.serverInfoPromise;
  }

  private async detectServer(): Promise<KestraServerInfo> {
    let versionText = this.fixedVersion;
    let edition: string | undefined;
    if (versionText === undefined) {
      const response = await this.send({ method: "GET", path: "/api/v1/configs", repeatable: true });
      const body = this.json(response, "GET", "/api/v1/configs") as Record<string, unknown>;
      if (typeof body.version !== "string") {
        throw this.error("GET", "/api/v1/configs", {
          status: response.status,
          message: `GET ${this.absolute("/api/v1/configs")} answered without a "version": is ${this.url} a Kestra server? Pass the version explicitly if it hides it`,
        });
      }
      versionText = body.version;
      if (typeof body.edition === "string") edition = body.edition;
    }
    const version = parseKestraVersion(versionText);
    if (!version) {
      throw this.error("GET", "/api/v1/configs", { message: `Kestra reported version ${JSON.stringify(versionText)}, which flowops cannot read (expected e.g. 1.0.3)` });
    }
    if (edition === "OSS" && isAtLeast(version, 0, 23) && this.tenant !== "main") {
      throw this.error("GET", "/api/v1/configs", {
        message: `Kestra at ${this.url} is the open-source edition, which only has tenant 'main', but tenant '${this.tenant}' is configured. Set environments.<env>.kestra.tenant to main (or remove it)`,
      });
    }
    const info: KestraServerInfo = {
      version: versionText,
      apiBase: apiBaseFor(version, this.tenant),
      supportsQueryFilters: isAtLeast(version, 0, 22),
    };
    if (edition !== undefined) info.edition = edition;
    return info;
  }

  /**
   * The JSON Schema Kestra publishes for flows (`GET /api/v1/plugins/schemas/flow`, not
   * tenant-scoped): it covers the plugins installed on that server, so offline linting can match it.
   */
  async getFlowSchema(): Promise<Record<string, unknown>> {
    const path = "/api/v1/plugins/schemas/flow?arrayOf=false";
    const response = await this.send({ method: "GET", path, repeatable: true, bulk: true });
    const body = this.json(response, "GET", path);
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw this.error("GET", path, { status: response.status, message: `GET ${this.absolute(path)} did not answer with a JSON Schema object` });
    }
    return body as Record<string, unknown>;
  }

  /** Creates a flow from its YAML source (`POST {base}/flows`). Kestra answers 422 if it exists. */
  async createFlow(source: string): Promise<KestraFlowWithSource> {
    const base = (await this.serverInfo()).apiBase;
    const flow = flowKeyFromSource(source);
    const spec: RequestSpec = { method: "POST", path: `${base}/flows`, body: source, contentType: YAML_CONTENT_TYPE, repeatable: false };
    if (flow) spec.flow = flow;
    // A create is not idempotent: after an answer-less failure or a 5xx it may have been stored.
    // Retry only once a GET shows the flow is absent; if it is there with our source, it worked.
    const deadline = performance.now() + this.totalTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.send(spec);
        return this.json(response, spec.method, spec.path, flow) as KestraFlowWithSource;
      } catch (error) {
        if (!(error instanceof KestraApiError)) throw error;
        const status = error.status;
        if (status !== undefined && !isRetryableStatus(status)) throw error;
        const wait = this.retryDelay(attempt, error.retryAfter);
        if (attempt >= this.retryPolicy.maxAttempts || performance.now() + wait >= deadline) {
          if (attempt === 1) throw error;
          throw new KestraApiError({ method: error.method, url: error.url, ...(status !== undefined ? { status } : {}), request: error.request, ...(flow ? { flow } : {}), attempts: attempt, cause: error, message: `${error.message} (the create was tried ${attempt} times, checking in between that Kestra had not stored it)` });
        }
        this.onRetry?.({ method: spec.method, path: spec.path, attempt, maxAttempts: this.retryPolicy.maxAttempts, reason: status === undefined ? "no answer" : `HTTP ${status}`, waitMs: wait, elapsedMs: this.totalTimeoutMs - (deadline - performance.now()), totalTimeoutMs: this.totalTimeoutMs });
        if (wait > 0) await this.sleep(wait);
        if (status === 429) continue; // rejected before any work: repeat as is
        if (!flow) throw error; // cannot check without an id; never risk a duplicate
        const existing = await this.getFlow(flow.namespace, flow.id, { source: true });
        if (!existing) continue;
        if (sameSource(existing.source, source)) return existing;
        throw new KestraApiError({
          method: error.method,
          url: error.url,
          status: error.status,
          request: error.request,
          flow,
          attempts: attempt,
          cause: error,
          message: `${error.message}. Kestra now holds flow ${flow.namespace}/${flow.id} with a different source (written by someone else meanwhile?); not retrying the create`,
        });
      }
    }
  }

  /**
   * Replaces a flow's source (`PUT {base}/flows/{namespace}/{id}`). Safe to repeat: an identical
   * source makes no new revision. Kestra answers 404 if the flow does not exist.
   */
  async updateFlow(namespace: string, id: string, source: string): Promise<KestraFlowWithSource> {
    const path = `${(await this.serverInfo()).apiBase}/flows/${segment(namespace)}/${segment(id)}`;
    const response = await this.send({ method: "PUT", path, body: source, contentType: YAML_CONTENT_TYPE, repeatable: true, flow: { namespace, id } });
    return this.json(response, "PUT", path, { namespace, id }) as KestraFlowWithSource;
  }

  /** Reads one flow (`GET {base}/flows/{namespace}/{id}`); undefined when Kestra answers 404. */
  getFlow(namespace: string, id: string, options: GetFlowOptions & { source: true }): Promise<KestraFlowWithSource | undefined>;
  getFlow(namespace: string, id: string, options?: GetFlowOptions): Promise<KestraFlow | undefined>;
  async getFlow(namespace: string, id: string, options: GetFlowOptions = {}): Promise<KestraFlow | undefined> {
    const query = new URLSearchParams();
    if (options.source) query.set("source", "true");
    if (options.revision !== undefined) query.set("revision", String(options.revision));
    if (options.allowDeleted) query.set("allowDeleted", "true");
    const qs = query.toString();
    const path = `${(await this.serverInfo()).apiBase}/flows/${segment(namespace)}/${segment(id)}${qs ? `?${qs}` : ""}`;
    const response = await this.send({ method: "GET", path, repeatable: true, passStatuses: [404], flow: { namespace, id } });
    if (response.status === 404) return undefined;
    return this.json(response, "GET", path, { namespace, id }) as KestraFlow;
  }

  /**
   * Deletes a flow (`DELETE {base}/flows/{namespace}/{id}`; Kestra keeps a deleted revision).
   * Returns `absent` when Kestra answers 404, e.g. when an earlier try did delete it.
   */
  async deleteFlow(namespace: string, id: string): Promise<"deleted" | "absent"> {
    const path = `${(await this.serverInfo()).apiBase}/flows/${segment(namespace)}/${segment(id)}`;
    const response = await this.send({ method: "DELETE", path, repeatable: true, passStatuses: [404], flow: { namespace, id } });
    return response.status === 404 ? "absent" : "deleted";
  }

  /**
   * One page of `GET {base}/flows/search` (pages start at 1), sorted by namespace then id.
   * `total` is Kestra's count; `results` are narrowed to the dot-bounded namespace subtree.
   */
  async searchFlows(query: FlowSearchQuery, page = 1, size = this.pageSize): Promise<KestraPagedFlows> {
    const body = await this.searchPage(query, page, size);
    const prefix = query.namespacePrefix;
    return prefix === undefined ? body : { total: body.total, results: body.results.filter((flow) => inNamespaceTree(flow.namespace, prefix)) };
  }

  private async searchPage(query: FlowSearchQuery, page: number, size: number): Promise<KestraPagedFlows> {
    const info = await this.serverInfo();
    const params = new URLSearchParams({ page: String(page), size: String(size) });
    params.append("sort", "namespace:asc");
    params.append("sort", "id:asc");
    if (info.supportsQueryFilters) {
      // KESTRA-API.md §2.1: `filters[field][OP]=value` from 0.22, the only syntax left in 2.0.
      // STARTS_WITH is accepted for namespaces by every version with filters; some versions
      // treat it as a plain string prefix, so callers narrow results to the dot-bounded subtree.
      if (query.namespacePrefix !== undefined) params.set("filters[namespace][STARTS_WITH]", query.namespacePrefix);
      for (const [key, value] of Object.entries(query.labels ?? {})) params.set(`filters[labels][EQUALS][${key}]`, value);
      if (query.query !== undefined) params.set("filters[q][EQUALS]", query.query);
    } else {
      // Before 0.22: legacy params; `namespace` matches `ns` and `ns.*`.
      if (query.namespacePrefix !== undefined) params.set("namespace", query.namespacePrefix);
      for (const [key, value] of Object.entries(query.labels ?? {})) params.append("labels", `${key}:${value}`);
      if (query.query !== undefined) params.set("q", query.query);
    }
    const path = `${info.apiBase}/flows/search?${params.toString()}`;
    const response = await this.send({ method: "GET", path, repeatable: true, bulk: true });
    const body = this.json(response, "GET", path) as KestraPagedFlows;
    if (!Array.isArray(body.results) || typeof body.total !== "number") {
      throw this.error("GET", path, { status: response.status, message: `GET ${this.absolute(path)} did not answer {results, total}` });
    }
    return body;
  }

  /**
   * A read-only request under the tenant-scoped API root (`{base}{path}`), answered as JSON, with
   * this client's retries, timeouts and errors: the primitive of the execution and trigger reads
   * (`executions.ts`, `triggers.ts`). `POST` is allowed only for read endpoints that take a body.
   */
  async readJson(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    const full = `${(await this.serverInfo()).apiBase}${path}`;
    const spec: RequestSpec = { method, path: full, repeatable: true };
    if (body !== undefined) {
      spec.body = JSON.stringify(body);
      spec.contentType = "application/json";
    }
    return this.json(await this.send(spec), method, full);
  }

  /**
   * Every live flow matching the query, paging through `flows/search` with large pages until
   * Kestra's `total` is reached: one request per `pageSize` flows, at most `maxPages` pages
   * (past them the listing fails rather than page forever). Results have no source.
   */
  async listFlows(query: FlowSearchQuery): Promise<KestraFlow[]> {
    const seen = new Map<string, KestraFlow>();
    let fetched = 0;
    for (let page = 1; ; page++) {
      if (page > this.maxPages) {
        const path = `${(await this.serverInfo()).apiBase}/flows/search`;
        throw this.error("GET", path, {
          message: `GET ${this.absolute(path)} still had results after ${this.maxPages} pages of ${this.pageSize} (${fetched} flows read); flowops stops paging there. Is the server paging correctly? For a larger instance, raise maxPages`,
        });
      }
      const result = await this.searchPage(query, page, this.pageSize);
      for (const flow of result.results) {
        if (query.namespacePrefix === undefined || inNamespaceTree(flow.namespace, query.namespacePrefix)) seen.set(flowKeyString(flow), flow);
      }
      fetched += result.results.length;
      // Stop on Kestra's total, not on a short page: a server may cap the page size.
      if (result.results.length === 0 || fetched >= result.total) break;
    }
    return [...seen.values()];
  }

  /**
   * The stored sources of many flows, with as few requests as the API allows:
   * `POST {base}/flows/export/by-ids` returns one zip of verbatim sources per chunk of ids
   * (KESTRA-API.md §2.1; entries named `{namespace}.{id}.yml`). A chunk that fails with 404 (a
   * flow was deleted meanwhile) falls back to one `GET ?source=true` per flow of that chunk.
   * Flows that no longer exist are absent from the map. Keys are `namespace/id`.
   */
  async getFlowSources(flows: readonly FlowKey[], concurrency = 4): Promise<Map<string, string>> {
    const sources = new Map<string, string>();
    const chunks = chunkByEntryName(flows, this.exportChunkSize);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        await this.exportChunk(chunk, sources);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
    return sources;
  }

  private async exportChunk(chunk: FlowKey[], sources: Map<string, string>): Promise<void> {
    const path = `${(await this.serverInfo()).apiBase}/flows/export/by-ids`;
    const body = JSON.stringify(chunk.map(({ namespace, id }) => ({ namespace, id })));
    // Exporting reads only, so repeating it is safe even though it is a POST.
    const response = await this.send({ method: "POST", path, body, contentType: "application/json", accept: "application/octet-stream", repeatable: true, passStatuses: [404], bulk: true });
    const missing: FlowKey[] = [];
    if (response.status === 404) {
      missing.push(...chunk);
    } else {
      let entries: Map<string, Uint8Array>;
      try {
        entries = readZipEntries(response.body);
      } catch (cause) {
        throw this.error("POST", path, { status: response.status, cause, message: `POST ${this.absolute(path)} did not answer a readable zip archive` });
      }
      for (const flow of chunk) {
        const entry = entries.get(`${flow.namespace}.${flow.id}.yml`) ?? entries.get(`${flow.namespace}-${flow.id}.yml`);
        if (entry) sources.set(flowKeyString(flow), decoder.decode(entry));
        else missing.push(flow);
      }
    }
    for (const flow of missing) {
      const live = await this.getFlow(flow.namespace, flow.id, { source: true });
      if (live) sources.set(flowKeyString(flow), live.source);
    }
  }

  private retryDelay(failedAttempt: number, retryAfter: string | null | undefined): number {
    const fromServer = parseRetryAfter(retryAfter);
    // A server's Retry-After is honoured up to a minute, even beyond the backoff cap.
    return fromServer !== undefined ? Math.min(fromServer, MAX_RETRY_AFTER_MS) : backoffDelay(failedAttempt, this.retryPolicy, this.random);
  }

  /**
   * One logical request: tries, timeouts, retries of repeatable requests, errors. Every try and
   * every pause fits in `totalTimeoutMs`; giving up says what was waited for, how many tries were
   * made and how long it took.
   */
  private async send(spec: RequestSpec): Promise<RawResponse> {
    const maxAttempts = spec.repeatable ? this.retryPolicy.maxAttempts : 1;
    const started = performance.now();
    const deadline = started + this.totalTimeoutMs;
    // Whether another try can start after a pause of `wait` ms, announcing it when so.
    const retrying = (attempt: number, wait: number, reason: string): boolean => {
      if (attempt >= maxAttempts || performance.now() + wait >= deadline) return false;
      this.onRetry?.({ method: spec.method, path: spec.path, attempt, maxAttempts, reason, waitMs: wait, elapsedMs: performance.now() - started, totalTimeoutMs: this.totalTimeoutMs });
      return true;
    };
    for (let attempt = 1; ; attempt++) {
      let response: RawResponse;
      try {
        response = await this.sendOnce(spec, attempt, Math.max(1, Math.min(this.timeoutMs, deadline - performance.now())));
      } catch (error) {
        if (!(error instanceof NoAnswer)) throw error;
        const wait = this.retryDelay(attempt, undefined);
        if (!retrying(attempt, wait, error.reason)) throw this.noAnswerError(spec, error, attempt, maxAttempts, performance.now() - started);
        if (wait > 0) await this.sleep(wait);
        continue;
      }
      response.attempts = attempt;
      if ((response.status >= 200 && response.status < 300) || spec.passStatuses?.includes(response.status)) return response;
      if (isRetryableStatus(response.status)) {
        const wait = this.retryDelay(attempt, response.headers.get("retry-after"));
        if (retrying(attempt, wait, `HTTP ${response.status}`)) {
          if (wait > 0) await this.sleep(wait);
          continue;
        }
      }
      const parsed = parseKestraErrorBody(decoder.decode(response.body));
      const error = this.error(spec.method, spec.path, { status: response.status, serverMessage: parsed.message, violations: parsed.violations, flow: spec.flow, attempts: attempt, body: spec.body, retryAfter: response.headers.get("retry-after") ?? undefined });
      throw error;
    }
  }

  /** No answer to the last try: what was asked, where, why, and the tries and time it took. */
  private noAnswerError(spec: RequestSpec, last: NoAnswer, attempts: number, maxAttempts: number, elapsedMs: number): KestraApiError {
    const retries = attempts - 1;
    const tries = !spec.repeatable
      ? "1 try"
      : `${attempts} ${attempts === 1 ? "try" : "tries"} (${retries} ${retries === 1 ? "retry" : "retries"}${attempts < maxAttempts ? `; ${maxAttempts} allowed, but one request may take at most ${seconds(this.totalTimeoutMs)}` : ""})`;
    return this.error(spec.method, spec.path, {
      flow: spec.flow,
      attempts,
      body: spec.body,
      cause: last.cause,
      message: `${spec.method} ${spec.path} on ${this.url}${spec.flow ? ` (flow ${spec.flow.namespace}/${spec.flow.id})` : ""} got no answer: ${last.reason}; gave up after ${tries}, ${seconds(elapsedMs)} in all. Check that Kestra is up and reachable from here`,
    });
  }

  private async sendOnce(spec: RequestSpec, attempt: number, timeoutMs: number): Promise<RawResponse> {
    const headers: Record<string, string> = { ...this.extraHeaders, Accept: spec.accept ?? "application/json" };
    if (spec.contentType) headers["Content-Type"] = spec.contentType;
    if (this.authHeader && spec.path !== "/api/v1/configs") headers.Authorization = this.authHeader;
    const url = this.absolute(spec.path);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = performance.now();
    this.exchanges++;
    try {
      const response = await fetch(url, { method: spec.method, headers, body: spec.body, signal: controller.signal, redirect: "manual" });
      const body = await this.readLimited(response, spec, controller);
      this.onRequest?.({ method: spec.method, url, status: response.status, attempt, durationMs: performance.now() - started });
      return { status: response.status, headers: response.headers, body, attempts: attempt };
    } catch (cause) {
      if (cause instanceof KestraApiError) {
        this.onRequest?.({ method: spec.method, url, attempt, durationMs: performance.now() - started, error: cause.message });
        throw cause;
      }
      const timedOut = controller.signal.aborted;
      const reason = timedOut ? `no answer within ${seconds(timeoutMs)}` : networkReason(cause);
      this.onRequest?.({ method: spec.method, url, attempt, durationMs: performance.now() - started, error: reason });
      throw new NoAnswer(reason, cause);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads an answer's body as it streams in, up to the request's size limit: past it (or when
   * `Content-Length` already says so) the request is aborted and fails, so a hostile or broken
   * server cannot make the client hold an answer of any size.
   */
  private async readLimited(response: Response, spec: RequestSpec, controller: AbortController): Promise<Uint8Array> {
    const limit = spec.bulk ? this.maxBulkAnswerBytes : this.maxAnswerBytes;
    const tooLarge = (): KestraApiError => {
      controller.abort();
      const where = spec.path.split("?")[0]!;
      return this.error(spec.method, spec.path, {
        status: response.status,
        flow: spec.flow,
        message: `${spec.method} ${this.absolute(where)} answered more than ${describeBytes(limit)}, the limit for this request; flowops stopped reading it. Is ${this.url} a Kestra server?`,
      });
    };
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (declared > limit) throw tooLarge();
    if (!response.body) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    const body = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return body;
  }

  private json(response: RawResponse, method: string, path: string, flow?: FlowKey): unknown {
    const text = decoder.decode(response.body);
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw this.error(method, path, { status: response.status, flow, cause, message: `${method} ${this.absolute(path)} answered ${response.status} with a body that is not JSON: ${JSON.stringify(truncate(text, 200))}` });
    }
  }

  private absolute(path: string): string {
    return `${this.url}${path}`;
  }

  private error(
    method: string,
    path: string,
    details: { status?: number; serverMessage?: string; violations?: KestraApiError["violations"]; flow?: FlowKey | undefined; attempts?: number; cause?: unknown; message?: string; body?: string; retryAfter?: string },
  ): KestraApiError {
    const url = this.absolute(path);
    const headers: Record<string, string> = { ...this.extraHeaders };
    if (this.authHeader && path !== "/api/v1/configs") headers.Authorization = this.authHeader;
    const request: RedactedRequest = { method, url, headers: redactHeaders(headers) };
    if (details.body !== undefined) request.body = truncate(details.body, 2000);
    const credentials = details.status === 401 || details.status === 403 ? this.credentialSource : undefined;
    return new KestraApiError({ method, url, request, ...definedOnly(details), ...(credentials ? { credentials } : {}) });
  }
}

/** A try that got no answer (timeout, network error); `send` decides whether to try again. */
class NoAnswer extends Error {
  constructor(
    readonly reason: string,
    override readonly cause: unknown,
  ) {
    super(reason);
  }
}

/** `750 ms`, `20 s`, `61.5 s`. */
function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const value = Math.round(ms / 100) / 10;
  return `${Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1)} s`;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([key, v]) => v !== undefined && key !== "body")) as Partial<T>;
}

function describeBytes(bytes: number): string {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;
}

function authorizationHeader(auth: KestraAuth): string {
  if (auth.kind === "bearer") return `Bearer ${auth.token}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`;
}

function networkReason(cause: unknown): string {
  if (!(cause instanceof Error)) return "network error";
  const inner = cause.cause as { code?: unknown; message?: unknown } | undefined;
  if (inner && typeof inner.code === "string") return `network error (${inner.code})`;
  if (inner && typeof inner.message === "string") return `network error (${inner.message})`;
  return `network error (${cause.message})`;
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

/** `namespace/id`, the key flowops uses for a flow within one Kestra tenant. */
export function flowKeyString(flow: FlowKey): string {
  return `${flow.namespace}/${flow.id}`;
}

/** True when `namespace` is `root` or below it (`root.x`), never a sibling such as `root2`. */
export function inNamespaceTree(namespace: string, root: string): boolean {
  return namespace === root || namespace.startsWith(`${root}.`);
}

/**
 * Kestra compares sources after removing one leading `revision: N` line (KESTRA-API.md §2.6);
 * flowops does the same so a create that did land is recognised.
 */
export function sameSource(a: string, b: string): boolean {
  return stripRevisionLine(a) === stripRevisionLine(b);
}

function stripRevisionLine(source: string): string {
  return source.replace(/^revision: \d+\n?/m, "");
}

/** Reads the top-level `id:` and `namespace:` of a flow source without a YAML parser. */
export function flowKeyFromSource(source: string): FlowKey | undefined {
  const id = /^id:[ \t]*["']?([^"'\s#]+)["']?[ \t]*(?:#.*)?$/m.exec(source)?.[1];
  const namespace = /^namespace:[ \t]*["']?([^"'\s#]+)["']?[ \t]*(?:#.*)?$/m.exec(source)?.[1];
  return id && namespace ? { namespace, id } : undefined;
}

/** Chunks whose zip entry names (`{namespace}.{id}.yml`) are unique, since a zip cannot hold two. */
function chunkByEntryName(flows: readonly FlowKey[], size: number): FlowKey[][] {
  const chunks: { flows: FlowKey[]; names: Set<string> }[] = [];
  for (const flow of flows) {
    const name = `${flow.namespace}.${flow.id}`;
    let chunk = chunks.find((c) => c.flows.length < size && !c.names.has(name));
    if (!chunk) {
      chunk = { flows: [], names: new Set() };
      chunks.push(chunk);
    }
    chunk.flows.push(flow);
    chunk.names.add(name);
  }
  return chunks.map((c) => c.flows);
}

function stripCredentialsFromText(text: string): string {
  return redact(text);
}

export { stripUserInfo };
