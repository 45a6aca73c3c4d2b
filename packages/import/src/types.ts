/** A problem with the input of an import: where (1-based line and column) and what to do. */
export interface ImportProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** One input file: a path for messages and its text. */
export interface SourceFile {
  file: string;
  text: string;
}

/** What one template was made of. */
export interface TemplateReport {
  /** Template key, e.g. `bronze/aws_costs`. */
  key: string;
  /** Tenants whose copy the template renders. */
  tenants: string[];
  /** `tenant.vars.*` placeholders the template uses for values that differ between tenants. */
  vars: string[];
  /** `$when` conditions added to parts only some tenants have. */
  conditions: string[];
  /** Tenants that lack the flow: switched off in their files (`enabled: false`). */
  switchedOff: string[];
}

/** A flow kept as written for one tenant, because it could not be factored into the shared template. */
export interface TenantOnlyFlow {
  tenant: string;
  namespace: string;
  id: string;
  /** The tenant-only template written for it. */
  file: string;
  reason: string;
}

export interface ImportReport {
  source: string;
  tenants: string[];
  templates: TemplateReport[];
  tenantOnly: TenantOnlyFlow[];
  /** Round trip: every imported flow rendered back and compared with the original document. */
  verification: { flows: number; equal: number };
  /** What the importer noticed and left for a person (never applied silently). */
  notes: string[];
}

/** The files of the imported repository, by repository-relative path, and what was done. */
export interface ImportResult {
  files: Map<string, string>;
  report: ImportReport;
}
