const MASK = "***";
/** Shorter values are too likely to be ordinary words to be replaced everywhere. */
const MIN_SECRET_LENGTH = 4;

const registered = new Set<string>();

const SECRET_VARIABLE = /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PRIVATE_KEY|API_KEY|APIKEY|CREDENTIAL/i;

/** Whether an environment variable's name says it holds a secret (`GITHUB_TOKEN`, `KESTRA_PASSWORD`, …). */
export function isSecretVariableName(name: string): boolean {
  return SECRET_VARIABLE.test(name);
}

/** The values of the variables of `env` whose names say they hold a secret. */
export function secretsFromEnvironment(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => isSecretVariableName(name) && value !== undefined && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value!);
}

/** Makes `redact` replace `value` (and its encoded forms) from now on, in this process. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= MIN_SECRET_LENGTH) registered.add(value);
}

/** Registers every secret-named variable of `env` (see {@link secretsFromEnvironment}). */
export function registerSecretsFromEnvironment(env: Readonly<Record<string, string | undefined>>): void {
  for (const value of secretsFromEnvironment(env)) registerSecret(value);
}

/**
 * `text` without credentials: known secret values (in their raw, JSON-escaped, URL-encoded and
 * base64 forms, and line by line when they span lines), PEM private keys, credential header
 * values, the quoted value of undici's invalid-header message, and URL user information.
 * `extraSecrets` are replaced too, without being registered.
 */
export function redact(text: string, extraSecrets: readonly (string | undefined)[] = []): string {
  let out = text;
  const secrets = [...registered, ...extraSecrets.filter((s): s is string => !!s && s.length >= MIN_SECRET_LENGTH)];
  const forms = new Set<string>();
  for (const secret of secrets) for (const form of encodedForms(secret)) forms.add(form);
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join(MASK);

  out = out.replace(/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g, MASK);
  // undici: `Headers.append: "Bearer <token>" is an invalid header value.` (the token held a line
  // break or a character outside Latin-1); the quoted value may span lines.
  out = out.replace(/(Headers\.\w+: )?"[\s\S]*?"( is an invalid header (?:value|name))/g, (_m, prefix: string | undefined, suffix: string) => `${prefix ?? ""}"${MASK}"${suffix}`);
  out = out.replace(/\b(proxy-authorization|authorization|cookie|x-api-key|private-token)(["']?\s*[:=]\s*["']?)([^\r\n"',}]*)/gi, (_m, name: string, sep: string, value: string) => {
    const scheme = /^(\w+)\s+\S/.exec(value)?.[1];
    return `${name}${sep}${scheme ? `${scheme} ` : ""}${MASK}`;
  });
  out = out.replace(/\b(Bearer|Basic|Token|Digest)(\s+)([^\s"',;<>()[\]{}]{6,})/gi, (match, scheme: string, space: string, value: string) =>
    value === MASK || /^[a-z]+$/.test(value) || /^[A-Z][a-z]+$/.test(value) ? match : `${scheme}${space}${MASK}`,
  );
  out = out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>]*)@/gi, (match, scheme: string, userinfo: string) =>
    userinfo === MASK || (userinfo.includes("/") && !userinfo.includes(":")) ? match : `${scheme}${MASK}@`,
  );
  return out;
}

/** The message of `error` (its cause's too, when it adds something), redacted. */
export function redactError(error: unknown): string {
  if (!(error instanceof Error)) return redact(String(error));
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? `: ${error.cause.message}` : "";
  return redact(`${error.message}${cause}`);
}

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "private-token"]);

/** Headers with credentials replaced, keeping the scheme: `Authorization: Basic ***`. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (SECRET_HEADERS.has(name.toLowerCase())) {
      const scheme = /^(\w+)\s/.exec(value)?.[1];
      out[name] = scheme ? `${scheme} ${MASK}` : MASK;
    } else out[name] = redact(value);
  }
  return out;
}

/** The URL without user information, so `https://user:pass@host` never reaches a message. */
export function stripUrlCredentials(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.toString());
  } catch {
    return redact(url.toString());
  }
  if (parsed.username === "" && parsed.password === "") return parsed.toString();
  parsed.username = "";
  parsed.password = "";
  return parsed.toString();
}

function encodedForms(secret: string): string[] {
  const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")];
  // A secret with a line break is often printed (or split) line by line.
  for (const line of secret.split(/\r?\n/)) if (line.trim().length >= MIN_SECRET_LENGTH && line !== secret) forms.push(line.trim());
  return forms.filter((form) => form.length >= MIN_SECRET_LENGTH);
}
