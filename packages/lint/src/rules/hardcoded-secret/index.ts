import { BoundedStringCache, hasPebble, type ValuePart, type ValuePath } from "@flowops/flow-model";
import { collectLeaves, type Leaf } from "../../leaves.js";
import type { Rule } from "../../types.js";

/** Key endings (lower case, no separators) that name a credential. */
const CREDENTIAL_KEY_ENDINGS = [
  "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "accesskey", "secretkey",
  "privatekey", "clientsecret", "serviceaccount", "credentials", "sastoken", "connectionstring",
];
/** Key endings that look like a credential's but name something else (`tokenEndpoint` is not caught anyway). */
const NOT_CREDENTIAL_KEY_ENDINGS = ["secretname", "secretref", "tokenurl", "tokenendpoint", "passwordenv", "tokenenv", "secretkeyref", "maxtoken", "maxtokens"];

/**
 * Keys that name where a credential may sit, not a credential: a connection string, a credentials
 * file or a service account may be a plain host, path or name (`connection_string: hn.db`), so
 * their values are judged by shape only.
 */
const CONTAINER_KEY_ENDINGS = ["connectionstring", "credentials", "serviceaccount"];

/** Values whose form is a credential, whatever the key. The first group, when there is one, is the secret part. */
const CREDENTIAL_VALUE_PATTERNS: readonly [string, RegExp][] = [
  ["an AWS access key id", /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["a GitHub token", /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ["a Slack token", /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
  // `mongodb://user:pass@host`, `postgresql://app:s3cret@db/app`: a URI with a password in it.
  ["a password in a URI", /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"{}$<>]+:([^\s/@'"{}$<>*]+)@[^\s/@'"]/i],
  // `Server=db;User Id=app;Password=s3cret;`, Azure `AccountKey=...`.
  ["a password in a connection string", /(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*([^;\s'"{}$<>*][^;'"{}$<>]*)/i],
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

/** A credential-shaped part of a string: what it is, and where it is in the string. */
export function credentialIn(value: string): { kind: string; part: ValuePart } | undefined {
  for (const [kind, pattern] of CREDENTIAL_VALUE_PATTERNS) {
    const match = pattern.exec(value);
    if (!match) continue;
    const secret = match[1];
    if (secret !== undefined && (hasPebble(secret) || secret.startsWith("$") || /^(x+|\*+|\.+)$/i.test(secret))) continue;
    const text = secret ?? match[0];
    return { kind, part: { index: match.index + match[0].indexOf(text), text } };
  }
  return undefined;
}

// Namespaces and keys recur in every flow of a tenant: each distinct string is searched once.
const credentialShapes = new BoundedStringCache(credentialIn);

const allowLists = new WeakMap<object, (value: string) => boolean>();

/**
 * The rule's options: values (exact, or `/regex/`) that are known not to be secrets, e.g.
 * documentation example keys. Read once per options object (the engine hands a rule the same one
 * for every flow of a run), not once per flow.
 */
export function allowList(options: Readonly<Record<string, unknown>>): (value: string) => boolean {
  let allowed = allowLists.get(options);
  if (allowed === undefined) allowLists.set(options, (allowed = readAllowList(options)));
  return allowed;
}

function readAllowList(options: Readonly<Record<string, unknown>>): (value: string) => boolean {
  const allow = Array.isArray(options.allow) ? options.allow.filter((entry): entry is string => typeof entry === "string") : [];
  if (allow.length === 0) return () => false;
  const tests = allow.map((entry) => {
    const regex = /^\/(.+)\/([a-z]*)$/.exec(entry);
    if (regex) {
      const pattern = new RegExp(regex[1]!, regex[2]);
      // One pattern serves every flow of a run: a `g` or `y` flag must not carry a position from one value to the next.
      return (value: string) => {
        pattern.lastIndex = 0;
        return pattern.test(value);
      };
    }
    return (value: string) => value === entry;
  });
  return (value) => tests.some((test) => test(value));
}

type Report = (finding: { messageId: string; path: ValuePath; data: Record<string, string>; within?: ValuePart }) => void;

/**
 * Reports a credential in clear in one scalar: a value shaped like a credential whatever its key
 * (a URI with a password, a token, a key, also inside block scalars), or the literal value of a key
 * that names a credential (`password`, `apiKey`) but not of one that only names where one may be
 * (`connection_string: hn.db`).
 */
function checkLeaf({ value, path, key }: Leaf, allowed: (value: string) => boolean, report: Report): void {
  // Documentation is not configuration: `description` may show what not to do.
  if (path.includes("description")) return;
  if (typeof value === "string" && allowed(value.trim())) return;
  const shaped = typeof value === "string" ? credentialShapes.get(value) : undefined;
  if (shaped) {
    if (!allowed(shaped.part.text)) report({ messageId: "credentialValue", path, data: { kind: shaped.kind }, within: shaped.part });
    return;
  }
  if (typeof key === "string" && isCredentialKey(key) && !isContainerKey(key) && isLiteralCredential(value)) report({ messageId: "literalValue", path, data: { key } });
}

function isContainerKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  return CONTAINER_KEY_ENDINGS.some((ending) => normalized.endsWith(ending));
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
  visitFlow({ options, report }) {
    const allowed = allowList(options);
    return { scalar: (leaf) => checkLeaf(leaf, allowed, report) };
  },
  checkTenant({ tenant, options, report }) {
    const allowed = allowList(options);
    for (const leaf of collectLeaves(tenant.values)) checkLeaf(leaf, allowed, report);
  },
};
