// Test support only (excluded from the build): flows and small repositories from YAML strings.
import { parse } from "yaml";
import type { RepositoryInputs } from "../inputs.js";
import type { DiffableFlow, RenderOutput } from "../types.js";

export interface TestFlow extends DiffableFlow {
  locate(path: readonly (string | number)[]): { file: string; line: number; column: number };
}

/** A rendered flow from its YAML source; namespace and id come from the document. */
export function flowFromYaml(source: string, meta: { env?: string; tenant?: string | null; template?: string; templateKey?: string } = {}): TestFlow {
  const document = parse(source) as Record<string, unknown>;
  const namespace = String(document["namespace"] ?? "ns");
  const id = String(document["id"] ?? "flow");
  const templateKey = meta.templateKey ?? id;
  const template = meta.template ?? `flows/${templateKey}.yaml`;
  return {
    env: meta.env ?? "staging",
    tenant: meta.tenant === undefined ? "acme" : meta.tenant,
    namespace,
    id,
    template,
    templateKey,
    document,
    source,
    locate: () => ({ file: template, line: 1, column: 1 }),
  };
}

export interface MiniRepository extends RepositoryInputs {
  environments: { name: string; vars: Record<string, unknown> }[];
  tenantValues: Map<string, Record<string, unknown>>;
}

/**
 * A stand-in for `readRepository` over an in-memory file map, for pure tests: `flowops.config.yaml`
 * (`environments` names and vars), `tenants/<code>.yaml`, `flows/<folder>/<id>.yaml`.
 */
export function readMiniRepository(files: ReadonlyMap<string, string>): MiniRepository {
  const configText = files.get("flowops.config.yaml");
  const config = (configText ? parse(configText) : {}) as { environments?: Record<string, { vars?: Record<string, unknown> }> };
  const environments = Object.entries(config.environments ?? { staging: {} }).map(([name, value]) => ({ name, vars: value?.vars ?? {} }));
  const templates = [...files.entries()]
    .filter(([path]) => path.startsWith("flows/") && path.endsWith(".yaml"))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([file, text]) => ({ file, text, key: file.slice("flows/".length, -".yaml".length) }));
  const tenantValues = new Map<string, Record<string, unknown>>();
  const tenants = [...files.entries()]
    .filter(([path]) => path.startsWith("tenants/") && path.endsWith(".yaml"))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([file, text]) => {
      const code = file.slice("tenants/".length, -".yaml".length);
      tenantValues.set(code, parse(text) as Record<string, unknown>);
      return { code, file };
    });
  return {
    mode: "multi-tenant",
    config: { flowsDir: "flows", tenantsDir: "tenants" },
    ...(configText !== undefined ? { configFile: "flowops.config.yaml" } : {}),
    templates,
    tenants,
    // Like readRepository: only the input files it read, not README.md and the like.
    files: new Map([...files].filter(([path]) => path === "flowops.config.yaml" || path.startsWith("flows/") || path.startsWith("tenants/"))),
    environments,
    tenantValues,
  };
}

/**
 * A stand-in for `render`: `${path}` placeholders over tenant/env/flow, tenant `flows` switches
 * (`enabled: false`, `disabled: true`), tenant `environments`. Enough to exercise the differ.
 */
export function miniRender(repo: MiniRepository, options: { envs?: readonly string[]; tenants?: readonly string[] } = {}): RenderOutput<TestFlow> {
  const flows: TestFlow[] = [];
  for (const env of repo.environments) {
    if (options.envs && !options.envs.includes(env.name)) continue;
    for (const tenant of repo.tenants) {
      if (options.tenants && !options.tenants.includes(tenant.code)) continue;
      const values = repo.tenantValues.get(tenant.code) ?? {};
      const tenantEnvs = values["environments"];
      if (Array.isArray(tenantEnvs) && !tenantEnvs.includes(env.name)) continue;
      for (const template of repo.templates) {
        const switches = ((values["flows"] ?? {}) as Record<string, { enabled?: boolean; disabled?: boolean }>)[template.key] ?? {};
        if (switches.enabled === false) continue;
        const slash = template.key.lastIndexOf("/");
        const folder = slash < 0 ? "" : template.key.slice(0, slash);
        const id = template.key.slice(slash + 1);
        const namespace = [tenant.code, ...folder.split("/").filter(Boolean)].join(".");
        const context = { tenant: values, env: { name: env.name, vars: env.vars }, flow: { id, folder, namespace } };
        const body = template.text.replace(/\$\{([a-zA-Z0-9_.]+)\}/g, (_match, path: string) => String(lookup(context, path) ?? ""));
        const source = `id: ${id}\nnamespace: ${namespace}\n${body}${switches.disabled ? "disabled: true\n" : ""}`;
        const flow = flowFromYaml(source, { env: env.name, tenant: tenant.code, template: template.file, templateKey: template.key });
        flows.push(flow);
      }
    }
  }
  return { flows, problems: [] };
}

function lookup(context: unknown, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split(".")) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}
