import type { FlowRepository, SourcePosition } from "@flowops/render";
import { parseLocatedYaml, type LocatedYaml } from "@flowops/flow-model";
import type { RelatedLocation } from "./types.js";

/** A finding before merging, as far as attribution needs it. */
export interface AttributableFinding extends SourcePosition {
  rule: string;
  message: string;
  /** The message with the tenant's own values (not made generic with `${tenant.code}`). */
  specificMessage?: string;
  tenant: string | null;
  fromProblem: boolean;
  related?: RelatedLocation[];
}

/** Rules whose finding is about a scalar's whole value, so a tenant placeholder inside it is the cause. */
const VALUE_RULES = new Set(["invalid-cron"]);
const PLACEHOLDER = /(?<!\$)\$\{\s*([^}]+?)\s*\}/g;

/**
 * Moves findings caused by a tenant's value to the tenant file, with the template line as the
 * related location: a missing `${tenant.…}` value that other tenants set (the tenant file lacks
 * it, the template is fine), and a rendered-flow finding on a scalar filled from the tenant file
 * (a bad cron in `schedule`). A placeholder no tenant defines stays at the template (a typo there),
 * worded once for every tenant and environment.
 * Returns the findings, changed ones replaced.
 */
export function attributeTenantValues<F extends AttributableFinding>(findings: readonly F[], repository: FlowRepository): F[] {
  return findings.map(tenantValueAttribution(repository));
}

/**
 * `attributeTenantValues` for one finding at a time (the lint engine attributes each finding as it
 * comes, keeping none): each finding is judged on its own against the repository.
 */
export function tenantValueAttribution(repository: FlowRepository): <F extends AttributableFinding>(finding: F) => F {
  if (repository.mode === "plain" || repository.tenants.length === 0) return (finding) => finding;
  const templates = new Map(repository.templates.map((t) => [t.file, t.text]));
  const tenants = new Map(repository.tenants.map((t) => [t.code, t]));
  const lineStarts = new Map<string, number[]>();
  const tenantFiles = new Map<string, LocatedYaml>();
  const offsetOf = (file: string, text: string, line: number, column: number): number => {
    let starts = lineStarts.get(file);
    if (!starts) {
      starts = [0];
      for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
      lineStarts.set(file, starts);
    }
    return (starts[line - 1] ?? text.length) + column - 1;
  };
  const locateInTenant = (file: string, path: string[]): SourcePosition => {
    let located = tenantFiles.get(file);
    if (!located) {
      located = parseLocatedYaml(repository.files.get(file) ?? "");
      tenantFiles.set(file, located);
    }
    return { file, ...located.locate(path) };
  };
  const definedBySomeTenant = (path: string[]) => repository.tenants.some((t) => valueAt(t.values, path) !== undefined);

  return <F extends AttributableFinding>(finding: F): F => {
    const text = templates.get(finding.file);
    const tenant = finding.tenant === null ? undefined : tenants.get(finding.tenant);
    if (text === undefined || !tenant) return finding;
    const offset = offsetOf(finding.file, text, finding.line, finding.column);
    const used: RelatedLocation = { file: finding.file, line: finding.line, column: finding.column, message: "" };

    if (finding.fromProblem && finding.rule === "unknown-placeholder") {
      const match = /^\$\{\s*([^}]+?)\s*\}/.exec(text.slice(offset, offset + 300));
      const path = match ? tenantPath(match[1]!) : undefined;
      if (!path) return finding;
      const name = path.join(".");
      if (!definedBySomeTenant(path)) {
        // The template names a value no tenant has: one finding at the template, whatever the tenant or environment.
        return { ...finding, message: `\${tenant.${name}} is not set in any tenant file; correct the name, or set ${name} in the tenant files, or guard that mapping with $when` };
      }
      return {
        ...finding,
        ...locateInTenant(tenant.file, path),
        file: tenant.file,
        message: `${name} is not set for tenant ${tenant.code}, but other tenants set it and ${finding.file}:${finding.line}:${finding.column} uses it; add ${name} to this tenant file, or guard that mapping with $when`,
        related: [{ ...used, message: `uses \${tenant.${name}}` }],
      };
    }

    if (!finding.fromProblem) {
      const scalar = scalarTextAt(text, offset);
      const placeholders = [...scalar.matchAll(PLACEHOLDER)].map((m) => ({ raw: m[0], path: tenantPath(m[1]!) }));
      const whole = placeholders.length === 1 && placeholders[0]!.raw === scalar.trim();
      const fromTenant = placeholders.find((p) => p.path !== undefined);
      if (!fromTenant || !(whole || VALUE_RULES.has(finding.rule))) return finding;
      const path = fromTenant.path!;
      return {
        ...finding,
        ...locateInTenant(tenant.file, path),
        file: tenant.file,
        message: `${finding.specificMessage ?? finding.message} (the value of ${path.join(".")} for tenant ${tenant.code})`,
        related: [{ ...used, message: `used here as ${fromTenant.raw}` }],
      };
    }
    return finding;
  };
}

/** `tenant.vars.warehouse` → `["vars", "warehouse"]`; undefined for a path outside the tenant file. */
function tenantPath(raw: string): string[] | undefined {
  const segments = raw.trim().split(".");
  return segments[0] === "tenant" && segments.length > 1 && segments.every((s) => /^[\w-]+$/.test(s)) ? segments.slice(1) : undefined;
}

function valueAt(values: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = values;
  for (const segment of path) {
    if (value === null || typeof value !== "object" || !Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * The text of the one-line scalar starting at `offset` (quotes removed): to the closing quote, or
 * to the end of the line or a comment. Block scalars give their header, with no placeholder.
 */
function scalarTextAt(text: string, offset: number): string {
  const lineEnd = text.indexOf("\n", offset) === -1 ? text.length : text.indexOf("\n", offset);
  const line = text.slice(offset, lineEnd);
  const quote = line[0];
  if (quote === '"' || quote === "'") {
    for (let i = 1; i < line.length; i++) {
      if (quote === '"' && line[i] === "\\") i++;
      else if (line[i] === quote) {
        if (quote === "'" && line[i + 1] === "'") i++;
        else return line.slice(1, i);
      }
    }
    return line.slice(1);
  }
  const comment = line.search(/\s#/);
  return comment === -1 ? line : line.slice(0, comment);
}
