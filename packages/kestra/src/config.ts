import { KestraClient } from "./client.js";
import type { KestraClientOptions } from "./client.js";
import type { KestraAuth } from "./types.js";

/**
 * The Kestra part of one flowops environment, as `flowops.config.yaml` gives it (structurally
 * the `EnvironmentConfig` of `@flowops/render`, which this package does not depend on).
 */
export interface KestraEnvironmentConfig {
  name: string;
  kestra: {
    url?: string;
    tenant?: string;
    /** Names of the environment variables holding credentials (defaults KESTRA_USERNAME, ...). */
    usernameEnv?: string;
    passwordEnv?: string;
    tokenEnv?: string;
  };
}

/** A configuration problem a person can fix (missing URL, half-set credentials). */
export class KestraConfigError extends Error {
  override readonly name = "KestraConfigError";
}

export interface ClientFromEnvironmentOptions extends Omit<KestraClientOptions, "url" | "tenant" | "auth"> {
  /** `--kestra-url`: wins over the configured URL. */
  url?: string;
  /** Where credentials are read; default `process.env`. */
  variables?: Readonly<Record<string, string | undefined>>;
}

/**
 * Client options for one environment: URL from `--kestra-url` or the config, tenant from the
 * config (default `main`), credentials from environment variables only — a token (bearer) if set,
 * otherwise username and password (basic auth), otherwise none.
 */
export function kestraClientOptionsFromEnvironment(environment: KestraEnvironmentConfig, options: ClientFromEnvironmentOptions = {}): KestraClientOptions {
  const { url: urlOverride, variables = process.env, ...rest } = options;
  const url = urlOverride ?? environment.kestra.url;
  if (url === undefined || url.trim() === "") {
    throw new KestraConfigError(
      `No Kestra URL for environment '${environment.name}': set environments.${environment.name}.kestra.url in flowops.config.yaml or pass --kestra-url`,
    );
  }
  const usernameEnv = environment.kestra.usernameEnv ?? "KESTRA_USERNAME";
  const passwordEnv = environment.kestra.passwordEnv ?? "KESTRA_PASSWORD";
  const tokenEnv = environment.kestra.tokenEnv ?? "KESTRA_TOKEN";
  const token = nonEmpty(variables[tokenEnv]);
  const username = nonEmpty(variables[usernameEnv]);
  const password = nonEmpty(variables[passwordEnv]);
  let auth: KestraAuth | undefined;
  if (token !== undefined) auth = { kind: "bearer", token };
  else if (username !== undefined && password !== undefined) auth = { kind: "basic", username, password };
  else if (username !== undefined || password !== undefined) {
    const [set, unset] = username !== undefined ? [usernameEnv, passwordEnv] : [passwordEnv, usernameEnv];
    throw new KestraConfigError(`${set} is set but ${unset} is not: basic auth needs both (or set ${tokenEnv} for a bearer token)`);
  }
  const credentialSource =
    auth?.kind === "bearer"
      ? `a bearer token from ${tokenEnv}`
      : auth
        ? `basic auth from ${usernameEnv} + ${passwordEnv}`
        : `none: neither ${tokenEnv} nor ${usernameEnv} + ${passwordEnv} is set for environment '${environment.name}'`;
  const result: KestraClientOptions = { ...rest, url, credentialSource };
  if (environment.kestra.tenant !== undefined) result.tenant = environment.kestra.tenant;
  if (auth) result.auth = auth;
  return result;
}

/** A {@link KestraClient} for one environment; see {@link kestraClientOptionsFromEnvironment}. */
export function kestraClientFromEnvironment(environment: KestraEnvironmentConfig, options: ClientFromEnvironmentOptions = {}): KestraClient {
  return new KestraClient(kestraClientOptionsFromEnvironment(environment, options));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
