import { compileJsonSchema, FLOW_ID_PATTERN, NAMESPACE_PATTERN, validatorFor, type SchemaValidator } from "@flowops/schemas";
import { CONFIG_FILE, defaultConfig, KESTRA_FLOW_SCHEMA_FILE, loadConfig } from "./config.js";
import { locateInYaml } from "./locate.js";
import { compileNamespacePattern, RenderMemo, renderTemplate, viewInEnv, type RenderScope } from "./render.js";
import { pathsOf } from "./expression.js";
import { compileTemplate, deepFreeze, type CompiledTemplate, type NodePlan } from "./template.js";
import type {
  EnvironmentConfig,
  FlowopsConfig,
  FlowRepository,
  FlowTemplate,
  EnvRender,
  RenderedFlow,
  RenderOptions,
  RenderResult,
  RenderPlacement,
  RenderStep,
  RenderStepStream,
  RenderStream,
  TenantRender,
  RepositoryProblem,
  Tenant,
} from "./types.js";
import { parseYamlFile } from "./yaml-file.js";
import { PlaceholderError } from "./placeholder.js";
import { isInNamespaceTree, isTenantNamespace, tenantNamespaceRoots } from "./tenant-namespaces.js";
import { checkWhenExpressions } from "./when-check.js";
import { isDiscoverablePath } from "./discover.js";

const YAML_FILE = /\.ya?ml$/;
const FOLDER_SEGMENT = /^[a-z0-9][a-z0-9_-]*$/;
const flowIdPattern = new RegExp(FLOW_ID_PATTERN);
const namespacePattern = new RegExp(NAMESPACE_PATTERN);

const compiledTemplates = new WeakMap<FlowRepository, CompiledTemplate[]>();

/** The files of a repository that `buildRepository` needs, given its config. */
export function isRepositoryInput(path: string, config = defaultConfig()): boolean {
  if (path === CONFIG_FILE || path === config.tenantVarsSchema || path === KESTRA_FLOW_SCHEMA_FILE) return true;
  if (!YAML_FILE.test(path)) return false;
  if (path.startsWith(config.flowsDir + "/")) return true;
  const rest = path.startsWith(config.tenantsDir + "/") ? path.slice(config.tenantsDir.length + 1) : undefined;
  return rest !== undefined && !rest.includes("/");
}

/**
 * Builds a repository model from files already read (pure). `hasTenantsFolder` says whether the
 * tenants folder exists at all: without it the repository is a plain Kestra repository.
 */
export function buildRepository(input: {
  root: string;
  files: ReadonlyMap<string, string>;
  hasTenantsFolder: boolean;
  commit?: string;
  /** Problems met while reading (files too large, links not followed). */
  readProblems?: RepositoryProblem[];
}): FlowRepository {
  const problems: RepositoryProblem[] = [...(input.readProblems ?? [])];
  const configText = input.files.get(CONFIG_FILE);
  const { config, problems: configProblems } = configText !== undefined ? loadConfig(CONFIG_FILE, configText) : { config: defaultConfig(), problems: [] };
  problems.push(...configProblems);
  // Without a tenants folder a repository is plain, unless its config or templates say it is
  // multi-tenant: then the missing folder is the one problem to name, never a silent switch to
  // plain mode (whose rules would flood every template with errors).
  const tenantSign = input.hasTenantsFolder ? undefined : multiTenantSign(configText, input.files, config.flowsDir);
  const mode: FlowRepository["mode"] = input.hasTenantsFolder || tenantSign !== undefined ? "multi-tenant" : "plain";
  if (tenantSign !== undefined) {
    problems.push({
      code: "config-schema",
      file: configText !== undefined ? CONFIG_FILE : tenantSign.file,
      line: 1,
      column: 1,
      message: `the tenants folder "${config.tenantsDir}/" does not exist, but ${tenantSign.why}: a multi-tenant repository keeps its tenant files there; add them${configText !== undefined ? " (or point `tenants:` at their folder)" : ""}`,
    });
  }
  try {
    compileNamespacePattern(config.namespacePattern);
  } catch (error) {
    if (!(error instanceof PlaceholderError)) throw error;
    problems.push({ code: "config-schema", file: CONFIG_FILE, line: 1, column: 1, message: `namespace: ${error.message}` });
  }

  const templates: FlowTemplate[] = [];
  const compiled: CompiledTemplate[] = [];
  const paths = [...input.files.keys()].sort();
  for (const path of paths) {
    if (!isTemplatePath(path, config, mode)) continue;
    const template = describeTemplate(path, path.startsWith(config.flowsDir + "/") ? config.flowsDir : "", input.files.get(path)!, mode, problems);
    if (!template) continue;
    const result = compileTemplate(template, mode === "plain");
    problems.push(...result.problems);
    if (result.compiled) {
      templates.push(template);
      compiled.push(result.compiled);
    }
  }

  const tenants = mode === "multi-tenant" ? loadTenants(paths, input.files, config, problems) : [];
  if (config.environments.length === 0) config.environments = deriveEnvironments(tenants);
  if (mode === "multi-tenant") {
    const whenProblems = checkWhenExpressions({ templates: compiled, tenants, config, varsSchema: parsedJson(config.tenantVarsSchema ? input.files.get(config.tenantVarsSchema) : undefined) });
    problems.push(...(configText === undefined ? namingTheMissingConfig(whenProblems) : whenProblems));
  }
  const repository: FlowRepository = {
    root: input.root,
    ...(input.commit ? { commit: input.commit } : {}),
    mode,
    config,
    ...(configText !== undefined ? { configFile: CONFIG_FILE } : {}),
    templates,
    tenants,
    files: input.files,
    problems,
  };
  compiledTemplates.set(repository, compiled);
  return repository;
}

const TENANT_CONFIG_KEYS = /^(tenants|namespace|tenantVarsSchema)[ \t]*:/m;
const TENANT_TEMPLATE_SYNTAX = /\$\{\s*tenant\.|\$when\s*:/;

/** What shows that a repository without a tenants folder is meant to be multi-tenant, if anything. */
function multiTenantSign(configText: string | undefined, files: ReadonlyMap<string, string>, flowsDir: string): { file: string; why: string } | undefined {
  const key = configText === undefined ? undefined : TENANT_CONFIG_KEYS.exec(configText)?.[1];
  if (key !== undefined) return { file: CONFIG_FILE, why: `${CONFIG_FILE} sets \`${key}:\`` };
  for (const [path, text] of files) {
    if (path.startsWith(flowsDir + "/") && YAML_FILE.test(path) && TENANT_TEMPLATE_SYNTAX.test(text)) return { file: path, why: `${path} is a template (it uses \${tenant.*} or $when)` };
  }
  return undefined;
}

/**
 * Whether a file read is a template: in a multi-tenant repository a YAML file under the flows
 * folder; in a plain one also a flow file found elsewhere (`discover.ts`; only those are read).
 */
function isTemplatePath(path: string, config: FlowRepository["config"], mode: FlowRepository["mode"]): boolean {
  if (!YAML_FILE.test(path)) return false;
  if (path.startsWith(config.flowsDir + "/")) return true;
  return mode === "plain" && path !== CONFIG_FILE && isDiscoverablePath(path);
}

function parsedJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeTemplate(path: string, flowsDir: string, text: string, mode: FlowRepository["mode"], problems: RepositoryProblem[]): FlowTemplate | undefined {
  const relative = flowsDir === "" ? path : path.slice(flowsDir.length + 1);
  const segments = relative.split("/");
  const fileName = segments.pop()!;
  const fileId = fileName.replace(YAML_FILE, "");
  const folder = segments.join("/");
  if (mode === "multi-tenant") {
    if (!flowIdPattern.test(fileId) || fileId.length > 100) {
      problems.push({ code: "id-matches-file", file: path, line: 1, column: 1, message: `file name "${fileName}" is not a valid Kestra flow id (letters, digits, '.', '_', '-'; at most 100); rename the file` });
      return undefined;
    }
    const badSegment = segments.find((s) => !FOLDER_SEGMENT.test(s));
    if (badSegment !== undefined) {
      problems.push({ code: "namespace-pattern", file: path, line: 1, column: 1, message: `folder "${badSegment}" cannot be part of a Kestra namespace (lower-case letters, digits, '_', '-'); rename it` });
      return undefined;
    }
  }
  return { file: path, key: [...segments, fileId].join("/"), folder, fileId, text };
}

function loadTenants(paths: string[], files: ReadonlyMap<string, string>, config: FlowRepository["config"], problems: RepositoryProblem[]): Tenant[] {
  let varsValidator: SchemaValidator | undefined;
  if (config.tenantVarsSchema) {
    const text = files.get(config.tenantVarsSchema);
    if (text === undefined) {
      problems.push({ code: "config-schema", file: CONFIG_FILE, line: 1, column: 1, message: `tenantVarsSchema "${config.tenantVarsSchema}" does not exist in the repository` });
    } else {
      try {
        varsValidator = compileJsonSchema(JSON.parse(text) as object);
      } catch (error) {
        problems.push({ code: "config-schema", file: config.tenantVarsSchema, line: 1, column: 1, message: `not a usable JSON Schema: ${(error as Error).message}` });
      }
    }
  }
  const validateTenant = validatorFor("tenant");
  const tenants: Tenant[] = [];
  const seen = new Map<string, string>();
  for (const path of paths) {
    if (!path.startsWith(config.tenantsDir + "/") || !YAML_FILE.test(path)) continue;
    const name = path.slice(config.tenantsDir.length + 1);
    if (name.includes("/")) continue;
    const { parsed, problems: parseProblems } = parseTenantFile(path, files.get(path)!);
    if (!parsed) {
      problems.push(...parseProblems);
      continue;
    }
    const value = parsed.value;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push({ code: "tenant-schema", file: path, line: 1, column: 1, message: "a tenant file must be a mapping with at least `code`" });
      continue;
    }
    const violations = validateTenant(value);
    const record = value as Record<string, unknown>;
    const fileCode = name.replace(YAML_FILE, "");
    const tenantProblems: RepositoryProblem[] = violations.map((v) => ({
      code: "tenant-schema",
      ...locateInYaml(parsed, v.path),
      message: `${v.path.length ? v.path.join(".") + ": " : ""}${v.message}`,
    }));
    if (violations.length === 0) {
      for (const found of pebbleIn(record)) {
        tenantProblems.push({
          code: "tenant-schema",
          ...locateInYaml(parsed, found.path),
          message: `${found.path.join(".")}: ${found.isKey ? "key" : "value"} ${JSON.stringify(shorten(found.text))} holds a Pebble expression ({{ }}, {% %} or {# #}); tenant values are data, never expressions, so flowops refuses it. Write the value itself, and keep expressions in the templates`,
        });
      }
    }
    if (violations.length === 0 && record.code !== fileCode) {
      tenantProblems.push({ code: "tenant-schema", ...locateInYaml(parsed, ["code"]), message: `code "${String(record.code)}" must equal the file name "${fileCode}"; rename the file or fix the code` });
    }
    if (violations.length === 0 && varsValidator) {
      for (const v of varsValidator(record.vars ?? {})) {
        tenantProblems.push({
          code: "tenant-schema",
          ...locateInYaml(parsed, ["vars", ...v.path]),
          message: `vars${v.path.length ? "." + v.path.join(".") : ""}: ${v.message} (platform schema ${config.tenantVarsSchema})`,
        });
      }
    }
    if (violations.length === 0 && record.environments && config.environments.length > 0) {
      for (const [i, env] of (record.environments as string[]).entries()) {
        if (!config.environments.some((e) => e.name === env)) {
          tenantProblems.push({ code: "tenant-schema", ...locateInYaml(parsed, ["environments", i]), message: `environment "${env}" is not in flowops.config.yaml (${config.environments.map((e) => e.name).join(", ")})` });
        }
      }
    }
    if (seen.has(fileCode)) {
      tenantProblems.push({ code: "tenant-schema", file: path, line: 1, column: 1, message: `tenant ${fileCode} is also defined in ${seen.get(fileCode)}; keep one file` });
    }
    if (tenantProblems.length > 0) {
      problems.push(...tenantProblems);
      continue;
    }
    seen.set(fileCode, path);
    tenants.push({
      code: fileCode,
      file: path,
      values: deepFreeze(record),
      ...(record.environments ? { environments: record.environments as string[] } : {}),
      ...(record.namespaces ? { namespaces: record.namespaces as string[] } : {}),
      flows: (record.flows ?? {}) as Tenant["flows"],
    });
  }
  return withoutOverlappingNamespaces(tenants, config, files, problems).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * Leaves out (with a problem at the entry) each tenant whose `namespaces` overlap another
 * tenant's tree, so every namespace has at most one owning tenant.
 */
function withoutOverlappingNamespaces(tenants: Tenant[], config: FlowRepository["config"], files: ReadonlyMap<string, string>, problems: RepositoryProblem[]): Tenant[] {
  if (!tenants.some((t) => t.namespaces?.length)) return tenants;
  const rootsOf = new Map(tenants.map((t) => [t.code, tenantNamespaceRoots(config, t)]));
  const refused = new Set<string>();
  for (const tenant of tenants) {
    (tenant.namespaces ?? []).forEach((listed, index) => {
      // Another tenant's root at, above or below the listed namespace.
      const other = [...rootsOf].find(([code, roots]) => code !== tenant.code && roots.some((root) => isInNamespaceTree(listed, root) || isInNamespaceTree(root, listed)));
      if (!other) return;
      refused.add(tenant.code);
      const parsed = parseTenantFile(tenant.file, files.get(tenant.file)!).parsed;
      problems.push({
        code: "tenant-schema",
        ...(parsed ? locateInYaml(parsed, ["namespaces", index]) : { file: tenant.file, line: 1, column: 1 }),
        message: `namespaces: "${listed}" overlaps the namespaces of tenant ${other[0]} (${other[1].join(", ")}); a namespace belongs to one tenant only, so remove it or rename it`,
        tenant: tenant.code,
      });
    });
  }
  return refused.size === 0 ? tenants : tenants.filter((t) => !refused.has(t.code));
}

const PEBBLE = /\{\{|\{%|\{#/;

/** Every string (value or key) of a tenant file that holds Pebble syntax, with its path. */
function pebbleIn(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; text: string; isKey: boolean }[] {
  if (typeof value === "string") return PEBBLE.test(value) ? [{ path, text: value, isKey: false }] : [];
  if (value === null || typeof value !== "object") return [];
  const found: { path: (string | number)[]; text: string; isKey: boolean }[] = [];
  if (Array.isArray(value)) value.forEach((item, index) => found.push(...pebbleIn(item, [...path, index])));
  else {
    for (const [key, item] of Object.entries(value)) {
      if (PEBBLE.test(key)) found.push({ path: [...path, key], text: key, isKey: true });
      found.push(...pebbleIn(item, [...path, key]));
    }
  }
  return found;
}

function shorten(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The last parse of each tenant file: both sides of a change share most tenants unchanged. It
 * outlives a run (a long-lived process reads many repositories), so it is dropped when full.
 */
const tenantParseCache = new Map<string, { text: string; result: ReturnType<typeof parseYamlFile> }>();
const TENANT_PARSE_CACHE_SIZE = 20_000;

function parseTenantFile(path: string, text: string): ReturnType<typeof parseYamlFile> {
  const cached = tenantParseCache.get(path);
  if (cached && cached.text === text) return cached.result;
  const result = parseYamlFile(path, text);
  if (!cached && tenantParseCache.size >= TENANT_PARSE_CACHE_SIZE) tenantParseCache.clear();
  tenantParseCache.set(path, { text, result });
  return result;
}

function deriveEnvironments(tenants: Tenant[]): EnvironmentConfig[] {
  const names: string[] = [];
  for (const tenant of tenants) for (const env of tenant.environments ?? []) if (!names.includes(env)) names.push(env);
  if (names.length === 0) names.push("default");
  return names.map((name) => ({ name, vars: {}, kestra: { usernameEnv: "KESTRA_USERNAME", passwordEnv: "KESTRA_PASSWORD", tokenEnv: "KESTRA_TOKEN" } }));
}

function compiledOf(repository: FlowRepository): CompiledTemplate[] {
  let compiled = compiledTemplates.get(repository);
  if (!compiled) {
    compiled = [];
    for (const template of repository.templates) {
      const result = compileTemplate(template, repository.mode === "plain");
      if (result.compiled) compiled.push(result.compiled);
    }
    compiledTemplates.set(repository, compiled);
  }
  return compiled;
}

export interface RenderSelection extends RenderOptions {
  /** Template keys to render (default: all); used by incremental impact. */
  templates?: readonly string[];
}

/** What `renderTenants` may do beyond the collecting form; for tests that compare the two. */
export interface RenderStreamOptions extends RenderSelection {
  /**
   * Render a template that reads nothing from `env.*` once for all the tenant's environments
   * (default true). Off, every environment renders on its own, as the collecting form once did.
   */
  shareEnvironments?: boolean;
}

/**
 * Renders every selected tenant's flows for every selected environment. Pure: the same repository
 * and options always give the same flows, in a stable order (env, tenant, template). Holds every
 * flow at once: a consumer that can work tenant by tenant reads `renderTenants` instead.
 */
export function render(repository: FlowRepository, options: RenderStreamOptions = {}): RenderResult {
  return collect(repository, options, true);
}

/** `render`'s problems, in its order, without holding any flow (what a caller that only reports problems needs). */
export function renderProblems(repository: FlowRepository, options: RenderStreamOptions = {}): RepositoryProblem[] {
  return collect(repository, options, false).problems;
}

function collect(repository: FlowRepository, options: RenderStreamOptions, keepFlows: boolean): RenderResult {
  const plan = renderPlan(repository, options);
  if (!plan) return { flows: [], problems: [] };
  // Tenant by tenant into one bucket per environment, then the environments in the selection's order.
  const byEnv = new Map<string, { problems: RepositoryProblem[]; flows: RenderedFlow[]; duplicates: RenderedFlow[] }>();
  for (const batch of renderBatches(stepsOf(repository, plan, options.shareEnvironments ?? true, false))) {
    const taken = new Set<string>();
    for (const env of batch.envs) {
      // An environment selected twice is taken once per tenant, as a lookup by name would.
      if (taken.has(env.env)) continue;
      taken.add(env.env);
      let bucket = byEnv.get(env.env);
      if (!bucket) byEnv.set(env.env, (bucket = { problems: [], flows: [], duplicates: [] }));
      for (const problem of env.problems) bucket.problems.push(problem);
      if (!keepFlows) continue;
      for (const flow of env.flows) bucket.flows.push(flow);
      for (const flow of env.duplicates) bucket.duplicates.push(flow);
    }
  }
  const problems: RepositoryProblem[] = [];
  const flows: RenderedFlow[] = [];
  const duplicates: RenderedFlow[] = [];
  for (const envName of plan.envNames) {
    const undefinedEnv = plan.selectionProblems.get(envName);
    if (undefinedEnv) {
      problems.push(undefinedEnv);
      continue;
    }
    const bucket = byEnv.get(envName);
    if (!bucket) continue;
    for (const problem of bucket.problems) problems.push(problem);
    for (const flow of bucket.flows) flows.push(flow);
    for (const flow of bucket.duplicates) duplicates.push(flow);
  }
  return { flows, problems: namesMissingConfig(repository) ? namingTheMissingConfig(problems) : problems, duplicates };
}

/**
 * Renders tenant by tenant: each item holds one tenant's flows for every selected environment it
 * goes to, and nothing of it is kept once the consumer lets go of it. A template that reads
 * nothing from `env.*` is rendered once for all of them (`renders` lists each render once, with
 * its environments). Flattened in (env, tenant) order, the items give exactly `render`'s flows,
 * duplicates and problems; `problems` holds the selection's own (an environment not defined).
 */
export function renderTenants(repository: FlowRepository, options: RenderStreamOptions = {}): RenderStream {
  const { steps, ...stream } = renderSteps(repository, options);
  return { ...stream, tenants: renderBatches(steps) };
}

/**
 * `renderTenants` in finer steps: each render as soon as it is made (with the environments it
 * goes to, and whether it is a duplicate there), then its tenant's problems once its last template
 * is rendered. A consumer done with a render before it asks for the next lets the render die young,
 * where a whole tenant held at once outlives the garbage collector's young generation. Collected
 * tenant by tenant, the steps give exactly `renderTenants`' items.
 */
export function renderSteps(repository: FlowRepository, options: RenderStreamOptions = {}): RenderStepStream {
  const plan = renderPlan(repository, options);
  if (!plan) return { envs: [], problems: [], steps: [] };
  return {
    envs: plan.envs.map((env) => env.name),
    problems: [...plan.selectionProblems.values()],
    steps: stepsOf(repository, plan, options.shareEnvironments ?? true, namesMissingConfig(repository)),
  };
}

interface RenderPlan {
  envNames: readonly string[];
  envs: EnvironmentConfig[];
  selectionProblems: Map<string, RepositoryProblem>;
  pattern: ReturnType<typeof compileNamespacePattern>;
  patternReadsEnv: boolean;
  templates: CompiledTemplate[];
  tenants: (Tenant | null)[];
  ownershipLabels: boolean;
}

function renderPlan(repository: FlowRepository, options: RenderSelection): RenderPlan | undefined {
  let pattern: ReturnType<typeof compileNamespacePattern>;
  try {
    pattern = compileNamespacePattern(repository.config.namespacePattern);
  } catch {
    return undefined;
  }
  const envNames = options.envs ?? repository.config.environments.map((e) => e.name);
  const envs: EnvironmentConfig[] = [];
  const selectionProblems = new Map<string, RepositoryProblem>();
  for (const envName of envNames) {
    const env = repository.config.environments.find((e) => e.name === envName);
    if (env) envs.push(env);
    else {
      selectionProblems.set(envName, {
        code: "config-schema",
        file: repository.configFile ?? "flowops.config.yaml",
        line: 1,
        column: 1,
        message: `environment "${envName}" is not defined (known: ${repository.config.environments.map((e) => e.name).join(", ")})`,
      });
    }
  }
  const templateFilter = options.templates ? new Set(options.templates) : undefined;
  const tenantFilter = options.tenants ? new Set(options.tenants) : undefined;
  return {
    envNames,
    envs,
    selectionProblems,
    pattern,
    patternReadsEnv: pattern.some((part) => part.kind === "path" && part.path[0] === "env"),
    templates: compiledOf(repository).filter((t) => !templateFilter || templateFilter.has(t.key)),
    tenants: repository.mode === "plain" ? [null] : repository.tenants.filter((t) => !tenantFilter || tenantFilter.has(t.code)),
    ownershipLabels: options.ownershipLabels ?? true,
  };
}

/**
 * `renderSteps`' items collected tenant by tenant into `TenantRender`s (what `render` and
 * `renderTenants` hand out).
 */
function* renderBatches(steps: Iterable<RenderStep>): Generator<TenantRender> {
  let renders: TenantRender["renders"] = [];
  let placed = new Map<string, { flows: RenderedFlow[]; duplicates: RenderedFlow[] }>();
  for (const step of steps) {
    if (step.kind === "render") {
      const envs: string[] = [];
      for (const { flow, duplicate } of step.placements) {
        envs.push(flow.env);
        let out = placed.get(flow.env);
        if (!out) placed.set(flow.env, (out = { flows: [], duplicates: [] }));
        (duplicate ? out.duplicates : out.flows).push(flow);
      }
      renders.push({ flow: step.flow, envs });
      continue;
    }
    const envs = step.envs.map(({ env, problems }): EnvRender => ({ env, flows: placed.get(env)?.flows ?? [], duplicates: placed.get(env)?.duplicates ?? [], problems }));
    yield { tenant: step.tenant, envs, renders };
    renders = [];
    placed = new Map();
  }
}

/**
 * Renders tenant by tenant, template by template, handing out each render as soon as its
 * environments and duplicates are known, and each tenant's problems after its last render. Keeps
 * nothing of a render once it is handed out (duplicates are found by namespace and id alone).
 */
function* stepsOf(repository: FlowRepository, plan: RenderPlan, share: boolean, nameMissingConfig: boolean): Generator<RenderStep> {
  const rendersAlikeInEveryEnv = plan.templates.map((template) => !plan.patternReadsEnv && !readsEnv(template));
  for (const tenant of plan.tenants) {
    const envs = plan.envs.filter((env) => !tenant?.environments || tenant.environments.includes(env.name));
    if (envs.length === 0) continue;
    const code = tenant?.code ?? null;
    const scopes = envs.map((env) => ({
      scope: { env, tenant, config: repository.config, namespacePattern: plan.pattern, ownershipLabels: plan.ownershipLabels, memo: new RenderMemo() },
      problems: [] as RepositoryProblem[],
      /** The template file that first rendered each namespace and id: a later one is a duplicate. */
      seen: new Map<string, string>(),
    }));
    // Where a flow goes in environment `i`: into its flows, or (same namespace and id as an earlier template's) its duplicates.
    const place = (i: number, flow: RenderedFlow): RenderPlacement => {
      const { scope, problems, seen } = scopes[i]!;
      const key = `${flow.namespace}/${flow.id}`;
      const other = seen.get(key);
      if (other === undefined) {
        seen.set(key, flow.template);
        return { flow, duplicate: false };
      }
      problems.push({
        code: "duplicate-flow",
        ...flow.locate(["id"]),
        message: `${key} is rendered by both ${other} and ${flow.template}${tenant ? ` for tenant ${tenant.code}` : ""}; give one of them another id or folder`,
        ...(tenant ? { tenant: tenant.code } : {}),
        env: scope.env.name,
      });
      return { flow, duplicate: true };
    };
    for (let t = 0; t < plan.templates.length; t++) {
      const template = plan.templates[t]!;
      if (share && scopes.length > 1 && rendersAlikeInEveryEnv[t]) {
        // One render stands for every environment. A render with problems is redone per
        // environment instead: its problems name the environment.
        const probe = renderChecked(template, scopes[0]!.scope);
        if (probe.problems.length === 0) {
          const flow = probe.flow;
          if (flow) yield { kind: "render", tenant: code, flow, placements: scopes.map(({ scope }, i) => place(i, i > 0 ? viewInEnv(flow, scope.env.name) : flow)) };
          continue;
        }
      }
      for (let i = 0; i < scopes.length; i++) {
        const { flow, problems } = renderChecked(template, scopes[i]!.scope);
        scopes[i]!.problems.push(...problems);
        if (flow) yield { kind: "render", tenant: code, flow, placements: [place(i, flow)] };
      }
    }
    yield { kind: "tenant", tenant: code, envs: scopes.map(({ scope, problems }) => ({ env: scope.env.name, problems: nameMissingConfig ? namingTheMissingConfig(problems) : problems })) };
  }
}

/** One template rendered for one tenant and environment, with Kestra's name rules and the tenant's namespaces checked. */
function renderChecked(template: CompiledTemplate, base: Omit<RenderScope, "problems">): { flow?: RenderedFlow; problems: RepositoryProblem[] } {
  const scope: RenderScope = { env: base.env, tenant: base.tenant, config: base.config, namespacePattern: base.namespacePattern, ownershipLabels: base.ownershipLabels, problems: [], memo: base.memo };
  const flow = renderTemplate(template, scope);
  if (!flow) return { problems: scope.problems };
  // A tenant's templates mostly share a few namespaces: each is checked once per tenant and environment.
  const accepted = scope.memo.acceptedNamespaces;
  const knownGood = accepted.has(flow.namespace);
  if (!checkNames(flow, template, scope, knownGood)) return { problems: scope.problems };
  if (!knownGood) {
    if (scope.tenant && !checkTenantNamespace(flow, template, scope.tenant, scope)) return { problems: scope.problems };
    accepted.add(flow.namespace);
  }
  return { flow, problems: scope.problems };
}

/**
 * Whether a template's render can depend on the environment: a placeholder or a `$when` path
 * under `env`. (`flow.namespace` follows the namespace pattern, checked by the caller.)
 */
function readsEnv(template: CompiledTemplate): boolean {
  let reads = envReaders.get(template);
  if (reads === undefined) {
    reads = planReadsEnv(template.root);
    envReaders.set(template, reads);
  }
  return reads;
}

const envReaders = new WeakMap<CompiledTemplate, boolean>();

function planReadsEnv(plan: NodePlan): boolean {
  switch (plan.kind) {
    case "const":
      return false;
    case "scalar":
      return plan.parts.some((part) => part.kind === "path" && part.path[0] === "env");
    case "map":
      return (plan.when !== undefined && pathsOf(plan.when.expression).some((path) => path[0] === "env")) || plan.entries.some((entry) => planReadsEnv(entry.plan));
    case "seq":
      return plan.items.some(planReadsEnv);
  }
}

/**
 * A tenant's flow must stay in the tenant's namespaces (the trust boundary: a template cannot
 * write into another tenant's tree, whatever its `$when`). Refused, never a lint finding.
 */
function checkTenantNamespace(flow: RenderedFlow, template: CompiledTemplate, tenant: Tenant, scope: RenderScope): boolean {
  const roots = rootsOf(scope.config, tenant);
  if (isTenantNamespace(flow.namespace, roots)) return true;
  const allowed = roots.length > 0 ? roots.map((root) => `${root} and below`).join(", ") : "none: the namespace pattern does not start from the tenant's code and the tenant file lists no `namespaces`";
  scope.problems.push({
    code: "namespace-pattern",
    ...flow.locate(["namespace"]),
    message: `namespace "${flow.namespace}" of ${template.key} is outside tenant ${tenant.code}'s namespaces (${allowed}); a tenant's flows are only written into its own namespaces. Build the namespace from the tenant's code, or list it under \`namespaces:\` in ${tenant.file} if tenant ${tenant.code} owns it`,
    tenant: tenant.code,
    env: scope.env.name,
    trustBoundary: true,
  });
  return false;
}

/** A tenant's namespace roots, found once per tenant (and config) rather than per rendered flow. */
function rootsOf(config: FlowopsConfig, tenant: Tenant): string[] {
  const cached = tenantRoots.get(tenant);
  if (cached && cached.config === config && cached.pattern === config.namespacePattern && cached.code === tenant.code && cached.namespaces === tenant.namespaces) return cached.roots;
  const roots = tenantNamespaceRoots(config, tenant);
  tenantRoots.set(tenant, { config, pattern: config.namespacePattern, code: tenant.code, namespaces: tenant.namespaces, roots });
  return roots;
}

const tenantRoots = new WeakMap<Tenant, { config: FlowopsConfig; pattern: string; code: string; namespaces: Tenant["namespaces"]; roots: string[] }>();

/** A multi-tenant repository without `flowops.config.yaml`: its env.* problems are named as that one (see namingTheMissingConfig). */
function namesMissingConfig(repository: FlowRepository): boolean {
  return repository.mode === "multi-tenant" && repository.configFile === undefined;
}

/**
 * Without `flowops.config.yaml`, environments have no `vars`: every `${env.vars.*}` of every
 * tenant and environment would be its own error. They are one problem, the missing config.
 */
function namingTheMissingConfig(problems: RepositoryProblem[]): RepositoryProblem[] {
  const readsEnv = (problem: RepositoryProblem) =>
    (problem.code === "unknown-placeholder" && problem.message.startsWith("${env.")) || (problem.code === "invalid-when" && problem.message.includes("no environment of flowops.config.yaml defines it"));
  const envProblems = problems.filter(readsEnv);
  if (envProblems.length === 0) return problems;
  return [
    {
      code: "config-schema",
      file: CONFIG_FILE,
      line: 1,
      column: 1,
      // One wording for every side and render, so the problem shows once.
      message: `${CONFIG_FILE} is missing, and the templates read environment values (env.vars.*) that only it defines; add ${CONFIG_FILE} with your environments and their vars`,
    },
    ...problems.filter((p) => !readsEnv(p)),
  ];
}

/** Kestra's id and namespace rules, checked on every rendered flow: they also make output paths safe. */
function checkNames(flow: RenderedFlow, template: CompiledTemplate, scope: RenderScope, namespaceKnownGood: boolean): boolean {
  const idOk = flow.id.length <= 100 && flowIdPattern.test(flow.id);
  const namespaceOk = namespaceKnownGood || (flow.namespace.length <= 150 && namespacePattern.test(flow.namespace));
  if (idOk && namespaceOk) return true;
  const extra = { ...(scope.tenant ? { tenant: scope.tenant.code } : {}), env: scope.env.name };
  let ok = true;
  if (!idOk) {
    scope.problems.push({ code: "id-matches-file", ...flow.locate(["id"]), message: `flow id "${flow.id}" is not one Kestra accepts (${FLOW_ID_PATTERN}, at most 100 characters)`, ...extra });
    ok = false;
  }
  if (!namespaceOk) {
    scope.problems.push({
      code: "namespace-pattern",
      ...flow.locate(["namespace"]),
      message: `namespace "${flow.namespace}" of ${template.key} is not one Kestra accepts (${NAMESPACE_PATTERN}, at most 150 characters)`,
      ...extra,
    });
    ok = false;
  }
  return ok;
}
