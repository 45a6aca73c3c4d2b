import { describe, expect, it } from "vitest";
import { flowKeyFromSource, inNamespaceTree, sameSource } from "./client.js";
import { KestraConfigError, kestraClientOptionsFromEnvironment } from "./config.js";
import { KestraApiError, parseKestraErrorBody, redactHeaders } from "./errors.js";
import { backoffDelay, parseRetryAfter } from "./retry.js";
import { apiBaseFor, parseKestraVersion } from "./version.js";

describe("versions and API roots", () => {
  it.each([
    ["0.21.0", "/api/v1"],
    ["0.22.6", "/api/v1"],
    ["0.23.0", "/api/v1/main"],
    ["1.0.3", "/api/v1/main"],
    ["2.0.0-SNAPSHOT", "/api/v1/main"],
    ["v0.23.1", "/api/v1/main"],
  ])("%s uses %s", (version, base) => {
    expect(apiBaseFor(parseKestraVersion(version)!, "main")).toBe(base);
  });

  it("uses the configured tenant from 0.23", () => {
    expect(apiBaseFor(parseKestraVersion("1.1.0")!, "acme")).toBe("/api/v1/acme");
  });

  it("rejects what is not a version", () => {
    expect(parseKestraVersion("develop")).toBeUndefined();
  });
});

describe("Kestra error bodies", () => {
  it("reads a single violation serialised as an object (Micronaut's collapse)", () => {
    const body = JSON.stringify({
      message: "Invalid entity: flow.id: Flow id already exists",
      _links: { self: { href: "/api/v1/main/flows", templated: false } },
      _embedded: { errors: { message: "Flow id already exists", path: "flow.id" } },
    });
    expect(parseKestraErrorBody(body)).toEqual({
      message: "Invalid entity: flow.id: Flow id already exists",
      violations: [{ message: "Flow id already exists", path: "flow.id" }],
    });
  });

  it("reads several violations as a list", () => {
    const body = JSON.stringify({
      message: "Invalid entity: flow.id: Illegal flow id update, flow.namespace: Illegal namespace update",
      _embedded: {
        errors: [
          { message: "Illegal flow id update", path: "flow.id" },
          { message: "Illegal namespace update", path: "flow.namespace" },
        ],
      },
    });
    expect(parseKestraErrorBody(body).violations).toHaveLength(2);
  });

  it("keeps a text/plain body as the message", () => {
    expect(parseKestraErrorBody("Illegal argument: blank source")).toEqual({ message: "Illegal argument: blank source", violations: [] });
  });

  it("names the flow and the violation in the error message", () => {
    const error = new KestraApiError({
      method: "POST",
      url: "http://k/api/v1/main/flows",
      status: 422,
      request: { method: "POST", url: "http://k/api/v1/main/flows", headers: redactHeaders({ Authorization: "Basic dXNlcjpwYXNz" }) },
      violations: [{ path: "flow.id", message: "Flow id already exists" }],
      flow: { namespace: "acme.bronze", id: "load" },
    });
    expect(error.message).toBe("POST http://k/api/v1/main/flows failed with HTTP 422 (flow acme.bronze/load): flow.id: Flow id already exists");
    expect(JSON.stringify(error)).not.toContain("dXNlcjpwYXNz");
    expect(error.request.headers.Authorization).toBe("Basic ***");
  });
});

describe("retry timing", () => {
  it("grows exponentially, is capped, and is jittered", () => {
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
  });

  it("reads Retry-After in seconds and as a date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(5000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe("flow sources", () => {
  it("finds id and namespace at the top level only", () => {
    const source = "# comment\nid: load_costs\nnamespace: \"acme.bronze\" # tenant root\ntasks:\n  - id: nested\n    type: io.kestra.plugin.core.log.Log\n";
    expect(flowKeyFromSource(source)).toEqual({ namespace: "acme.bronze", id: "load_costs" });
  });

  it("compares sources like Kestra: one leading revision line is ignored", () => {
    expect(sameSource("revision: 3\nid: a\n", "id: a\n")).toBe(true);
    expect(sameSource("id: a\n", "id: a \n")).toBe(false);
  });

  it("keeps namespace trees dot-bounded", () => {
    expect(inNamespaceTree("customer_1.bronze", "customer_1")).toBe(true);
    expect(inNamespaceTree("customer_1", "customer_1")).toBe(true);
    expect(inNamespaceTree("customer_10.bronze", "customer_1")).toBe(false);
  });
});

describe("client options from an environment", () => {
  const environment = { name: "staging", kestra: { url: "http://kestra:8080", tenant: "main" } };

  it("prefers a token, then username and password", () => {
    expect(kestraClientOptionsFromEnvironment(environment, { variables: { KESTRA_TOKEN: "t0k" } }).auth).toEqual({ kind: "bearer", token: "t0k" });
    expect(kestraClientOptionsFromEnvironment(environment, { variables: { KESTRA_USERNAME: "u@x.io", KESTRA_PASSWORD: "Secret123" } }).auth).toEqual({
      kind: "basic",
      username: "u@x.io",
      password: "Secret123",
    });
    expect(kestraClientOptionsFromEnvironment(environment, { variables: {} }).auth).toBeUndefined();
  });

  it("reads the variable names the config gives", () => {
    const named = { name: "prod", kestra: { url: "http://k", usernameEnv: "PROD_USER", passwordEnv: "PROD_PASS", tokenEnv: "PROD_TOKEN" } };
    expect(kestraClientOptionsFromEnvironment(named, { variables: { KESTRA_TOKEN: "wrong", PROD_USER: "a@b.c", PROD_PASS: "Pw123456" } }).auth).toEqual({
      kind: "basic",
      username: "a@b.c",
      password: "Pw123456",
    });
  });

  it("lets --kestra-url win and explains a missing URL or half-set credentials", () => {
    expect(kestraClientOptionsFromEnvironment(environment, { url: "http://other:8080", variables: {} }).url).toBe("http://other:8080");
    expect(() => kestraClientOptionsFromEnvironment({ name: "dev", kestra: {} }, { variables: {} })).toThrow(/environments\.dev\.kestra\.url/);
    const half = () => kestraClientOptionsFromEnvironment(environment, { variables: { KESTRA_USERNAME: "u@x.io" } });
    expect(half).toThrow(KestraConfigError);
    expect(half).toThrow("KESTRA_USERNAME is set but KESTRA_PASSWORD is not");
  });
});
