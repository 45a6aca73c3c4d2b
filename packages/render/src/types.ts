import type { ValuePath } from "@flowops/flow-model";

/** A path into a parsed YAML/JSON value: keys and list indices (flow-model's). */
export type { ValuePath };

/** A position in a repository file: 1-based line and column. */
export interface SourcePosition {
  /** Repository-relative path with forward slashes, e.g. `flows/bronze/aws_costs.yaml`. */
  file: string;
  line: number;
  column: number;
}

/**
 * A problem found while reading or rendering a repository. `code` is the id of the lint rule that
 * reports it (`yaml-syntax`, `tenant-schema`, `config-schema`, `unknown-placeholder`,
 * `invalid-when`, `id-matches-file`, `namespace-pattern`, `duplicate-flow`), so the linter can
 * turn it into a diagnostic unchanged and the other commands can print it as an error.
 */
export interface RepositoryProblem extends SourcePosition {
  code: string;
  message: string;
  /** Tenant the problem concerns, when it only shows when rendering that tenant. */
  tenant?: string;
  /** Environment the problem was seen in, when it is specific to one. */
  env?: string;
  /**
   * A trust-boundary refusal (a flow outside its tenant's namespaces): no lint comment or
   * severity setting silences it, and its message names the tenant.
   */
  trustBoundary?: true;
}


/** One environment as the config (or, with no config, the tenants' lists) defines it. */
export interface EnvironmentConfig {
  name: string;
  /** Variables visible to templates as `env.vars.*`. */
  vars: Record<string, unknown>;
  kestra: {
    url?: string;
    /** Kestra tenant (0.23+): `main` in OSS. */
    tenant?: string;
    usernameEnv: string;
    passwordEnv: string;
    tokenEnv: string;
  };
}

export interface DeployPolicy {
  prune: boolean;
  /** Largest share (0..1) of an environment's managed flows that one deploy may delete. */
  maxDeleteShare: number;
  /** The GitHub App overwrites drifted managed flows (read from the deployed commit only). */
  selfHeal: boolean;
  approvals: number;
  allowedPushers: string[];
  protectedTenants: string[];
  branch: string;
}

export type RuleSeverity = "off" | "info" | "warning" | "error";

/** `flowops.config.yaml` after defaults are applied. */
export interface FlowopsConfig {
  /** Folder of flow templates (or plain flows), repository-relative. */
  flowsDir: string;
  /** Folder of tenant files, repository-relative. */
  tenantsDir: string;
  /** Namespace pattern, a template string over `tenant.*` and `flow.*`. */
  namespacePattern: string;
  /** Repository-relative path of a JSON Schema for tenant files' `vars`, if any. */
  tenantVarsSchema?: string;
  /** In the order the config lists them; the first is the default. */
  environments: EnvironmentConfig[];
  deploy: DeployPolicy;
  /** `rules`: each rule's severity; `options`: the options given as `[severity, options]`. */
  lint: { rules: Record<string, RuleSeverity>; options?: Record<string, Record<string, unknown>> };
  /** Labels the renderer adds to every deployable flow. */
  ownershipLabels: Record<string, string>;
}

export interface Tenant {
  code: string;
  file: string;
  /** The tenant file as written: the `tenant.*` render context. */
  values: Record<string, unknown>;
  environments?: string[];
  /** Namespaces (with everything below them) the tenant file lists besides its pattern root. */
  namespaces?: string[];
  flows: Record<string, { enabled?: boolean; disabled?: boolean }>;
}

/** A flow template (or, in a plain repository, a flow file) after parsing. */
export interface FlowTemplate {
  /** Repository-relative path, e.g. `flows/bronze/aws_costs.yaml`. */
  file: string;
  /** Path under the flows folder without extension, e.g. `bronze/aws_costs`: the key of tenant `flows:` switches. */
  key: string;
  /** Folder under the flows folder, e.g. `bronze` (empty at the top). */
  folder: string;
  /** The file name without extension: the default flow id. */
  fileId: string;
  text: string;
}

/** Everything read from a flow repository: pure data, no I/O handles. */
export interface FlowRepository {
  /** Absolute folder the repository was read from. */
  root: string;
  /** The commit the ref resolved to, when read from Git; undefined for the working tree. */
  commit?: string;
  /** `multi-tenant` with a tenants folder; `plain` (every file one flow, as written) without. */
  mode: "multi-tenant" | "plain";
  config: FlowopsConfig;
  /** Path of the config file when the repository has one. */
  configFile?: string;
  templates: FlowTemplate[];
  tenants: Tenant[];
  /** Every input file read, by path: templates, tenants, config, schemas. */
  files: ReadonlyMap<string, string>;
  /** Problems found while reading (syntax, schemas). Files with problems are left out of `templates`/`tenants`. */
  problems: RepositoryProblem[];
}

/** One flow exactly as it would be deployed to one environment for one tenant. */
export interface RenderedFlow {
  env: string;
  /** Tenant code; null in a plain repository. */
  tenant: string | null;
  namespace: string;
  id: string;
  /** Template file path (repository-relative). */
  template: string;
  /** Template key, e.g. `bronze/aws_costs`. */
  templateKey: string;
  /** The parsed flow; read-only: its constant parts are frozen and shared between tenants. */
  document: Readonly<Record<string, unknown>>;
  /** The YAML text that is deployed: the template's own text with values spliced in. */
  source: string;
  /** Where a node of `document` comes from in the template (nearest known ancestor when generated). */
  locate(path: ValuePath): SourcePosition;
}

export interface RenderOptions {
  /** Environments to render; default: all of the config's. */
  envs?: readonly string[];
  /** Tenant codes to render; default: all. */
  tenants?: readonly string[];
  /** Add the config's ownership labels (`managed-by: flowops`, `system.readOnly`); default true. */
  ownershipLabels?: boolean;
}

export interface RenderResult {
  flows: RenderedFlow[];
  problems: RepositoryProblem[];
  /**
   * Flows left out of `flows` because another template renders the same namespace and id (each
   * with a `duplicate-flow` problem): never deployed, but still linted for their own findings.
   */
  duplicates?: RenderedFlow[];
}

/** One tenant's render in one environment: `render`'s flows, duplicates and problems for that pair. */
export interface EnvRender {
  env: string;
  /** Deployable flows, in template order. */
  flows: RenderedFlow[];
  /** Flows left out because another template renders the same namespace and id (see `RenderResult`). */
  duplicates: RenderedFlow[];
  /** Problems of this tenant's render in this environment, in template order. */
  problems: RepositoryProblem[];
}

/** Everything one tenant renders, for every selected environment it goes to. */
export interface TenantRender {
  /** Tenant code; null in a plain repository. */
  tenant: string | null;
  /** In the selection's environment order; only the environments the tenant goes to. */
  envs: EnvRender[];
  /**
   * Each render once, with the environments whose `flows` or `duplicates` hold it: a template that
   * reads nothing from `env.*` is rendered once for all of them (`flow` is the first one's, the
   * others hold views of it with their own `env`, sharing its document and source).
   */
  renders: { flow: RenderedFlow; envs: string[] }[];
}

/** `renderTenants`' answer: the selection's own problems, then the tenants one by one. */
export interface RenderStream {
  /** The selected environments the config defines, in order. */
  envs: readonly string[];
  /** Problems of the selection itself (an environment the config does not define). */
  problems: RepositoryProblem[];
  /** One item per tenant (one in a plain repository), rendered when the consumer asks for it. */
  tenants: Iterable<TenantRender>;
}

/** Where a render goes in one environment (see `RenderStep`). */
export interface RenderPlacement {
  /** The flow as deployed there: the render itself, or a view of it with its own `env`. */
  flow: RenderedFlow;
  /** Left out of that environment's flows: an earlier template renders the same namespace and id. */
  duplicate: boolean;
}

/**
 * One step of `renderSteps`: a render of one of a tenant's templates, or the end of a tenant.
 * Collected tenant by tenant they give `TenantRender`s: a render's placements are its `envs`
 * (in the selection's order), each environment's `flows` and `duplicates` are its placements in
 * template order, and the tenant step's problems are each environment's `problems`.
 */
export type RenderStep =
  | {
      kind: "render";
      tenant: string | null;
      /** The render, once (`TenantRender["renders"]`' `flow`). */
      flow: RenderedFlow;
      /** Every environment it goes to, in the selection's order. */
      placements: RenderPlacement[];
    }
  | {
      kind: "tenant";
      tenant: string | null;
      /** Every selected environment the tenant goes to, in order, with its render problems (in template order). */
      envs: { env: string; problems: RepositoryProblem[] }[];
    };

/** `renderSteps`' answer: the selection's own problems, then the steps. */
export interface RenderStepStream {
  /** The selected environments the config defines, in order. */
  envs: readonly string[];
  /** Problems of the selection itself (an environment the config does not define). */
  problems: RepositoryProblem[];
  /** Each tenant's renders, then its end; rendered when the consumer asks for them. */
  steps: Iterable<RenderStep>;
}
