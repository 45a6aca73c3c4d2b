import { validatorFor, type ConfigFile } from "@flowops/schemas";
import type { EnvironmentConfig, FlowopsConfig, RepositoryProblem, RuleSeverity, SourcePosition } from "./types.js";
import { parseYamlFile } from "./yaml-file.js";
import { locateInYaml } from "./locate.js";

export const CONFIG_FILE = "flowops.config.yaml";
/** Where `flowops schema pull` saves the flow schema a Kestra server publishes, for offline linting. */
export const KESTRA_FLOW_SCHEMA_FILE = ".flowops/kestra-flow-schema.json";
/** A server's schema covers every installed plugin: far larger than any flow file. */
export const MAX_KESTRA_SCHEMA_BYTES = 64 * 1024 * 1024;
export const DEFAULT_NAMESPACE_PATTERN = "${tenant.code}.${flow.folder}";
/**
 * The label naming the tenant a flow was rendered for (multi-tenant repositories only): it keeps
 * a flow's owner known after the tenant file is gone, so deploy can prune it.
 */
export const TENANT_LABEL = "flowops.tenant";

export const DEFAULT_OWNERSHIP_LABELS: Readonly<Record<string, string>> = Object.freeze({
  "managed-by": "flowops",
  "system.readOnly": "true",
});

/** The configuration of a repository without `flowops.config.yaml`. */
export function defaultConfig(): FlowopsConfig {
  return normalizeConfig({});
}

/** Applies every default to a config file that passed its schema. */
export function normalizeConfig(file: ConfigFile): FlowopsConfig {
  const environments: EnvironmentConfig[] = Object.entries(file.environments ?? {}).map(([name, env]) => ({
    name,
    vars: env?.vars ?? {},
    kestra: {
      ...(env?.kestra?.url ? { url: env.kestra.url } : {}),
      ...(env?.kestra?.tenant ? { tenant: env.kestra.tenant } : {}),
      usernameEnv: env?.kestra?.usernameEnv ?? "KESTRA_USERNAME",
      passwordEnv: env?.kestra?.passwordEnv ?? "KESTRA_PASSWORD",
      tokenEnv: env?.kestra?.tokenEnv ?? "KESTRA_TOKEN",
    },
  }));
  return {
    flowsDir: trimSlashes(file.flows ?? "flows"),
    tenantsDir: trimSlashes(file.tenants ?? "tenants"),
    namespacePattern: file.namespace ?? DEFAULT_NAMESPACE_PATTERN,
    ...(file.tenantVarsSchema ? { tenantVarsSchema: trimSlashes(file.tenantVarsSchema) } : {}),
    environments,
    deploy: {
      branch: file.deploy?.branch ?? "main",
      prune: file.deploy?.prune ?? false,
      maxDeleteShare: file.deploy?.maxDeleteShare ?? 0.25,
      selfHeal: file.deploy?.selfHeal ?? false,
      approvals: file.deploy?.approvals ?? 1,
      allowedPushers: file.deploy?.allowedPushers ?? [],
      protectedTenants: file.deploy?.protectedTenants ?? [],
    },
    lint: lintSettings(file.lint?.rules ?? {}),
    ownershipLabels: { ...DEFAULT_OWNERSHIP_LABELS, ...(file.labels ?? {}) },
  };
}

/** `lint.rules` entries are a severity or `[severity, options]`: severities and options apart. */
function lintSettings(rules: NonNullable<NonNullable<ConfigFile["lint"]>["rules"]>): FlowopsConfig["lint"] {
  const severities: Record<string, RuleSeverity> = {};
  const options: Record<string, Record<string, unknown>> = {};
  for (const [rule, setting] of Object.entries(rules)) {
    if (Array.isArray(setting)) {
      severities[rule] = setting[0];
      options[rule] = setting[1];
    } else severities[rule] = setting;
  }
  return { rules: severities, options };
}

function trimSlashes(path: string): string {
  return path.replace(/^\.\//, "").replace(/\/+$/, "");
}

/** A config entry that names a file or folder of the repository. */
export type ConfigPathKey = "flows" | "tenants" | "tenantVarsSchema";

/** Where the config names a repository path, so a refusal can point at it. */
export interface ConfigPath extends SourcePosition {
  key: ConfigPathKey;
  path: string;
}

export interface LoadedConfig {
  config: FlowopsConfig;
  problems: RepositoryProblem[];
  /** The paths the config file names (not the defaults), with their positions. */
  paths: ConfigPath[];
  /** Paths that leave the repository: reported as problems, replaced by the defaults, and refused by `readRepository`. */
  unsafePaths: ConfigPath[];
}

/**
 * Parses, validates and normalises `flowops.config.yaml`. A path that could leave the repository
 * (absolute, `..`, backslashes) is a problem at its line and column and is never used: the
 * folder falls back to its default and the vars schema is dropped.
 */
export function loadConfig(file: string, text: string): LoadedConfig {
  const { parsed, problems } = parseYamlFile(file, text);
  if (!parsed) return { config: defaultConfig(), problems: problems.map((p) => ({ ...p, code: "config-schema" })), paths: [], unsafePaths: [] };
  const value = parsed.value ?? {};
  const violations = validatorFor("config")(value);
  if (violations.length > 0) {
    return {
      config: defaultConfig(),
      problems: violations.map((v) => ({
        code: "config-schema",
        ...locateInYaml(parsed, v.path),
        message: `${v.path.length ? v.path.join(".") + ": " : ""}${v.message}`,
      })),
      paths: [],
      unsafePaths: [],
    };
  }
  const written = value as ConfigFile;
  const config = normalizeConfig(written);
  const paths: ConfigPath[] = [];
  for (const key of ["flows", "tenants", "tenantVarsSchema"] as const) {
    if (written[key] !== undefined) paths.push({ key, path: written[key], ...locateInYaml(parsed, [key]) });
  }
  const unsafePaths = paths.filter((p) => !isRepositoryRelative(p.path));
  for (const unsafe of unsafePaths) {
    if (unsafe.key === "flows") config.flowsDir = "flows";
    else if (unsafe.key === "tenants") config.tenantsDir = "tenants";
    else delete config.tenantVarsSchema;
  }
  return {
    config,
    problems: unsafePaths.map((p) => ({ code: "config-schema", file: p.file, line: p.line, column: p.column, message: unsafePathMessage(p) })),
    paths,
    unsafePaths,
  };
}

/** The message for a config path that leaves the repository (never quotes anything read through it). */
export function unsafePathMessage(entry: ConfigPath): string {
  return `${entry.key}: path ${JSON.stringify(entry.path)} leaves the repository (absolute, "..", "." or a backslash); use a path relative to the repository root, e.g. ${entry.key === "tenantVarsSchema" ? "schemas/tenant-vars.schema.json" : entry.key}`;
}

/** A plain relative path: forward slashes, no empty, `.` or `..` segment, not absolute. */
function isRepositoryRelative(path: string): boolean {
  const trimmed = trimSlashes(path);
  if (trimmed === "" || trimmed.startsWith("/") || /[\\\0]/.test(trimmed) || /^[A-Za-z]:/.test(trimmed)) return false;
  return trimmed.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}
