import { isSecretVariableName, registerSecret } from "@flowops/redact";

/**
 * The variables a child process (git) may inherit: where programs and the home folder are, temp
 * folders, locale, proxies and CA bundles. Nothing else: the App's key, webhook secret and tokens
 * stay in the bot, and an editor, pager, askpass or user config set for people never runs for the bot.
 */
const INHERITED = new Set([
  "PATH", "HOME", "USERPROFILE", "SYSTEMROOT", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL",
  "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR",
]);

/** The bot's own secrets and GitHub's: read once at start, then taken out of the process environment. */
export const BOT_SECRET_VARIABLES = [
  "GITHUB_APP_PRIVATE_KEY",
  "GITHUB_WEBHOOK_SECRET",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "ACTIONS_RUNTIME_TOKEN",
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
  "KESTRA_USERNAME",
  "KESTRA_PASSWORD",
  "KESTRA_TOKEN",
] as const;

/**
 * The environment for a child process flowops starts: an allow-list of `base` (never a token, a
 * key, a webhook secret or a Kestra credential, whatever its name), plus `extra`.
 */
export function childProcessEnv(extra: NodeJS.ProcessEnv = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (INHERITED.has(name) && value !== undefined && !isSecretVariableName(name)) env[name] = value;
  return { ...env, ...extra };
}

/**
 * Takes the bot's secrets (and `names`, the operator's credential variables) out of `env` (the
 * process environment), after registering their values with the scrubber, so no library that
 * spawns a process with `process.env` hands them on. Returns a copy of `env` as it was, for the
 * code that reads them once.
 */
export function withdrawSecrets(env: NodeJS.ProcessEnv, names: readonly string[] = []): NodeJS.ProcessEnv {
  const snapshot = { ...env };
  for (const name of [...BOT_SECRET_VARIABLES, ...names, ...Object.keys(env).filter(isSecretVariableName)]) {
    registerSecret(env[name]);
    delete env[name];
  }
  return snapshot;
}
