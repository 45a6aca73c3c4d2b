import { collectWatchedScalars, documentSlot, type ScalarWatch, type ValuePath } from "@flowops/flow-model";

/** A scalar of a YAML value (string, number, boolean or null) with where it sits. */
export interface Leaf {
  value: string | number | boolean | null;
  path: ValuePath;
  /** The key (or list index) holding it. */
  key: string | number | undefined;
}

/** Keys whose scalar values some rule reads (namespaces, credentials). */
const WATCHED_KEYS = new Set(["namespace"]);
const CREDENTIAL_KEY_ENDINGS = [
  "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "accesskey", "secretkey",
  "privatekey", "clientsecret", "serviceaccount", "credentials", "sastoken", "connectionstring",
];
/** Keys whose values are watched whatever they hold: `namespace`, and a cheap first cut of keys that may name a credential (the rule decides). */
function isWatchedKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  return WATCHED_KEYS.has(key) || CREDENTIAL_KEY_ENDINGS.some((ending) => normalized.endsWith(ending));
}
const DOTTED_NAMESPACE = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;
/** Credential shapes: AWS keys, private keys, GitHub and Slack tokens, `scheme://user:password@host`. */
const CREDENTIAL_SHAPE_HINT = /AKIA|ASIA|PRIVATE KEY|gh[pousr]_|xox[abposr]-|:\/\/[^\s/@:]+:[^\s/@]+@/;

/**
 * The scalars leaf-reading rules look at: values of `namespace` and credential-like keys, `kv(`
 * calls, dotted namespaces in lists and credential-shaped strings. Few per flow, so rules never
 * walk whole documents themselves. The walk asks about each key name once (`ScalarWatch`).
 */
const WATCHED: ScalarWatch = {
  key: isWatchedKey,
  value(value, key) {
    if (value.includes("kv(")) return true;
    if (typeof key === "number" && DOTTED_NAMESPACE.test(value)) return true;
    return value.length >= 12 && CREDENTIAL_SHAPE_HINT.test(value);
  },
};

const cache = documentSlot<readonly Leaf[]>();

/**
 * The watched scalars of a value with their paths (paths materialized only for them), in the walk
 * that also finds the flow's Pebble scalars (`@flowops/flow-model`), once per document.
 */
export function collectLeaves(value: unknown): readonly Leaf[] {
  if (typeof value === "object" && value !== null) {
    const cached = cache.get(value);
    if (cached) return cached;
  }
  const out = collectWatchedScalars(value, WATCHED);
  if (typeof value === "object" && value !== null) cache.set(value, out);
  return out;
}
