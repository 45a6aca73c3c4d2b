import type { DiffableFlow } from "./types.js";

/**
 * The parts of a read repository the reverse index needs. `FlowRepository` from `@flowops/render`
 * satisfies it.
 */
export interface RepositoryInputs {
  mode: "multi-tenant" | "plain";
  config: { flowsDir: string; tenantsDir: string; tenantVarsSchema?: string; namespacePattern?: string };
  configFile?: string;
  templates: readonly { file: string; key: string; text: string }[];
  tenants: readonly { code: string; file: string }[];
  /** Every input file read, by repository-relative path. */
  files: ReadonlyMap<string, string>;
  /** Problems found while reading; an impact refuses a repository that has any. */
  problems?: readonly { code: string; message: string; file: string; line: number; column: number }[];
}

/** One render call: the tenants and templates (keys) to render; absent = all. */
export interface RenderRequest {
  tenants?: string[];
  templates?: string[];
}

/** What must be rendered on both sides to know the impact of a set of changed files. */
export type RenderPlan =
  | { mode: "full"; reason: string }
  | { mode: "incremental"; reason: string; requests: RenderRequest[] };

/** The input files that feed one rendered flow: its template, its tenant file, the config, the tenant vars schema. */
export function flowInputs(repo: RepositoryInputs, flow: Pick<DiffableFlow, "template" | "tenant">): string[] {
  const inputs = [flow.template];
  if (flow.tenant !== null) {
    const tenant = repo.tenants.find((candidate) => candidate.code === flow.tenant);
    inputs.push(tenant?.file ?? `${repo.config.tenantsDir}/${flow.tenant}.yaml`);
  }
  if (repo.configFile) inputs.push(repo.configFile);
  if (repo.config.tenantVarsSchema && flow.tenant !== null) inputs.push(repo.config.tenantVarsSchema);
  return inputs;
}

/** Reverse index: each input file -> the `env/tenant/templateKey` triples it feeds, over rendered flows. */
export function buildInputIndex(repo: RepositoryInputs, flows: readonly DiffableFlow[]): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  for (const flow of flows) {
    const fed = `${flow.env}/${flow.tenant ?? ""}/${flow.templateKey}`;
    for (const file of flowInputs(repo, flow)) {
      let set = index.get(file);
      if (!set) index.set(file, (set = new Set()));
      set.add(fed);
    }
  }
  return index;
}

const CONFIG_NAMES = new Set(["flowops.config.yaml", "flowops.config.yml"]);

/**
 * Decides what to re-render for a set of changed files (repository-relative paths). A template
 * edited or removed: that template for every tenant; a tenant file: that tenant's flows; files
 * that feed nothing: nothing. Whenever the index cannot decide (the config or the tenant vars
 * schema changed, a new template, an unknown file inside the flows or tenants folder, a change of
 * repository mode) the plan is a full render, so the result never misses a change.
 */
export function planIncrementalRender(changedFiles: Iterable<string>, baseRepo: RepositoryInputs, headRepo: RepositoryInputs): RenderPlan {
  if (baseRepo.mode !== headRepo.mode) return { mode: "full", reason: `repository mode changed (${baseRepo.mode} -> ${headRepo.mode})` };
  const baseTemplates = new Map(baseRepo.templates.map((template) => [template.file, template.key]));
  const headTemplates = new Map(headRepo.templates.map((template) => [template.file, template.key]));
  const tenantByFile = new Map([...baseRepo.tenants, ...headRepo.tenants].map((tenant) => [tenant.file, tenant.code]));
  const wholeRepoInputs = new Set(
    [baseRepo.configFile, headRepo.configFile, baseRepo.config.tenantVarsSchema, headRepo.config.tenantVarsSchema].filter(
      (file): file is string => file !== undefined,
    ),
  );
  const folders = [baseRepo.config.flowsDir, headRepo.config.flowsDir, baseRepo.config.tenantsDir, headRepo.config.tenantsDir].map(
    (folder) => `${folder.replace(/\/+$/, "")}/`,
  );

  const templates = new Set<string>();
  const tenants = new Set<string>();
  for (const file of changedFiles) {
    if (wholeRepoInputs.has(file) || CONFIG_NAMES.has(file)) return { mode: "full", reason: `${file} feeds every flow` };
    if (headTemplates.has(file) && !baseTemplates.has(file)) return { mode: "full", reason: `new template ${file}` };
    const templateKey = headTemplates.get(file) ?? baseTemplates.get(file);
    if (templateKey !== undefined) {
      templates.add(templateKey);
      continue;
    }
    const tenant = tenantByFile.get(file);
    if (tenant !== undefined) {
      tenants.add(tenant);
      continue;
    }
    const inInputs = baseRepo.files.has(file) || headRepo.files.has(file);
    if (inInputs || folders.some((folder) => file.startsWith(folder))) {
      return { mode: "full", reason: `cannot tell which flows ${file} feeds` };
    }
  }
  const requests: RenderRequest[] = [];
  if (templates.size > 0) requests.push({ templates: [...templates].sort() });
  if (tenants.size > 0) requests.push({ tenants: [...tenants].sort() });
  const reason =
    requests.length === 0
      ? "no changed file feeds a flow"
      : [templates.size > 0 ? `${templates.size} template(s) for every tenant` : "", tenants.size > 0 ? `${tenants.size} tenant(s) with every template` : ""]
          .filter(Boolean)
          .join(" + ");
  return { mode: "incremental", reason, requests };
}
