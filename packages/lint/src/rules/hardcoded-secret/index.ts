import type { ValuePath } from "@flowops/render";
import { collectLeaves, hasPebble } from "../../flow-model.js";
import type { Rule } from "../../types.js";

/** Key endings (lower case, no separators) that name a credential. */
const CREDENTIAL_KEY_ENDINGS = [
  "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "accesskey", "secretkey",
  "privatekey", "clientsecret", "serviceaccount", "credentials", "sastoken", "connectionstring",
];
/** Key endings that look like a credential's but name something else (`tokenEndpoint` is not caught anyway). */
const NOT_CREDENTIAL_KEY_ENDINGS = ["secretname", "secretref", "tokenurl", "tokenendpoint", "passwordenv", "tokenenv", "secretkeyref", "maxtoken", "maxtokens"];

/** Values whose form is a credential, whatever the key. */
const CREDENTIAL_VALUE_PATTERNS: readonly [string, RegExp][] = [
  ["an AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["a GitHub token", /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ["a Slack token", /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
];

const credentialKeys = new Map<string, boolean>();

/** True when a key names a credential (`password`, `db_password`, `apiKey`, `AWS_SECRET_ACCESS_KEY`). */
export function isCredentialKey(key: string): boolean {
  let known = credentialKeys.get(key);
  if (known === undefined) {
    known = classifyKey(key);
    credentialKeys.set(key, known);
  }
  return known;
}

function classifyKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (NOT_CREDENTIAL_KEY_ENDINGS.some((ending) => normalized.endsWith(ending))) return false;
  return CREDENTIAL_KEY_ENDINGS.some((ending) => normalized.endsWith(ending));
}

/** A credentials file named by path (`sa.json`, `/secrets/key.pem`): the file holds the secret, not the value. */
const FILE_REFERENCE = /^(~?\.{0,2}\/\S*|[\w.-]+\.(json|pem|key|p12|pfx|crt|jks))$/;
/** A documentation placeholder such as `<access-key>`. */
const PLACEHOLDER = /^<[^<>]*>$/;

/** True when a value is written in clear (not a Pebble expression, an env reference, a file path, a `<placeholder>` or empty). */
function isLiteralCredential(value: unknown): boolean {
  if (typeof value === "number") return true;
  if (typeof value !== "string") return false;
  const text = value.trim();
  if (text === "" || hasPebble(text) || text.startsWith("$")) return false;
  return !FILE_REFERENCE.test(text) && !PLACEHOLDER.test(text);
}

type Report = (messageId: string, path: ValuePath, data: Record<string, string>) => void;

/** Finds credentials in clear in a parsed YAML value: credential keys with literal values, and credential-shaped values. */
export function findHardcodedSecrets(value: unknown, report: Report): void {
  for (const { value: scalar, path, key } of collectLeaves(value)) {
    const credentialKey = typeof key === "string" && isCredentialKey(key);
    const shaped = typeof scalar === "string" && scalar.length >= 16;
    if (!credentialKey && !shaped) continue;
    // Documentation is not configuration: `description` may show what not to do.
    if (path.includes("description")) continue;
    if (credentialKey && isLiteralCredential(scalar)) {
      report("literalValue", path, { key });
      continue;
    }
    if (shaped) {
      const match = CREDENTIAL_VALUE_PATTERNS.find(([, pattern]) => pattern.test(scalar));
      if (match) report("credentialValue", path, { kind: match[0] });
    }
  }
}

/** A credential written in clear in a flow or a tenant file, where a Kestra secret belongs. */
export const hardcodedSecret: Rule = {
  meta: {
    id: "hardcoded-secret",
    description: "A credential written in clear where `{{ secret('...') }}` belongs",
    defaultSeverity: "warning",
    docs: "packages/lint/src/rules/hardcoded-secret/README.md",
    messages: {
      literalValue: "'{{key}}' holds a credential in clear; store it as a Kestra secret and write \"{{ secret('NAME') }}\" (or \"{{ kv('NAME') }}\")",
      credentialValue: "This value contains {{kind}} in clear; store it as a Kestra secret and write \"{{ secret('NAME') }}\"",
    },
  },
  checkFlow({ flow, report }) {
    findHardcodedSecrets(flow.document, (messageId, path, data) => report({ messageId, path, data }));
  },
  checkTenant({ tenant, report }) {
    findHardcodedSecrets(tenant.values, (messageId, path, data) => report({ messageId, path, data }));
  },
};
