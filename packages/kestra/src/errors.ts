import { redact, redactHeaders, stripUrlCredentials } from "@flowops/redact";

/** One violation from a Kestra error body (`_embedded.errors`). */
export interface KestraViolation {
  message: string;
  path?: string;
}

/** A copy of the request that failed, safe to print: credentials replaced by `***`. */
export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The first 2,000 characters of the body, when it had one. */
  body?: string;
}

export interface KestraApiErrorInit {
  method: string;
  url: string;
  status?: number;
  request: RedactedRequest;
  /** Kestra's `message`, or the text body when it was not JSON. */
  serverMessage?: string;
  violations?: KestraViolation[];
  /** The flow the request was about, when known. */
  flow?: { namespace: string; id: string };
  /** Number of tries made before giving up. */
  attempts?: number;
  cause?: unknown;
  /** The answer's `Retry-After` header, when it had one. */
  retryAfter?: string;
  /** Where the credentials came from, variable names only; named on a 401 or 403. */
  credentials?: string;
  /** Overrides the generated message. */
  message?: string;
}

/**
 * The one error type of the Kestra client: status, method, URL, a redacted copy of the request,
 * Kestra's violations and the original cause. It never holds a password or token: the request
 * copy is redacted and URLs are stripped of user info before they reach it.
 */
export class KestraApiError extends Error {
  override readonly name = "KestraApiError";
  readonly method: string;
  readonly url: string;
  /** HTTP status; undefined when no answer came (network error, timeout). */
  readonly status: number | undefined;
  readonly request: RedactedRequest;
  readonly serverMessage: string | undefined;
  readonly violations: KestraViolation[];
  readonly flow: { namespace: string; id: string } | undefined;
  readonly attempts: number;
  readonly retryAfter: string | undefined;

  constructor(init: KestraApiErrorInit) {
    // Scrubbed once here: causes from undici can carry a header value (`Headers.append: "Bearer …"`).
    super(redact(init.message ?? describe(init)), init.cause === undefined ? undefined : { cause: init.cause });
    this.method = init.method;
    this.url = init.url;
    this.status = init.status;
    this.request = init.request;
    this.serverMessage = init.serverMessage;
    this.violations = init.violations ?? [];
    this.flow = init.flow;
    this.attempts = init.attempts ?? 1;
    this.retryAfter = init.retryAfter;
  }

  /** A plain object for JSON output and logs (no stack, no cause chain, no secrets). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      method: this.method,
      url: this.url,
      flow: this.flow,
      violations: this.violations,
      attempts: this.attempts,
    };
  }
}

function describe(init: KestraApiErrorInit): string {
  const what = init.flow ? ` (flow ${init.flow.namespace}/${init.flow.id})` : "";
  const outcome = init.status === undefined ? "no answer" : `HTTP ${init.status}`;
  const tries = init.attempts && init.attempts > 1 ? ` after ${init.attempts} tries` : "";
  let detail = "";
  if (init.violations && init.violations.length > 0) {
    detail = ": " + init.violations.map((v) => (v.path ? `${v.path}: ${v.message}` : v.message)).join("; ");
  } else if (init.serverMessage) {
    detail = ": " + init.serverMessage;
  } else if (init.cause instanceof Error) {
    detail = ": " + causeText(init.cause);
  }
  return `${init.method} ${init.url} failed with ${outcome}${tries}${what}${detail}${hint(init.status, init.credentials)}`;
}

function causeText(error: Error): string {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? `${error.message} (${code})` : error.message;
}

function hint(status: number | undefined, credentials: string | undefined): string {
  switch (status) {
    case 401:
      return credentials
        ? `. Kestra refused the credentials: ${credentials}; check those variables (or the usernameEnv / passwordEnv / tokenEnv your flowops.config.yaml names)`
        : ". Check KESTRA_USERNAME/KESTRA_PASSWORD or KESTRA_TOKEN (or the variables your flowops.config.yaml names)";
    case 403:
      return `. The credentials are valid but lack permission for this flow or namespace${credentials ? ` (${credentials})` : ""}`;
    case 400:
      return ". If the message is about the tenant: Kestra OSS only has tenant 'main'";
    default:
      return "";
  }
}

/**
 * Reads a Kestra error body: `{message, _embedded: {errors}}` where `errors` is an object when
 * there is one violation and an array when there are several (KESTRA-API.md §3), or a plain
 * text body (`IllegalArgumentExceptionHandler`).
 */
export function parseKestraErrorBody(text: string): { message?: string; violations: KestraViolation[] } {
  const trimmed = text.trim();
  if (trimmed === "") return { violations: [] };
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch {
    return { message: truncate(trimmed, 1000), violations: [] };
  }
  if (typeof body !== "object" || body === null) return { message: truncate(trimmed, 1000), violations: [] };
  const record = body as Record<string, unknown>;
  const message = typeof record.message === "string" ? record.message : undefined;
  const embedded = record._embedded as Record<string, unknown> | undefined;
  const raw = embedded?.errors;
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  const violations: KestraViolation[] = [];
  for (const item of list) {
    if (typeof item === "string") violations.push({ message: item });
    else if (item && typeof item === "object") {
      const v = item as Record<string, unknown>;
      const text = typeof v.message === "string" ? v.message : JSON.stringify(v);
      violations.push(typeof v.path === "string" && v.path !== "" ? { message: text, path: v.path } : { message: text });
    }
  }
  return message === undefined ? { violations } : { message, violations };
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

export { redactHeaders };

/** The URL without user info, so `https://user:pass@host` never reaches a message. */
export function stripUserInfo(url: URL): string {
  return stripUrlCredentials(url);
}
