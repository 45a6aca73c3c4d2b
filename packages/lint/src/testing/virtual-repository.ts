// Test support: a repository built from files in memory with @flowops/render's own
// `buildRepository` and `render` (pure; no folder, no git), as `readRepository` would read it.
import { buildRepository, render, type FlowRepository, type RenderResult } from "@flowops/render";

export interface VirtualRepository {
  repository: FlowRepository;
  rendered: RenderResult;
}

export interface VirtualFile {
  path: string;
  text: string;
}

/** A plain Kestra repository (no tenants folder): every file under `flows/` is one flow, as written. */
export function plainRepository(files: readonly VirtualFile[]): VirtualRepository {
  const repository = buildRepository({ root: "/virtual", files: new Map(files.map((f) => [f.path, f.text])), hasTenantsFolder: false });
  return { repository, rendered: render(repository) };
}

export interface VirtualTemplate extends VirtualFile {
  /** Tenants this template is rendered for (the others switch it off with `enabled: false`); default: all. */
  tenants?: readonly string[];
}

export interface VirtualTenant {
  code: string;
  /** The tenant file's text; default: `code: <code>`, plus `flows:` switches for templates limited to other tenants. */
  text?: string;
}

/** A multi-tenant repository: templates under `flows/`, tenant files under `tenants/`, optional other files (config, schemas). */
export function multiTenantRepository(
  templates: readonly VirtualTemplate[],
  tenants: readonly VirtualTenant[],
  extraFiles: readonly VirtualFile[] = [],
): VirtualRepository {
  const files = new Map<string, string>();
  for (const template of templates) files.set(template.path, template.text);
  for (const tenant of tenants) {
    const switchedOff = templates
      .filter((template) => template.tenants && !template.tenants.includes(tenant.code))
      .map((template) => template.path.replace(/^flows\//, "").replace(/\.ya?ml$/, ""));
    const text = tenant.text ?? `code: ${tenant.code}\n${switchedOff.length > 0 ? `flows:\n${switchedOff.map((key) => `  ${key}: { enabled: false }\n`).join("")}` : ""}`;
    files.set(`tenants/${tenant.code}.yaml`, text);
  }
  for (const file of extraFiles) files.set(file.path, file.text);
  const repository = buildRepository({ root: "/virtual", files, hasTenantsFolder: true });
  return { repository, rendered: render(repository) };
}
