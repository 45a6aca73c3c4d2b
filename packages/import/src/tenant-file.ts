import { Document, parse as parseYaml } from "yaml";
import { buildRepository, render, type FlowRepository, type RepositoryProblem } from "@flowops/render";
import { TENANT_CODE_MAX_LENGTH, TENANT_CODE_PATTERN } from "@flowops/schemas";
import { STRINGIFY, tenantFileText, type TenantDraft } from "./repository-files.js";
import { isPlainObject } from "./values.js";

/** What `flowops tenant add` was given. */
export interface NewTenantInput {
  code: string;
  name?: string;
  /** Sources the tenant has; the other sources the platform's tenants name are written as false. */
  sources?: readonly string[];
  /** Default: every environment of the config. */
  environments?: readonly string[];
  /** `path=value` settings, the value read as YAML: `vars.warehouse=acme_dw`, `timezone=Europe/Paris`. */
  settings?: readonly string[];
}

/** A field the platform requires that the input does not give: what a prompt asks for. */
export interface RequiredField {
  /** Path in the tenant file, e.g. `vars.currency`. */
  path: string;
  description?: string;
  /** Allowed values, when the schema lists them. */
  choices?: unknown[];
  type?: string;
}

const codePattern = new RegExp(TENANT_CODE_PATTERN);

/** Refuses a code the tenant schema would refuse, or one the repository already has. */
export function checkNewTenantCode(repository: FlowRepository, code: string): string | undefined {
  if (!codePattern.test(code) || code.length > TENANT_CODE_MAX_LENGTH) {
    return `"${code}" is not a valid tenant code: lower-case letters, digits and _, starting with a letter, at most ${TENANT_CODE_MAX_LENGTH} characters`;
  }
  const file = `${repository.config.tenantsDir}/${code}.yaml`;
  if (repository.tenants.some((t) => t.code === code) || repository.files.has(file) || repository.files.has(file.replace(/\.yaml$/, ".yml"))) {
    return `tenant ${code} already exists (${file}); edit that file instead`;
  }
  return undefined;
}

/** The tenant file's value from the input; a malformed `--set` is an error message. */
export function draftTenant(repository: FlowRepository, input: NewTenantInput): { value?: Record<string, unknown>; error?: string } {
  const value: Record<string, unknown> = { code: input.code };
  if (input.name !== undefined) value.name = input.name;
  value.environments = input.environments && input.environments.length > 0 ? [...input.environments] : repository.config.environments.map((e) => e.name);
  const known = new Set<string>();
  for (const tenant of repository.tenants) for (const source of Object.keys((tenant.values.sources as Record<string, boolean> | undefined) ?? {})) known.add(source);
  for (const source of input.sources ?? []) known.add(source);
  if (known.size > 0) value.sources = Object.fromEntries([...known].map((s) => [s, (input.sources ?? []).includes(s)]));
  for (const setting of input.settings ?? []) {
    const at = setting.indexOf("=");
    if (at <= 0) return { error: `--set ${setting}: expected PATH=VALUE, e.g. vars.warehouse=acme_dw` };
    const path = setting.slice(0, at).split(".");
    if (path.some((s) => s === "" || s === "__proto__" || s === "constructor" || s === "prototype")) return { error: `--set ${setting}: "${setting.slice(0, at)}" is not a path in the tenant file` };
    let parsed: unknown;
    try {
      parsed = parseYaml(setting.slice(at + 1));
    } catch (error) {
      return { error: `--set ${setting}: the value is not YAML: ${(error as Error).message.split("\n")[0]}` };
    }
    setPath(value, path, parsed);
  }
  return { value };
}

export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cursor = target;
  for (const segment of path.slice(0, -1)) {
    if (!isPlainObject(cursor[segment])) cursor[segment] = {};
    cursor = cursor[segment] as Record<string, unknown>;
  }
  cursor[path[path.length - 1]!] = value;
}

/**
 * What the platform requires that `value` lacks: the `required` properties of the tenant vars
 * schema (nested objects included), and the `tenant.*` fields the templates read
 * (`${tenant.schedule}`) that no default fills.
 */
export function missingRequiredFields(repository: FlowRepository, value: Record<string, unknown>): RequiredField[] {
  const missing: RequiredField[] = [];
  const schemaText = repository.config.tenantVarsSchema ? repository.files.get(repository.config.tenantVarsSchema) : undefined;
  if (schemaText) {
    const walk = (schema: Record<string, unknown>, current: unknown, path: string[]) => {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const name of (schema.required ?? []) as string[]) {
        const child = properties[name] ?? {};
        const here = isPlainObject(current) ? current[name] : undefined;
        if (here === undefined) {
          if (child.type === "object" && Array.isArray(child.required) && child.required.length > 0) walk(child, undefined, [...path, name]);
          else missing.push(describe([...path, name].join("."), child));
        } else if (child.type === "object") {
          walk(child, here, [...path, name]);
        }
      }
    };
    try {
      walk(JSON.parse(schemaText) as Record<string, unknown>, value.vars, ["vars"]);
    } catch {
      // An unreadable schema is reported by validation.
    }
  }
  for (const field of ["schedule", "timezone", "name"]) {
    if (value[field] === undefined && repository.templates.some((t) => t.text.includes(`\${tenant.${field}}`))) missing.push({ path: field, description: `the templates read \${tenant.${field}}`, type: "string" });
  }
  return missing;
}

function describe(path: string, schema: Record<string, unknown>): RequiredField {
  return {
    path,
    ...(typeof schema.description === "string" ? { description: schema.description } : {}),
    ...(Array.isArray(schema.enum) ? { choices: schema.enum } : {}),
    ...(typeof schema.type === "string" ? { type: schema.type } : {}),
  };
}

/** The new tenant file's text, in the style of the example tenants. */
export function tenantFileFor(value: Record<string, unknown>): string {
  const { code, name, environments, sources, schedule, timezone, vars, ...rest } = value;
  const draft: TenantDraft = {
    code: String(code),
    ...(typeof name === "string" ? { name } : {}),
    environments: (environments as string[]) ?? [],
    ...(isPlainObject(sources) ? { sources: sources as Record<string, boolean> } : {}),
    ...(schedule !== undefined ? { schedule: String(schedule) } : {}),
    ...(timezone !== undefined ? { timezone: String(timezone) } : {}),
    vars: isPlainObject(vars) ? vars : {},
    switchedOff: [],
  };
  let text = tenantFileText(draft, `${typeof name === "string" ? name : String(code)}: added by flowops tenant add.`);
  // Fields the draft does not model (description, labels, flows) follow, as block YAML.
  if (Object.keys(rest).length > 0) text += new Document(rest).toString(STRINGIFY);
  return text;
}

/**
 * Checks the new tenant with the repository's own reading and rendering: the tenant schema, the
 * platform's vars schema, and every template rendered for it. Returns its problems and, when
 * there are none, the flows it will get per environment.
 */
export function checkNewTenant(repository: FlowRepository, path: string, text: string): { problems: RepositoryProblem[]; flows: Map<string, string[]> } {
  const files = new Map(repository.files);
  files.set(path, text);
  const next = buildRepository({ root: repository.root, files, hasTenantsFolder: true });
  const code = path.slice(path.lastIndexOf("/") + 1).replace(/\.ya?ml$/, "");
  const problems = next.problems.filter((p) => p.file === path);
  const flows = new Map<string, string[]>();
  if (problems.length > 0 || !next.tenants.some((t) => t.code === code)) return { problems, flows };
  const result = render(next, { tenants: [code] });
  problems.push(...result.problems.filter((p) => p.tenant === code));
  for (const env of next.config.environments) flows.set(env.name, []);
  for (const flow of result.flows) flows.get(flow.env)?.push(`${flow.namespace}/${flow.id}`);
  return { problems, flows };
}
