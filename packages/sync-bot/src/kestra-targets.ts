import { readFile } from "node:fs/promises";
import { kestraClientOptionsFromEnvironment, type KestraClientOptions } from "@flowops/kestra";
import { registerSecret } from "@flowops/redact";
import { parse } from "yaml";

/** The operator's side of one environment: where its deploys go and which variables hold the credentials. */
export interface OperatorEnvironment {
  /** The Kestra URL deploys go to; a repository URL on another origin is refused. */
  url?: string;
  /** Instead of `url`: the hosts a repository's `kestra.url` may name (the URL then comes from the repository). */
  allowedHosts?: string[];
  usernameEnv: string;
  passwordEnv: string;
  tokenEnv: string;
}

/** The repository's view of an environment (`EnvironmentConfig` of `@flowops/render`, structurally). */
export interface RepositoryEnvironment {
  name: string;
  kestra: { url?: string; tenant?: string; usernameEnv?: string; passwordEnv?: string; tokenEnv?: string };
}

/** A repository config that would send credentials elsewhere than the operator said: refused, not followed. */
export class KestraTargetRefusedError extends Error {
  override readonly name = "KestraTargetRefusedError";
}

/** An operator setting that cannot work (exit 2 at start), naming what to fix. */
export class KestraTargetsConfigError extends Error {
  override readonly name = "KestraTargetsConfigError";
}

const DEFAULT_NAMES = { usernameEnv: "KESTRA_USERNAME", passwordEnv: "KESTRA_PASSWORD", tokenEnv: "KESTRA_TOKEN" } as const;
type CredentialRole = keyof typeof DEFAULT_NAMES;
const ROLES: CredentialRole[] = ["usernameEnv", "passwordEnv", "tokenEnv"];

/** Variables that hold the bot's own secrets or GitHub's: never a Kestra credential, whatever a config says. */
const FORBIDDEN_VARIABLE = /^(GITHUB_|GH_|ACTIONS_|RUNNER_|FLOWOPS_BOT_|NODE_|NPM_)|^(PATH|HOME)$/;

/**
 * Where `flowops ci deploy` and `flowops bot serve` send each environment's deploy, and with
 * which credentials: fixed by the operator (the workflow's environment, or the bot's own
 * environment and config file), never by the repository. The credential values are read once,
 * when the targets are made, from the operator's variable names only.
 */
export class KestraTargets {
  private constructor(
    private readonly environments: ReadonlyMap<string, OperatorEnvironment> | { any: OperatorEnvironment },
    private readonly credentials: Readonly<Record<string, string | undefined>>,
    /** Where the operator sets these, for messages. */
    private readonly where: string,
  ) {
    for (const value of Object.values(credentials)) registerSecret(value);
  }

  /**
   * GitHub Actions: the step's environment is the operator's side, set per GitHub environment:
   * `KESTRA_URL`, and `KESTRA_USERNAME` + `KESTRA_PASSWORD` or `KESTRA_TOKEN`.
   */
  static fromActions(env: Readonly<Record<string, string | undefined>>): KestraTargets {
    const url = env["KESTRA_URL"];
    const operator: OperatorEnvironment = { ...(url ? { url } : {}), ...DEFAULT_NAMES };
    return new KestraTargets({ any: operator }, pick(env, Object.values(DEFAULT_NAMES)), "the workflow's environment (KESTRA_URL, KESTRA_USERNAME + KESTRA_PASSWORD or KESTRA_TOKEN, per GitHub environment)");
  }

  /**
   * The GitHub App: `FLOWOPS_BOT_CONFIG` names a YAML file with one entry per environment
   * (`url` or `allowedHosts`, and `usernameEnv` + `passwordEnv` or `tokenEnv`); without it,
   * `KESTRA_URL` and `KESTRA_USERNAME` + `KESTRA_PASSWORD` or `KESTRA_TOKEN` serve every environment.
   */
  static async fromBotEnvironment(env: Readonly<Record<string, string | undefined>>): Promise<KestraTargets> {
    const file = env["FLOWOPS_BOT_CONFIG"];
    if (!file) {
      const url = env["KESTRA_URL"];
      return new KestraTargets({ any: { ...(url ? { url } : {}), ...DEFAULT_NAMES } }, pick(env, Object.values(DEFAULT_NAMES)), "the bot's environment (KESTRA_URL, KESTRA_USERNAME + KESTRA_PASSWORD or KESTRA_TOKEN), or the file FLOWOPS_BOT_CONFIG names");
    }
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new KestraTargetsConfigError(`cannot read the bot's config ${file} (FLOWOPS_BOT_CONFIG): ${error instanceof Error ? error.message : String(error)}`);
    }
    const environments = parseBotConfig(file, text);
    const names = [...environments.values()].flatMap((e) => ROLES.map((role) => e[role]));
    return new KestraTargets(environments, pick(env, names), `the bot's config ${file} (FLOWOPS_BOT_CONFIG)`);
  }

  /** The operator's credential variable names (to take them out of the process environment). */
  variableNames(): string[] {
    return Object.keys(this.credentials);
  }

  /** The values of the credentials these targets hold (to keep them out of child processes and output). */
  secretValues(): string[] {
    return Object.values(this.credentials).filter((v): v is string => !!v);
  }

  /**
   * Client options for deploying `environment` of the repository: the operator's URL and
   * credentials. Refuses (never follows) a repository that names another host, or another
   * variable for a credential than the operator's (or the default name).
   */
  clientOptions(environment: RepositoryEnvironment): KestraClientOptions {
    const name = environment.name;
    const operator = "any" in this.environments ? this.environments.any : this.environments.get(name);
    if (!operator) {
      throw new KestraTargetRefusedError(`the operator fixed no Kestra for environment ${name}: add it to ${this.where}. Nothing was deployed.`);
    }
    for (const role of ROLES) {
      const named = environment.kestra[role];
      if (named !== undefined && named !== DEFAULT_NAMES[role] && named !== operator[role]) {
        throw new KestraTargetRefusedError(
          `flowops.config.yaml names ${named} as ${role} of environment ${name}, but the operator's variable is ${operator[role]}: refused, not followed. ` +
            `Credentials come from ${this.where}; remove ${role} from flowops.config.yaml. Nothing was deployed.`,
        );
      }
    }
    const url = this.url(operator, environment);
    const kestra = { url, ...(environment.kestra.tenant !== undefined ? { tenant: environment.kestra.tenant } : {}), usernameEnv: operator.usernameEnv, passwordEnv: operator.passwordEnv, tokenEnv: operator.tokenEnv };
    return kestraClientOptionsFromEnvironment({ name, kestra }, { variables: this.credentials });
  }

  private url(operator: OperatorEnvironment, environment: RepositoryEnvironment): string {
    const name = environment.name;
    const named = environment.kestra.url;
    const namedOrigin = named ? originOf(named) : null;
    if (named && namedOrigin === null) throw new KestraTargetRefusedError(`kestra.url of environment ${name} in flowops.config.yaml is not a URL; nothing was deployed`);
    if (operator.url) {
      if (namedOrigin !== null && namedOrigin !== originOf(operator.url)) {
        throw new KestraTargetRefusedError(
          `flowops.config.yaml sends environment ${name} to ${namedOrigin}, but the operator fixed ${originOf(operator.url)}: refused, not followed. ` +
            `Set kestra.url to the operator's URL or remove it (it is set in ${this.where}). Nothing was deployed.`,
        );
      }
      return operator.url;
    }
    if (operator.allowedHosts?.length) {
      if (!named) throw new KestraTargetRefusedError(`environment ${name} has no kestra.url in flowops.config.yaml; the operator allows ${operator.allowedHosts.join(", ")}. Nothing was deployed.`);
      const host = new URL(named).hostname.toLowerCase();
      if (!operator.allowedHosts.some((allowed) => allowed.toLowerCase() === host)) {
        throw new KestraTargetRefusedError(`flowops.config.yaml sends environment ${name} to ${host}, which is not among the hosts the operator allows (${operator.allowedHosts.join(", ")}): refused, not followed. Nothing was deployed.`);
      }
      return named;
    }
    throw new KestraTargetRefusedError(`the operator fixed no Kestra URL for environment ${name}: set KESTRA_URL (or url / allowedHosts) in ${this.where}. Nothing was deployed.`);
  }
}

function parseBotConfig(file: string, text: string): Map<string, OperatorEnvironment> {
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new KestraTargetsConfigError(`${file} (FLOWOPS_BOT_CONFIG) is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const environments = (parsed as { environments?: unknown } | null)?.environments;
  if (typeof environments !== "object" || environments === null || Array.isArray(environments)) {
    throw new KestraTargetsConfigError(`${file} (FLOWOPS_BOT_CONFIG) needs "environments:", one entry per environment with url (or allowedHosts) and usernameEnv + passwordEnv or tokenEnv`);
  }
  const result = new Map<string, OperatorEnvironment>();
  for (const [name, raw] of Object.entries(environments as Record<string, unknown>)) {
    const entry = (raw ?? {}) as Record<string, unknown>;
    const where = `${file}: environments.${name}`;
    const text = (key: string) => {
      const value = entry[key];
      if (value !== undefined && typeof value !== "string") throw new KestraTargetsConfigError(`${where}.${key} must be a string`);
      return value;
    };
    const url = text("url");
    if (url !== undefined && originOf(url) === null) throw new KestraTargetsConfigError(`${where}.url is not an http(s) URL: ${url}`);
    const hosts = entry["allowedHosts"];
    if (hosts !== undefined && (!Array.isArray(hosts) || hosts.some((h) => typeof h !== "string"))) throw new KestraTargetsConfigError(`${where}.allowedHosts must be a list of host names`);
    if (url === undefined && !(hosts as string[] | undefined)?.length) throw new KestraTargetsConfigError(`${where} needs url (or allowedHosts)`);
    const operator: OperatorEnvironment = {
      ...(url !== undefined ? { url } : {}),
      ...(hosts !== undefined ? { allowedHosts: hosts as string[] } : {}),
      usernameEnv: text("usernameEnv") ?? DEFAULT_NAMES.usernameEnv,
      passwordEnv: text("passwordEnv") ?? DEFAULT_NAMES.passwordEnv,
      tokenEnv: text("tokenEnv") ?? DEFAULT_NAMES.tokenEnv,
    };
    for (const role of ROLES) {
      if (FORBIDDEN_VARIABLE.test(operator[role]) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(operator[role])) {
        throw new KestraTargetsConfigError(`${where}.${role} is ${operator[role]}: a Kestra credential cannot be read from that variable (it is not a plain name, or it holds the bot's or GitHub's own settings)`);
      }
    }
    result.set(name, operator);
  }
  return result;
}

function pick(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of names) if (env[name] !== undefined) out[name] = env[name];
  return out;
}

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
  } catch {
    return null;
  }
}
