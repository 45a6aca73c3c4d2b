import { validatorFor, type ConfigFile } from "@flowops/schemas";
import type { EnvironmentConfig, FlowopsConfig, RepositoryProblem, RuleSeverity } from "./types.js";
import { parseYamlFile } from "./yaml-file.js";
import { locateInYaml } from "./locate.js";

export const CONFIG_FILE = "flowops.config.yaml";
/** Where `flowops schema pull` saves the flow schema a Kestra server publishes, for offline linting. */
export const KESTRA_FLOW_SCHEMA_FILE = ".flowops/kestra-flow-schema.json";
/** A server's schema covers every installed plugin: far larger than any flow file. */
export const MAX_KESTRA_SCHEMA_BYTES = 64 * 1024 * 1024;
export const DEFAULT_NAMESPACE_PATTERN = "${tenant.code}.${flow.folder}";
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

/** Parses, validates and normalises `flowops.config.yaml`. */
export function loadConfig(file: string, text: string): { config: FlowopsConfig; problems: RepositoryProblem[] } {
  const { parsed, problems } = parseYamlFile(file, text);
  if (!parsed) return { config: defaultConfig(), problems: problems.map((p) => ({ ...p, code: "config-schema" })) };
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
    };
  }
  const config = normalizeConfig(value as ConfigFile);
  const unsafe = [config.flowsDir, config.tenantsDir, config.tenantVarsSchema].filter(
    (p): p is string => p !== undefined && (p.startsWith("/") || p.split("/").includes("..")),
  );
  if (unsafe.length > 0) {
    return {
      config,
      problems: unsafe.map((p) => ({
        code: "config-schema",
        file,
        line: 1,
        column: 1,
        message: `path "${p}" leaves the repository; use a path relative to the repository root`,
      })),
    };
  }
  return { config, problems: [] };
}
