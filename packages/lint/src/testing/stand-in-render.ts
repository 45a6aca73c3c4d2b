// Test support: builds FlowRepository / RenderedFlow values with the `yaml` package, standing in for
// `@flowops/render` until its `readRepository`/`render` land on main. Not part of the build.
import type { FlowRepository, FlowopsConfig, RenderResult, RenderedFlow, RepositoryProblem, Tenant } from "@flowops/render";
import { isMap as isYamlMap } from "yaml";
import { parseLocatedYaml } from "../yaml-locate.js";

export function defaultConfig(overrides: Partial<FlowopsConfig> = {}): FlowopsConfig {
  return {
    flowsDir: "flows",
    tenantsDir: "tenants",
    namespacePattern: "${tenant.code}.${flow.folder}",
    environments: [{ name: "staging", vars: {}, kestra: { usernameEnv: "KESTRA_USERNAME", passwordEnv: "KESTRA_PASSWORD", tokenEnv: "KESTRA_TOKEN" } }],
    deploy: { prune: false, maxDeleteShare: 0.25, approvals: 1, allowedPushers: [], protectedTenants: [], branch: "main" },
    lint: { rules: {} },
    ownershipLabels: { "managed-by": "flowops", "system.readOnly": "true" },
    ...overrides,
  };
}

export interface StandInFlowInput {
  /** Repository-relative template path, e.g. `flows/bronze/orders.yaml`. */
  file: string;
  /** The rendered YAML text; positions are taken from `templateText` when given. */
  text: string;
  templateText?: string;
  tenant?: string | null;
  env?: string;
}

function templateFacts(file: string, flowsDir: string): { key: string; folder: string; fileId: string } {
  const relative = file.startsWith(`${flowsDir}/`) ? file.slice(flowsDir.length + 1) : file;
  const key = relative.replace(/\.ya?ml$/, "");
  const slash = key.lastIndexOf("/");
  return { key, folder: slash < 0 ? "" : key.slice(0, slash), fileId: slash < 0 ? key : key.slice(slash + 1) };
}

/** Parses one flow; a YAML error becomes a `yaml-syntax` problem, as render reports it. */
export function standInFlow(input: StandInFlowInput, flowsDir = "flows"): RenderedFlow | RepositoryProblem {
  const parsed = parseLocatedYaml(input.text, input.file);
  const error = parsed.document.errors[0];
  if (error) {
    const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
    return { code: "yaml-syntax", message: error.message.split("\n")[0] ?? error.message, file: input.file, line, column };
  }
  let document: unknown;
  try {
    document = parsed.document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    return { code: "yaml-syntax", message: (cause as Error).message, file: input.file, line: 1, column: 1 };
  }
  if (!isYamlMap(parsed.document.contents) || typeof document !== "object" || document === null) {
    return { code: "yaml-syntax", message: "a flow file must hold one YAML mapping", file: input.file, line: 1, column: 1 };
  }
  const located = input.templateText !== undefined ? parseLocatedYaml(input.templateText, input.file) : parsed;
  const record = document as Record<string, unknown>;
  const facts = templateFacts(input.file, flowsDir);
  return {
    env: input.env ?? "staging",
    tenant: input.tenant ?? null,
    namespace: typeof record.namespace === "string" ? record.namespace : "",
    id: typeof record.id === "string" ? record.id : facts.fileId,
    template: input.file,
    templateKey: facts.key,
    document: record,
    source: input.text,
    locate: (path) => located.locate(path),
  };
}

export interface StandInRepository {
  repository: FlowRepository;
  rendered: RenderResult;
}

/** A plain Kestra repository (no tenants): every file is one flow, as written. */
export function plainRepository(files: readonly { path: string; text: string }[], config: FlowopsConfig = defaultConfig()): StandInRepository {
  const flows: RenderedFlow[] = [];
  const problems: RepositoryProblem[] = [];
  for (const file of files) {
    const result = standInFlow({ file: file.path, text: file.text }, config.flowsDir);
    if ("code" in result) problems.push(result);
    else flows.push(result);
  }
  const repository: FlowRepository = {
    root: "/stand-in",
    mode: "plain",
    config,
    templates: files.map((file) => ({ file: file.path, text: file.text, ...templateFacts(file.path, config.flowsDir) })),
    tenants: [],
    files: new Map(files.map((file) => [file.path, file.text])),
    problems,
  };
  return { repository, rendered: { flows, problems: [] } };
}

/**
 * A multi-tenant repository rendered by plain text substitution of `${tenant.code}` and
 * `${tenant.<key>}` (enough for tests whose templates use no `$when`).
 */
export function multiTenantRepository(
  templates: readonly { path: string; text: string; tenants?: readonly string[] }[],
  tenants: readonly { code: string; values?: Record<string, unknown>; text?: string }[],
  config: FlowopsConfig = defaultConfig(),
  extraFiles: readonly { path: string; text: string }[] = [],
): StandInRepository {
  const tenantList: Tenant[] = tenants.map((tenant) => ({
    code: tenant.code,
    file: `${config.tenantsDir}/${tenant.code}.yaml`,
    values: { code: tenant.code, ...tenant.values },
    flows: {},
  }));
  const flows: RenderedFlow[] = [];
  const problems: RepositoryProblem[] = [];
  for (const template of templates) {
    const facts = templateFacts(template.path, config.flowsDir);
    for (const tenant of tenantList) {
      if (template.tenants && !template.tenants.includes(tenant.code)) continue;
      const text = template.text.replace(/\$\{(tenant|flow)\.(\w+)\}/g, (whole, scope: string, key: string) => {
        if (scope === "flow") return key === "folder" ? facts.folder.replace(/\//g, ".") : key === "id" ? facts.fileId : whole;
        const value = tenant.values[key];
        return value === undefined ? whole : String(value);
      });
      const withNamespace = /^namespace:/m.test(text) ? text : `${text.replace(/\n?$/, "\n")}namespace: ${tenant.code}.${facts.folder.replace(/\//g, ".")}\n`;
      const result = standInFlow({ file: template.path, text: withNamespace, templateText: template.text, tenant: tenant.code }, config.flowsDir);
      if ("code" in result) problems.push({ ...result, tenant: tenant.code });
      else flows.push({ ...result, id: result.id });
    }
  }
  const tenantFiles = tenants.map((tenant, index) => ({
    path: tenantList[index]!.file,
    text: tenant.text ?? `code: ${tenant.code}\n`,
  }));
  const all = [...templates.map((t) => ({ path: t.path, text: t.text })), ...tenantFiles, ...extraFiles];
  const repository: FlowRepository = {
    root: "/stand-in",
    mode: "multi-tenant",
    config,
    templates: templates.map((template) => ({ file: template.path, text: template.text, ...templateFacts(template.path, config.flowsDir) })),
    tenants: tenantList,
    files: new Map(all.map((file) => [file.path, file.text])),
    problems: [],
  };
  return { repository, rendered: { flows, problems } };
}
