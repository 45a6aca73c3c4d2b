import { namespaceOwner, type FlowRepository, type RenderResult, type RenderedFlow, type SourcePosition } from "@flowops/render";
import { validatorFor } from "@flowops/schemas";
import { indexKestraFlowSchema, PULLED_KESTRA_SCHEMA_PATH, type KestraSchemaIndex } from "./kestra-schema.js";
import { formatMessage, genericTenantData, genericTenantText } from "./messages.js";
import { ALL_RULES } from "./registry.js";
import { isSuppressed, parseSuppressions, type Suppressions } from "./suppressions.js";
import { attributeTenantValues } from "./tenant-values.js";
import { FlowPositions } from "./positions.js";
import { walkFlow } from "./visit.js";
import type {
  Diagnostic,
  FindingBase,
  FlowFinding,
  FlowValidator,
  FlowVisitors,
  LintFacts,
  LintResult,
  RelatedLocation,
  Rule,
  Severity,
  SeveritySetting,
} from "./types.js";

export interface LintOptions {
  /** Rules to run; default: every registered rule. */
  rules?: readonly Rule[];
  /** Validator run by `flow-schema` on every rendered flow; default: `@flowops/schemas`' flow schema. */
  flowValidator?: FlowValidator;
  /** A pulled Kestra flow schema; default: the repository's `.flowops/kestra-flow-schema.json`. */
  kestraFlowSchema?: unknown;
  /** Severity overrides on top of `config.lint.rules`. */
  severities?: Readonly<Record<string, SeveritySetting>>;
}

interface RawDiagnostic extends SourcePosition {
  rule: string;
  message: string;
  /** For a tenant's flow: the message with the tenant's own values, used when the finding moves to its tenant file. */
  specificMessage?: string;
  tenant: string | null;
  env?: string;
  fromProblem: boolean;
  /** A trust-boundary refusal from render: always an error, never silenced, never merged across tenants. */
  trustBoundary?: true;
  related?: RelatedLocation[];
}

function loadKestraSchema(repository: FlowRepository, options: LintOptions): KestraSchemaIndex | undefined {
  if (options.kestraFlowSchema !== undefined) return indexKestraFlowSchema(options.kestraFlowSchema);
  const text = repository.files.get(PULLED_KESTRA_SCHEMA_PATH);
  if (text === undefined) return undefined;
  try {
    return indexKestraFlowSchema(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * Lints a repository and its rendered flows: runs every rule, maps findings to template or tenant
 * file positions, merges one finding seen in many tenants into one diagnostic, applies severities
 * and `flowops-disable-next-line` comments. Pure: reads nothing, writes nothing.
 */
export function lintRepository(repository: FlowRepository, rendered: RenderResult, options: LintOptions = {}): LintResult {
  const rules = options.rules ?? ALL_RULES;
  const timings: Record<string, number> = {};
  const time = <T>(key: string, work: () => T): T => {
    const start = performance.now();
    try {
      return work();
    } finally {
      timings[key] = (timings[key] ?? 0) + performance.now() - start;
    }
  };

  const kestraSchema = time("kestra-schema", () => loadKestraSchema(repository, options));
  const facts: LintFacts = {
    repository,
    namespaceOwner: namespaceOwner(repository),
    ...(kestraSchema ? { kestraSchema } : {}),
    flowValidator: options.flowValidator ?? validatorFor("flow"),
  };
  const raw: RawDiagnostic[] = [];
  const optionsOf = (rule: Rule): Readonly<Record<string, unknown>> => repository.config.lint.options?.[rule.meta.id] ?? {};

  for (const problem of [...repository.problems, ...rendered.problems]) {
    raw.push({
      rule: problem.code,
      message: problem.trustBoundary ? problem.message : genericTenantText(problem.message, problem.tenant ?? null),
      file: problem.file,
      line: problem.line,
      column: problem.column,
      tenant: problem.tenant ?? null,
      ...(problem.env ? { env: problem.env } : {}),
      fromProblem: true,
      ...(problem.trustBoundary ? { trustBoundary: true } : {}),
    });
  }

  const templateTexts = new Map(repository.templates.map((template) => [template.file, template.text]));
  const positions = new FlowPositions((file) => templateTexts.get(file));
  const locateInFile = (file: string, text: string) => positions.located(file, text)!;

  const message = (rule: Rule, finding: FindingBase): string => {
    const template = rule.meta.messages[finding.messageId];
    if (template === undefined) throw new Error(`rule ${rule.meta.id} has no message '${finding.messageId}'`);
    return formatMessage(template, finding.data);
  };
  const internalError = (rule: Rule, error: unknown, position: SourcePosition, tenant: string | null): void => {
    raw.push({
      rule: rule.meta.id,
      message: `internal error in rule ${rule.meta.id}: ${error instanceof Error ? error.message : String(error)}`,
      ...position,
      tenant,
      fromProblem: false,
    });
  };
  const fromFlow = (rule: Rule, flow: RenderedFlow, finding: FlowFinding): RawDiagnostic => ({
    rule: rule.meta.id,
    message: message(rule, { ...finding, data: genericTenantData(finding.data, flow.tenant) }),
    ...(flow.tenant ? { specificMessage: message(rule, finding) } : {}),
    ...positions.of(flow, finding),
    tenant: flow.tenant,
    env: flow.env,
    fromProblem: false,
  });

  // Flow rules run flow by flow (not rule by rule): the engine walks each flow's model once and
  // hands every part to the rules that visit it.
  const visitingRules = rules.filter((rule) => rule.visitFlow);
  const checkingRules = rules.filter((rule) => rule.checkFlow);
  const ruleTimes = new Map<string, number>();
  const timed = (rule: Rule, flow: RenderedFlow, work: () => void): void => {
    const start = performance.now();
    try {
      work();
    } catch (error) {
      internalError(rule, error, flow.locate([]), flow.tenant);
    }
    ruleTimes.set(rule.meta.id, (ruleTimes.get(rule.meta.id) ?? 0) + performance.now() - start);
  };
  // A flow left out as a duplicate of another is still checked on its own: duplicate-flow must not hide its other findings.
  for (const flow of [...rendered.flows, ...(rendered.duplicates ?? [])]) {
    const report = (rule: Rule) => (finding: FlowFinding) => raw.push(fromFlow(rule, flow, finding));
    const visitors: { rule: Rule; handlers: FlowVisitors }[] = [];
    for (const rule of visitingRules) timed(rule, flow, () => visitors.push({ rule, handlers: rule.visitFlow!({ flow, facts, options: optionsOf(rule), report: report(rule) }) }));
    walkFlow(flow, visitors, ({ rule }, work) => timed(rule, flow, work));
    for (const rule of checkingRules) timed(rule, flow, () => rule.checkFlow!({ flow, facts, options: optionsOf(rule), report: report(rule) }));
  }
  for (const [id, ms] of ruleTimes) timings[id] = (timings[id] ?? 0) + ms;

  for (const rule of rules) {
    const { checkTemplate, checkTenant, checkTenantFlows } = rule;
    if (checkTemplate) {
      time(rule.meta.id, () => {
        for (const template of repository.templates) {
          const file = locateInFile(template.file, template.text);
          try {
            checkTemplate({
              template,
              facts,
              report: (finding) => {
                const position = finding.path ? { file: template.file, ...file.locate(finding.path, finding.within) } : { file: template.file, line: finding.line ?? 1, column: finding.column ?? 1 };
                raw.push({ rule: rule.meta.id, message: message(rule, finding), ...position, tenant: null, fromProblem: false });
              },
            });
          } catch (error) {
            internalError(rule, error, { file: template.file, line: 1, column: 1 }, null);
          }
        }
      });
    }
    if (checkTenant) {
      time(rule.meta.id, () => {
        for (const tenant of repository.tenants) {
          const text = repository.files.get(tenant.file) ?? "";
          const file = locateInFile(tenant.file, text);
          try {
            checkTenant({
              tenant,
              facts,
              options: optionsOf(rule),
              report: (finding) => {
                const position = finding.path ? { file: tenant.file, ...file.locate(finding.path, finding.within) } : { file: tenant.file, line: finding.line ?? 1, column: finding.column ?? 1 };
                raw.push({ rule: rule.meta.id, message: message(rule, finding), ...position, tenant: tenant.code, fromProblem: false });
              },
            });
          } catch (error) {
            internalError(rule, error, { file: tenant.file, line: 1, column: 1 }, tenant.code);
          }
        }
      });
    }
    if (checkTenantFlows) {
      time(rule.meta.id, () => {
        const groups = new Map<string, { env: string; tenant: string | null; flows: RenderedFlow[] }>();
        const envNamespaces = new Map<string, Set<string>>();
        for (const flow of rendered.flows) {
          const key = `${flow.env}\u0000${flow.tenant ?? ""}`;
          let group = groups.get(key);
          if (!group) {
            group = { env: flow.env, tenant: flow.tenant, flows: [] };
            groups.set(key, group);
          }
          group.flows.push(flow);
          let namespaces = envNamespaces.get(flow.env);
          if (!namespaces) envNamespaces.set(flow.env, (namespaces = new Set()));
          namespaces.add(flow.namespace);
        }
        for (const group of groups.values()) {
          try {
            checkTenantFlows({
              env: group.env,
              tenant: group.tenant,
              flows: group.flows,
              envNamespaces: envNamespaces.get(group.env) ?? new Set(),
              facts,
              report: (finding) => raw.push(fromFlow(rule, finding.flow, finding)),
            });
          } catch (error) {
            const first = group.flows[0];
            internalError(rule, error, first ? first.locate([]) : { file: "", line: 1, column: 1 }, group.tenant);
          }
        }
      });
    }
  }

  const diagnostics = time("engine", () => mergeDiagnostics(attributeTenantValues(raw, repository), rules, repository, options));
  let errorCount = 0;
  let warningCount = 0;
  let infoCount = 0;
  for (const diagnostic of diagnostics) {
    if (diagnostic.severity === "error") errorCount++;
    else if (diagnostic.severity === "warning") warningCount++;
    else infoCount++;
  }
  return { diagnostics, errorCount, warningCount, infoCount, timings };
}

function mergeDiagnostics(
  raw: readonly RawDiagnostic[],
  rules: readonly Rule[],
  repository: FlowRepository,
  options: LintOptions,
): Diagnostic[] {
  const metaById = new Map(rules.map((rule) => [rule.meta.id, rule.meta]));
  const severityOf = (rule: string): SeveritySetting =>
    options.severities?.[rule] ?? repository.config.lint.rules[rule] ?? metaById.get(rule)?.defaultSeverity ?? "error";

  // A rule's own finding at a line where render already reported that rule is the same problem.
  const problemLines = new Set(raw.filter((d) => d.fromProblem).map((d) => `${d.rule}\u0000${d.file}\u0000${d.line}`));

  const suppressionsByFile = new Map<string, Suppressions>();
  const suppressionsOf = (file: string): Suppressions => {
    let entry = suppressionsByFile.get(file);
    if (!entry) {
      entry = parseSuppressions(repository.files.get(file) ?? repository.templates.find((t) => t.file === file)?.text ?? "");
      suppressionsByFile.set(file, entry);
    }
    return entry;
  };

  const merged = new Map<string, { diagnostic: Diagnostic; tenants: Set<string>; envs: Set<string>; related: Map<string, RelatedLocation> }>();
  for (const item of raw) {
    const severity = item.trustBoundary ? "error" : severityOf(item.rule);
    if (severity === "off") continue;
    if (!item.fromProblem && problemLines.has(`${item.rule}\u0000${item.file}\u0000${item.line}`)) continue;
    if (!item.trustBoundary && isSuppressed(suppressionsOf(item.file), item.line, item.rule)) continue;
    const key = [item.rule, item.file, item.line, item.column, item.message].join("\u0000");
    let entry = merged.get(key);
    if (!entry) {
      entry = {
        diagnostic: { rule: item.rule, severity: severity as Severity, message: item.message, file: item.file, line: item.line, column: item.column, tenants: [] },
        tenants: new Set(),
        envs: new Set(),
        related: new Map(),
      };
      merged.set(key, entry);
    }
    if (item.tenant) entry.tenants.add(item.tenant);
    if (item.env) entry.envs.add(item.env);
    for (const related of item.related ?? []) entry.related.set(`${related.file}:${related.line}:${related.column}`, related);
  }
  const diagnostics = [...merged.values()].map(({ diagnostic, tenants, envs, related }) => ({
    ...diagnostic,
    tenants: [...tenants].sort(),
    ...(envs.size > 0 ? { envs: [...envs].sort() } : {}),
    ...(related.size > 0 ? { related: [...related.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column) } : {}),
  }));
  diagnostics.sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message),
  );
  return diagnostics;
}

/** Exit code of `flowops lint` (DESIGN.md): 1 when there are errors, else 0. */
export function lintExitCode(result: Pick<LintResult, "errorCount">): 0 | 1 {
  return result.errorCount > 0 ? 1 : 0;
}
