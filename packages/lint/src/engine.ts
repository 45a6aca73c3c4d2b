import {
  namespaceOwner,
  type FlowRepository,
  type RenderPlacement,
  type RenderResult,
  type RenderStepStream,
  type RenderStream,
  type RenderedFlow,
  type RepositoryProblem,
  type SourcePosition,
} from "@flowops/render";
import { BoundedStringCache, flowReferences, forgetDocument, type FlowReference } from "@flowops/flow-model";
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
  FlowRuleContext,
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

/** A flow rule over a lint run: its context (pointed at each flow in turn), its handlers for the current flow, its times. */
interface FlowRuleRun {
  rule: Rule;
  context: FlowRuleContext;
  handlers: FlowVisitors;
  /** Milliseconds on the first renders, and on the sampled renders after them (see RULE_TIMING_SAMPLE). */
  exactMs: number;
  sampleMs: number;
  exactTimed: boolean;
  sampleTimed: boolean;
}

/**
 * The engine's reading of the two collected input shapes, step by step: a render to lint, problems,
 * deployable flows to summarize (one summary each), and the end of a tenant (summaries go into the
 * index in environment order). `renderSteps`' stream is read as it comes (see `lintRepository`).
 */
type LintStep =
  | { kind: "render"; render: { flow: RenderedFlow; envs: readonly string[] } }
  | { kind: "problems"; problems: readonly RepositoryProblem[] }
  | { kind: "deployable"; flows: readonly RenderedFlow[] }
  | { kind: "end" };

function* stepsOf(rendered: RenderResult | RenderStream): Generator<LintStep> {
  if (!("tenants" in rendered)) {
    yield { kind: "problems", problems: rendered.problems };
    for (const flow of rendered.flows) yield { kind: "render", render: { flow, envs: [flow.env] } };
    for (const flow of rendered.duplicates ?? []) yield { kind: "render", render: { flow, envs: [flow.env] } };
    yield { kind: "deployable", flows: rendered.flows };
    yield { kind: "end" };
    return;
  }
  yield { kind: "problems", problems: rendered.problems };
  for (const tenant of rendered.tenants) {
    yield { kind: "problems", problems: tenant.envs.flatMap((env) => env.problems) };
    for (const render of tenant.renders) yield { kind: "render", render };
    yield { kind: "deployable", flows: tenant.envs.flatMap((env) => env.flows) };
    yield { kind: "end" };
  }
}

/**
 * The environments of a render's placements, as one frozen list per distinct list (renders of a
 * platform go to the same few): no list made per render.
 */
class EnvLists {
  private last: readonly string[] = Object.freeze([]);
  private readonly known: (readonly string[])[] = [];

  of(placements: readonly RenderPlacement[]): readonly string[] {
    if (EnvLists.lists(this.last, placements)) return this.last;
    let found = this.known.find((envs) => EnvLists.lists(envs, placements));
    if (!found) this.known.push((found = Object.freeze(placements.map(({ flow }) => flow.env))));
    return (this.last = found);
  }

  private static lists(envs: readonly string[], placements: readonly RenderPlacement[]): boolean {
    if (envs.length !== placements.length) return false;
    for (let i = 0; i < envs.length; i++) if (envs[i] !== placements[i]!.flow.env) return false;
    return true;
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
 * Over `renderSteps`' stream each render is linted as it comes, before the next is rendered, so
 * it dies young; the index still takes a tenant's summaries in environment order.
 */
export function lintRepository(repository: FlowRepository, rendered: RenderResult | RenderStream | RenderStepStream, options: LintOptions = {}): LintResult {
  const rules = options.rules ?? ALL_RULES;
  const timings: Record<string, number> = {};
  const addTiming = (key: string, start: number): void => {
    timings[key] = (timings[key] ?? 0) + performance.now() - start;
  };
  const time = <T>(key: string, work: () => T): T => {
    const start = performance.now();
    try {
      return work();
    } finally {
      addTiming(key, start);
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
  // hands every part to the rules that visit it. Each rule gets one context for the whole run,
  // pointed at the flow being linted: only the handlers a rule returns are made per flow.
  // The render being linted and the environments it stands for.
  let currentFlow: RenderedFlow | undefined;
  let currentEnvs: readonly string[] = [];
  const runs = new Map<Rule, FlowRuleRun>();
  const runOf = (rule: Rule): FlowRuleRun => {
    let run = runs.get(rule);
    if (!run) {
      const context: FlowRuleContext = {
        flow: undefined as unknown as RenderedFlow,
        facts,
        options: optionsOf(rule),
        report: (finding) => raw.push(fromFlow(rule, currentFlow!, finding, currentEnvs)),
      };
      runs.set(rule, (run = { rule, context, handlers: {}, exactMs: 0, sampleMs: 0, exactTimed: false, sampleTimed: false }));
    }
    return run;
  };
  const visitingRuns = rules.filter((rule) => rule.visitFlow).map(runOf);
  const checkingRuns = rules.filter((rule) => rule.checkFlow).map(runOf);
  const crossFlowRules = rules.filter((rule) => rule.checkTenantFlows);
  // Rules are timed on the first RULE_TIMING_SAMPLE renders (warm-up included), then on one
  // render in RULE_TIMING_SAMPLE, scaled to all of them: timing each handler call of every flow
  // costs more than some rules do.
  let renderCount = 0;
  let sampledRenders = 0;
  let timing: "exact" | "sample" | undefined;
  const failed = (run: FlowRuleRun, error: unknown): void => {
    const flow = currentFlow!;
    internalError(run.rule, error, flow.locate([]), flow.tenant);
  };
  const addTime = (run: FlowRuleRun, start: number): void => {
    const ms = performance.now() - start;
    if (timing === "exact") {
      run.exactMs += ms;
      run.exactTimed = true;
    } else {
      run.sampleMs += ms;
      run.sampleTimed = true;
    }
  };
  // walkFlow's `call`: one function for the whole run (the flow and the timing are the loop's).
  const callPlain = (run: FlowRuleRun, work: () => void): void => {
    try {
      work();
    } catch (error) {
      failed(run, error);
    }
  };
  const callTimed = (run: FlowRuleRun, work: () => void): void => {
    const start = performance.now();
    callPlain(run, work);
    addTime(run, start);
  };
  // The compact index the cross-flow rules read once every tenant is rendered: per environment
  // and tenant, a summary of each deployable flow (one render's views share one); per environment,
  // every namespace rendered into.
  const groups = new Map<string, FlowGroup>();
  const interner = new IndexInterner();
  const envNamespaces = new Map<string, Set<string>>();
  const visitors: FlowRuleRun[] = [];
  // A flow left out as a duplicate of another is still checked on its own: duplicate-flow must not hide its other findings.
  const lint = (flow: RenderedFlow, envs: readonly string[]): void => {
    currentFlow = flow;
    currentEnvs = envs;
    const index = renderCount++;
    const sampled = index >= RULE_TIMING_SAMPLE && index % RULE_TIMING_SAMPLE === 0;
    if (sampled) sampledRenders++;
    timing = index < RULE_TIMING_SAMPLE ? "exact" : sampled ? "sample" : undefined;
    visitors.length = 0;
    for (const run of visitingRuns) {
      const started = timing ? performance.now() : 0;
      run.context.flow = flow;
      try {
        run.handlers = run.rule.visitFlow!(run.context);
        visitors.push(run);
      } catch (error) {
        failed(run, error);
      }
      if (timing) addTime(run, started);
    }
    walkFlow(flow, visitors, timing ? callTimed : callPlain);
    for (const run of checkingRuns) {
      const started = timing ? performance.now() : 0;
      run.context.flow = flow;
      try {
        run.rule.checkFlow!(run.context);
      } catch (error) {
        failed(run, error);
      }
      if (timing) addTime(run, started);
    }
    currentFlow = undefined;
  };
  // A tenant's summaries by environment, until the tenant ends: the index takes them in
  // environment order (then template order), however the renders came.
  const pending = new Map<string, FlowSummary[]>();
  // Environments that share a render share its document, and so its references.
  let referencesOf = new Map<unknown, readonly FlowReference[]>();
  const summaryOf = (flow: RenderedFlow): FlowSummary => {
    let references = referencesOf.get(flow.document);
    if (!references) referencesOf.set(flow.document, (references = interner.of(flowReferences(flow.document, flow.namespace))));
    return flowSummary(flow, references, interner.name(flow.namespace));
  };
  const pendingIn = (env: string): FlowSummary[] => {
    let summaries = pending.get(env);
    if (!summaries) pending.set(env, (summaries = []));
    return summaries;
  };
  /** Summarizes deployable flows, one summary each, into their environments' pending lists. */
  const summarize = (flows: readonly RenderedFlow[]): void => {
    for (const flow of flows) pendingIn(flow.env).push(summaryOf(flow));
  };
  /** Summarizes a render once for the environments it is deployed to (its views there share its document). */
  const summarizeRender = (placements: readonly RenderPlacement[]): void => {
    let summary: FlowSummary | undefined;
    for (const { flow, duplicate } of placements) {
      if (duplicate) continue;
      pendingIn(flow.env).push((summary ??= summaryOf(flow)));
    }
    // A render's references are its own: holding them by document would keep the document alive.
    if (summary) referencesOf.clear();
  };
  const endTenant = (order: Iterable<string>): void => {
    let group: FlowGroup | undefined;
    let namespaces: Set<string> | undefined;
    for (const env of order) {
      // A summary shared by environments was made in the first: its environment is this list's.
      for (const summary of pending.get(env) ?? []) {
        // A tenant's flows come environment by environment: the group changes rarely.
        if (!group || group.env !== env || group.tenant !== summary.tenant) {
          const key = `${env}\u0000${summary.tenant ?? ""}`;
          group = groups.get(key);
          if (!group) groups.set(key, (group = { env, tenant: summary.tenant, flows: [] }));
          namespaces = envNamespaces.get(env);
          if (!namespaces) envNamespaces.set(env, (namespaces = new Set()));
        }
        group.flows.push(summary);
        namespaces!.add(summary.namespace);
      }
    }
    pending.clear();
    referencesOf = new Map();
    interner.nextTenant();
  };
  if ("steps" in rendered) {
    // Read as it comes, with no step object of the engine's own per render.
    const summarizing = crossFlowRules.length > 0;
    const envLists = new EnvLists();
    for (const problem of rendered.problems) raw.push(fromProblem(problem));
    for (const step of rendered.steps) {
      if (step.kind === "render") {
        lint(step.flow, envLists.of(step.placements));
        if (summarizing) {
          // Timed without `time`'s closure: this runs once per render.
          const start = performance.now();
          summarizeRender(step.placements);
          addTiming("engine", start);
        }
        // Nothing asks for the render's document after its step.
        forgetDocument(step.flow.document);
      } else {
        for (const { problems } of step.envs) for (const problem of problems) raw.push(fromProblem(problem));
        if (summarizing) time("engine", () => endTenant(step.envs.map(({ env }) => env)));
      }
    }
  } else {
    for (const step of stepsOf(rendered)) {
      switch (step.kind) {
        case "problems":
          for (const problem of step.problems) raw.push(fromProblem(problem));
          break;
        case "render":
          lint(step.render.flow, step.render.envs);
          break;
        case "deployable":
          if (crossFlowRules.length > 0) time("engine", () => summarize(step.flows));
          break;
        case "end":
          if (crossFlowRules.length > 0) time("engine", () => endTenant([...pending.keys()]));
          break;
      }
    }
  }
  // In the order the rules were first timed: visiting rules, then the other flow-checking ones.
  const flowRuns = [...new Set([...visitingRuns, ...checkingRuns])];
  for (const run of flowRuns) if (run.exactTimed) timings[run.rule.meta.id] = (timings[run.rule.meta.id] ?? 0) + run.exactMs;
  const scale = sampledRenders === 0 ? 0 : (renderCount - RULE_TIMING_SAMPLE) / sampledRenders;
  for (const run of flowRuns) if (run.sampleTimed) timings[run.rule.meta.id] = (timings[run.rule.meta.id] ?? 0) + run.sampleMs * scale;

  const flowGroups = crossFlowRules.length > 0 ? time("engine", () => sharedGroups(groups.values())) : [];
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
        for (const group of flowGroups) {
          const { envs, tenant, flows } = group;
          const env = envs[0]!;
          // Findings go to the merger as if the rule had run environment by environment: those in
          // the first at once, those only in later ones after them (`deferred`), environment by environment.
          let deferred: RawDiagnostic[] | undefined;
          try {
            checkTenantFlows({
              env,
              envs,
              tenant,
              flows,
              namespacesByEnv: envNamespaces,
              facts,
              report: (finding) => {
                const found = fromFlow(rule, finding.flow, finding, finding.envs ?? (finding.flow.env === env ? envs : [finding.flow.env]));
                if (found.envs!.includes(env) || !found.envs!.some((other) => envs.includes(other))) raw.push(found);
                else (deferred ??= []).push(found);
              },
            });
          } catch (error) {
            const first = flows[0];
            internalError(rule, error, first ? first.locate([]) : { file: "", line: 1, column: 1 }, tenant);
          }
          for (let i = 1; i < envs.length && deferred; i++) {
            for (const found of deferred) {
              const firstIn = Math.min(...found.envs!.map((other) => envs.indexOf(other)).filter((at) => at >= 0));
              if (firstIn === i) raw.push(found);
            }
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

/** One tenant's summaries in one environment, as the index gathers them. */
interface FlowGroup {
  env: string;
  tenant: string | null;
  flows: FlowSummary[];
}

/** What a cross-flow rule is run over: a tenant's summaries, alike in each of `envs`. */
interface SharedFlowGroup {
  envs: string[];
  tenant: string | null;
  flows: readonly FlowSummary[];
}

/**
 * The index's groups, with a group made one with the one before it when both are a tenant's and
 * hold the same flows (the same summaries in the same order: one render each, deployed to both
 * environments): a cross-flow rule then runs once for those environments. A group left on its own
 * gets summaries of its own environment.
 */
function sharedGroups(groups: Iterable<FlowGroup>): SharedFlowGroup[] {
  const out: SharedFlowGroup[] = [];
  for (const group of groups) {
    const last = out[out.length - 1];
    if (last && last.tenant === group.tenant && sameSummaries(last.flows, group.flows)) {
      last.envs.push(group.env);
      continue;
    }
    const flows = group.flows.some((summary) => summary.env !== group.env) ? group.flows.map((summary) => (summary.env === group.env ? summary : { ...summary, env: group.env })) : group.flows;
    out.push({ envs: [group.env], tenant: group.tenant, flows });
  }
  return out;
}

function sameSummaries(a: readonly FlowSummary[], b: readonly FlowSummary[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A node of the interner's path trie: a segment's children, and the kept path ending here. */
interface PathNode {
  children: Map<string | number, PathNode>;
  path?: FlowReference["path"];
}

/**
 * Keeps one copy of equal names and references while the index is built: the index holds a
 * summary of every flow of the platform, so it is kept small. Paths are the same for every tenant;
 * names and references for every environment a tenant goes to (`nextTenant` lets go of them).
 * Equal values are found by lookups on their parts, with no key built per reference.
 */
class IndexInterner {
  private static readonly NONE: readonly FlowReference[] = Object.freeze([]);
  /** Every kept path, by its segments (a Map tells the number 1 from the string "1"). */
  private readonly paths: PathNode = { children: new Map() };
  private names = new Map<string, string>();
  /** This tenant's references by kept path, then namespace; the few sharing both are told apart by their other fields. */
  private references = new Map<FlowReference["path"], Map<string, FlowReference[]>>();

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
      const path = this.path(reference.path);
      const namespace = this.name(reference.namespace);
      let byNamespace = this.references.get(path);
      if (!byNamespace) this.references.set(path, (byNamespace = new Map()));
      let alike = byNamespace.get(namespace);
      if (!alike) byNamespace.set(namespace, (alike = []));
      const { kind, flowId, namespaceMatch, dynamic } = reference;
      let kept = alike.find((other) => other.kind === kind && other.flowId === flowId && other.namespaceMatch === namespaceMatch && other.dynamic === dynamic);
      if (!kept) alike.push((kept = { ...reference, namespace, path }));
      return kept;
    });
  }

  private path(path: FlowReference["path"]): FlowReference["path"] {
    let node = this.paths;
    for (const segment of path) {
      let child = node.children.get(segment);
      if (!child) node.children.set(segment, (child = { children: new Map() }));
      node = child;
    }
    return (node.path ??= path);
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
