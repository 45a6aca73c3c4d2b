import { namespaceOwner, type FlowRepository, type RenderResult, type RenderStream, type RenderedFlow, type RepositoryProblem, type SourcePosition } from "@flowops/render";
import { BoundedStringCache, flowReferences, type FlowReference } from "@flowops/flow-model";
import { validatorFor } from "@flowops/schemas";
import { indexKestraFlowSchema, PULLED_KESTRA_SCHEMA_PATH, type KestraSchemaIndex } from "./kestra-schema.js";
import { formatMessage, genericTenantData, genericTenantText } from "./messages.js";
import { ALL_RULES } from "./registry.js";
import { isSuppressed, parseSuppressions, type Suppressions } from "./suppressions.js";
import { tenantValueAttribution } from "./tenant-values.js";
import { flowSummary } from "./flow-summary.js";
import { FlowPositions } from "./positions.js";
import { walkFlow } from "./visit.js";
import type {
  Diagnostic,
  FindingBase,
  FlowFinding,
  FlowSummary,
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

/** Flow rules are timed on this many first renders, then on one render in this many (see `LintResult.timings`). */
const RULE_TIMING_SAMPLE = 16;

interface RawDiagnostic extends SourcePosition {
  rule: string;
  message: string;
  /** For a tenant's flow: the message with the tenant's own values, used when the finding moves to its tenant file. */
  specificMessage?: string;
  tenant: string | null;
  /** Environments the finding was seen in: every one a shared render stands for. */
  envs?: readonly string[];
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

/** One tenant's renders as the engine reads them, from a stream item or a whole `RenderResult`. */
interface LintBatch {
  problems: readonly RepositoryProblem[];
  /** Each render once, with the environments it stands for (flows and duplicates). */
  renders: readonly { flow: RenderedFlow; envs: readonly string[] }[];
  /** The deployable flows, one per environment: what the cross-flow rules see. */
  deployable: readonly RenderedFlow[];
}

function* batchesOf(rendered: RenderResult | RenderStream): Generator<LintBatch> {
  if (!("tenants" in rendered)) {
    const flows = [...rendered.flows, ...(rendered.duplicates ?? [])];
    yield { problems: rendered.problems, renders: flows.map((flow) => ({ flow, envs: [flow.env] })), deployable: rendered.flows };
    return;
  }
  yield { problems: rendered.problems, renders: [], deployable: [] };
  for (const tenant of rendered.tenants) {
    yield { problems: tenant.envs.flatMap((env) => env.problems), renders: tenant.renders, deployable: tenant.envs.flatMap((env) => env.flows) };
  }
}

/**
 * Lints a repository and its rendered flows: runs every rule, maps findings to template or tenant
 * file positions, merges one finding seen in many tenants into one diagnostic, applies severities
 * and `flowops-disable-next-line` comments. Pure: reads nothing, writes nothing.
 *
 * `rendered` is `render`'s result, or `renderTenants`' stream: then each tenant is linted as it
 * comes and let go (findings are merged as they come; the cross-flow rules keep a compact summary
 * of each flow), and a render shared by several environments is linted once for all of them.
 */
export function lintRepository(repository: FlowRepository, rendered: RenderResult | RenderStream, options: LintOptions = {}): LintResult {
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
  // Every tenant's flows ask for the same few namespaces over and over: answers are kept for the run.
  const owners = new BoundedStringCache(namespaceOwner(repository), 50_000);
  const facts: LintFacts = {
    repository,
    namespaceOwner: (namespace) => owners.get(namespace),
    ...(kestraSchema ? { kestraSchema } : {}),
    flowValidator: options.flowValidator ?? validatorFor("flow"),
  };
  const merger = new DiagnosticMerger(rules, repository, options);
  const raw = { push: (item: RawDiagnostic) => merger.add(item) };
  const optionsOf = (rule: Rule): Readonly<Record<string, unknown>> => repository.config.lint.options?.[rule.meta.id] ?? {};
  const fromProblem = (problem: RepositoryProblem): RawDiagnostic => ({
    rule: problem.code,
    message: problem.trustBoundary ? problem.message : genericTenantText(problem.message, problem.tenant ?? null),
    file: problem.file,
    line: problem.line,
    column: problem.column,
    tenant: problem.tenant ?? null,
    ...(problem.env ? { envs: [problem.env] } : {}),
    fromProblem: true,
    ...(problem.trustBoundary ? { trustBoundary: true } : {}),
  });
  for (const problem of repository.problems) raw.push(fromProblem(problem));

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
  const fromFlow = (rule: Rule, flow: RenderedFlow | FlowSummary, finding: FlowFinding, envs: readonly string[]): RawDiagnostic => ({
    rule: rule.meta.id,
    message: message(rule, { ...finding, data: genericTenantData(finding.data, flow.tenant) }),
    ...(flow.tenant ? { specificMessage: message(rule, finding) } : {}),
    // A summary has no document: cross-flow findings point at a path, never inside a string.
    ...("document" in flow ? positions.of(flow, finding) : flow.locate(finding.path)),
    tenant: flow.tenant,
    envs,
    fromProblem: false,
  });

  // Flow rules run flow by flow (not rule by rule): the engine walks each flow's model once and
  // hands every part to the rules that visit it.
  const visitingRules = rules.filter((rule) => rule.visitFlow);
  const checkingRules = rules.filter((rule) => rule.checkFlow);
  const crossFlowRules = rules.filter((rule) => rule.checkTenantFlows);
  // Rules are timed on the first RULE_TIMING_SAMPLE renders (warm-up included), then on one
  // render in RULE_TIMING_SAMPLE, scaled to all of them: timing each handler call of every flow
  // costs more than some rules do.
  const exactTimes = new Map<string, number>();
  const sampleTimes = new Map<string, number>();
  let renderCount = 0;
  let sampledRenders = 0;
  const run = (rule: Rule, flow: RenderedFlow, work: () => void): void => {
    try {
      work();
    } catch (error) {
      internalError(rule, error, flow.locate([]), flow.tenant);
    }
  };
  const timedInto = (times: Map<string, number>) => (rule: Rule, flow: RenderedFlow, work: () => void): void => {
    const start = performance.now();
    run(rule, flow, work);
    times.set(rule.meta.id, (times.get(rule.meta.id) ?? 0) + performance.now() - start);
  };
  const timedExactly = timedInto(exactTimes);
  const timedSample = timedInto(sampleTimes);
  const rulesOptions = new Map(rules.map((rule) => [rule, optionsOf(rule)]));
  // The compact index the cross-flow rules read once every tenant is rendered: per environment
  // and tenant, a summary of each deployable flow; per environment, every namespace rendered into.
  const groups = new Map<string, { env: string; tenant: string | null; flows: FlowSummary[] }>();
  const interner = new IndexInterner();
  const envNamespaces = new Map<string, Set<string>>();
  const visitors: { rule: Rule; handlers: FlowVisitors }[] = [];
  for (const batch of batchesOf(rendered)) {
    for (const problem of batch.problems) raw.push(fromProblem(problem));
    // A flow left out as a duplicate of another is still checked on its own: duplicate-flow must not hide its other findings.
    for (const { flow, envs } of batch.renders) {
      const index = renderCount++;
      const sampled = index >= RULE_TIMING_SAMPLE && index % RULE_TIMING_SAMPLE === 0;
      if (sampled) sampledRenders++;
      const call = index < RULE_TIMING_SAMPLE ? timedExactly : sampled ? timedSample : run;
      const report = (rule: Rule) => (finding: FlowFinding) => raw.push(fromFlow(rule, flow, finding, envs));
      visitors.length = 0;
      for (const rule of visitingRules) call(rule, flow, () => visitors.push({ rule, handlers: rule.visitFlow!({ flow, facts, options: rulesOptions.get(rule)!, report: report(rule) }) }));
      walkFlow(flow, visitors, ({ rule }, work) => call(rule, flow, work));
      for (const rule of checkingRules) call(rule, flow, () => rule.checkFlow!({ flow, facts, options: rulesOptions.get(rule)!, report: report(rule) }));
    }
    if (crossFlowRules.length === 0) continue;
    time("engine", () => {
      // Environments that share a render share its document, and so its references.
      const referencesOf = new Map<unknown, readonly FlowReference[]>();
      interner.nextTenant();
      for (const flow of batch.deployable) {
        let references = referencesOf.get(flow.document);
        if (!references) referencesOf.set(flow.document, (references = interner.of(flowReferences(flow.document, flow.namespace))));
        const key = `${flow.env}\u0000${flow.tenant ?? ""}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { env: flow.env, tenant: flow.tenant, flows: [] }));
        group.flows.push(flowSummary(flow, references, interner.name(flow.namespace)));
        let namespaces = envNamespaces.get(flow.env);
        if (!namespaces) envNamespaces.set(flow.env, (namespaces = new Set()));
        namespaces.add(flow.namespace);
      }
    });
  }
  for (const [id, ms] of exactTimes) timings[id] = (timings[id] ?? 0) + ms;
  const scale = sampledRenders === 0 ? 0 : (renderCount - RULE_TIMING_SAMPLE) / sampledRenders;
  for (const [id, ms] of sampleTimes) timings[id] = (timings[id] ?? 0) + ms * scale;

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
        for (const group of groups.values()) {
          try {
            checkTenantFlows({
              env: group.env,
              tenant: group.tenant,
              flows: group.flows,
              envNamespaces: envNamespaces.get(group.env) ?? new Set(),
              facts,
              report: (finding) => raw.push(fromFlow(rule, finding.flow, finding, [finding.flow.env])),
            });
          } catch (error) {
            const first = group.flows[0];
            internalError(rule, error, first ? first.locate([]) : { file: "", line: 1, column: 1 }, group.tenant);
          }
        }
      });
    }
  }

  const diagnostics = time("engine", () => merger.diagnostics());
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

/**
 * Keeps one copy of equal names and references while the index is built: the index holds a
 * summary of every flow of the platform, so it is kept small. Paths are the same for every tenant;
 * names and references for every environment a tenant goes to (`nextTenant` lets go of them).
 */
class IndexInterner {
  private static readonly NONE: readonly FlowReference[] = Object.freeze([]);
  private readonly paths = new Map<string, FlowReference["path"]>();
  private names = new Map<string, string>();
  private references = new Map<string, FlowReference>();

  /**
   * A key equal for equal paths only: numbers and strings are told apart, and a string holding
   * a separator falls back to JSON.
   */
  private static pathKey(path: FlowReference["path"]): string {
    let key = "";
    for (const part of path) {
      if (typeof part === "number") key += `\u0001${part}`;
      else if (part.includes("\u0000") || part.includes("\u0001")) return JSON.stringify(path);
      else key += `\u0000${part}`;
    }
    return key;
  }

  private static referenceKey(reference: FlowReference, pathKey: string): string {
    const { kind, namespace, flowId, namespaceMatch, dynamic } = reference;
    // Every field of a reference (JSON keeps flowId apart from no flowId; \u0002 never starts a path key).
    return JSON.stringify([kind, namespace, flowId === undefined ? 0 : flowId, namespaceMatch, dynamic]) + "\u0002" + pathKey;
  }

  nextTenant(): void {
    this.names = new Map();
    this.references = new Map();
  }

  name(text: string): string {
    const kept = this.names.get(text);
    if (kept !== undefined) return kept;
    this.names.set(text, text);
    return text;
  }

  of(references: readonly FlowReference[]): readonly FlowReference[] {
    if (references.length === 0) return IndexInterner.NONE;
    return references.map((reference) => {
      const pathKey = IndexInterner.pathKey(reference.path);
      const key = IndexInterner.referenceKey(reference, pathKey);
      let kept = this.references.get(key);
      if (!kept) {
        let path = this.paths.get(pathKey);
        if (!path) this.paths.set(pathKey, (path = reference.path));
        kept = { ...reference, namespace: this.name(reference.namespace), path };
        this.references.set(key, kept);
      }
      return kept;
    });
  }
}

/** What one position and message gathers: its severity (from the first finding), tenants, environments, related places. */
interface MergedPart {
  severity: Severity;
  tenants: Set<string>;
  envs: Set<string>;
  related: Map<string, RelatedLocation>;
}

/**
 * Merges findings as they come, keeping one entry per rule, position and message (not the
 * findings). Render problems and rule findings are kept apart per entry: a rule's own finding at a
 * line where render reported that rule is the same problem, and is only known to be so at the end.
 */
class DiagnosticMerger {
  private readonly merged = new Map<string, { rule: string; file: string; line: number; column: number; message: string; problem?: MergedPart; finding?: MergedPart }>();
  private readonly problemLines = new Set<string>();
  private readonly suppressionsByFile = new Map<string, Suppressions>();
  private readonly metaById: Map<string, Rule["meta"]>;
  private readonly attribute: ReturnType<typeof tenantValueAttribution>;

  constructor(
    rules: readonly Rule[],
    private readonly repository: FlowRepository,
    private readonly options: LintOptions,
  ) {
    this.metaById = new Map(rules.map((rule) => [rule.meta.id, rule.meta]));
    this.attribute = tenantValueAttribution(repository);
  }

  add(finding: RawDiagnostic): void {
    const item = this.attribute(finding);
    if (item.fromProblem) this.problemLines.add(`${item.rule}\u0000${item.file}\u0000${item.line}`);
    const severity = item.trustBoundary ? "error" : this.severityOf(item.rule);
    if (severity === "off") return;
    if (!item.fromProblem && this.problemLines.has(`${item.rule}\u0000${item.file}\u0000${item.line}`)) return;
    if (!item.trustBoundary && isSuppressed(this.suppressionsOf(item.file), item.line, item.rule)) return;
    const key = [item.rule, item.file, item.line, item.column, item.message].join("\u0000");
    let entry = this.merged.get(key);
    if (!entry) {
      entry = { rule: item.rule, file: item.file, line: item.line, column: item.column, message: item.message };
      this.merged.set(key, entry);
    }
    const side = item.fromProblem ? "problem" : "finding";
    let part = entry[side];
    if (!part) entry[side] = part = { severity: severity as Severity, tenants: new Set(), envs: new Set(), related: new Map() };
    if (item.tenant) part.tenants.add(item.tenant);
    for (const env of item.envs ?? []) part.envs.add(env);
    for (const related of item.related ?? []) part.related.set(`${related.file}:${related.line}:${related.column}`, related);
  }

  diagnostics(): Diagnostic[] {
    const diagnostics: Diagnostic[] = [];
    for (const { rule, file, line, column, message, problem, finding } of this.merged.values()) {
      const parts = [problem, this.problemLines.has(`${rule}\u0000${file}\u0000${line}`) ? undefined : finding].filter((part): part is MergedPart => part !== undefined);
      if (parts.length === 0) continue;
      const tenants = new Set(parts.flatMap((part) => [...part.tenants]));
      const envs = new Set(parts.flatMap((part) => [...part.envs]));
      const related = new Map(parts.flatMap((part) => [...part.related]));
      diagnostics.push({
        rule,
        severity: parts[0]!.severity,
        message,
        file,
        line,
        column,
        tenants: [...tenants].sort(),
        ...(envs.size > 0 ? { envs: [...envs].sort() } : {}),
        ...(related.size > 0 ? { related: [...related.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column) } : {}),
      });
    }
    diagnostics.sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message),
    );
    return diagnostics;
  }

  private severityOf(rule: string): SeveritySetting {
    return this.options.severities?.[rule] ?? this.repository.config.lint.rules[rule] ?? this.metaById.get(rule)?.defaultSeverity ?? "error";
  }

  private suppressionsOf(file: string): Suppressions {
    let entry = this.suppressionsByFile.get(file);
    if (!entry) {
      entry = parseSuppressions(this.repository.files.get(file) ?? this.repository.templates.find((t) => t.file === file)?.text ?? "");
      this.suppressionsByFile.set(file, entry);
    }
    return entry;
  }
}

/** Exit code of `flowops lint` (DESIGN.md): 1 when there are errors, else 0. */
export function lintExitCode(result: Pick<LintResult, "errorCount">): 0 | 1 {
  return result.errorCount > 0 ? 1 : 0;
}
