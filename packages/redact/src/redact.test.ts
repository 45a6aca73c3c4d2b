import { describe, expect, it } from "vitest";
import { redact, redactError, redactHeaders, registerSecret, secretsFromEnvironment, stripUrlCredentials } from "./index.js";

const TOKENS = ["tokX9q\nen-with-newline-123", "p/ss@w:rd-42", "jeton-été-€-1234", "ghs_0123456789abcdef0123"];

describe("redact", () => {
  it.each(TOKENS)("removes the registered secret %j in every form it is printed in", (secret) => {
    registerSecret(secret);
    const texts = [
      `failed with ${secret} in it`,
      `json ${JSON.stringify({ password: secret })}`,
      `url https://kestra.example.com/?token=${encodeURIComponent(secret)}`,
      `b64 ${Buffer.from(secret).toString("base64")}`,
    ];
    for (const text of texts) {
      const out = redact(text);
      expect(out).not.toContain(secret);
      expect(out).not.toContain(encodeURIComponent(secret));
      for (const line of secret.split("\n")) expect(out).not.toContain(line);
    }
  });

  it.each([
    ['Headers.append: "Bearer abc\ndefSECRET" is an invalid header value.', ["abc", "defSECRET"]],
    ['TypeError: Headers.set: "Basic dXNlcjpw\r\nYXNz" is an invalid header value.', ["dXNlcjpw", "YXNz"]],
    ["Authorization: Bearer eyJhbGciOi.J9x_y-z", ["eyJhbGciOi"]],
    ["AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hz", ["eC1hY2Nlc3MtdG9rZW46Z2hz"]],
    ["GET https://admin:p%2Fss%40w@kestra.example.com/api/v1/flows failed", ["admin", "p%2Fss"]],
    ["GET https://admin:p/ss@w:rd@kestra.example.com/api failed", ["admin", "p/ss", "w:rd"]],
    ["clone https://x-access-token:ghs_abc@github.com/a/b.git", ["ghs_abc"]],
    ["key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY----- end", ["MIIEow"]],
  ])("scrubs %j without knowing the secret", (text, leaks) => {
    const out = redact(text as string);
    for (const leak of leaks as string[]) expect(out).not.toContain(leak);
    expect(out).toContain("***");
  });

  it("leaves ordinary text alone", () => {
    for (const text of [
      "KESTRA_USERNAME is set but KESTRA_PASSWORD is not: basic auth needs both (or set KESTRA_TOKEN for a bearer token)",
      "GET https://kestra.example.com/api/v1/flows failed with HTTP 401",
      "Basic authentication failed",
    ]) expect(redact(text)).toBe(text);
  });

  it("takes the secrets of an environment from the variable names", () => {
    expect(secretsFromEnvironment({ GITHUB_TOKEN: "ghs_1234", KESTRA_PASSWORD: "hunter22", KESTRA_USERNAME: "admin", PATH: "/usr/bin", GITHUB_WEBHOOK_SECRET: "whsec" })).toEqual(["ghs_1234", "hunter22", "whsec"]);
  });

  it("redacts headers and URLs in structured form", () => {
    expect(redactHeaders({ Authorization: "Bearer abc", accept: "application/json" })).toEqual({ Authorization: "Bearer ***", accept: "application/json" });
    expect(stripUrlCredentials("https://u:p%2F@h.example.com/x")).toBe("https://h.example.com/x");
    expect(redactError(new Error("boom", { cause: new Error("Bearer Zm9vYmFyYmF6") }))).toBe("boom: Bearer ***");
  });
});
