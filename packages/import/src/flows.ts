import { parseDocument } from "yaml";
import { DEFAULT_NAMESPACE_PATTERN, locateInYaml, parseYamlFile } from "@flowops/render";
import { FLOW_ID_PATTERN } from "@flowops/schemas";
import { readFlowValue, strictFlowValue } from "./fast-yaml.js";
import { factorTemplate } from "./factor.js";
import { stringifyLike, tenantOnlyTemplate } from "./tenant-only.js";
import { namespaceMatcher } from "./namespace-pattern.js";
import { removeOwnershipLabels, withoutOwnershipLabels } from "./ownership.js";
import { configFileText, tenantFileText, type TenantDraft } from "./repository-files.js";
import { TenantVars } from "./tenant-values.js";
import type { ImportProblem, ImportReport, ImportResult, SourceFile, TemplateReport, TenantOnlyFlow } from "./types.js";
import { deepEqual, isPlainObject } from "./values.js";
import { verifyRoundTrip, type ExpectedFlow } from "./verify.js";

const FLOW_ID = new RegExp(FLOW_ID_PATTERN);

export interface ImportFlowsOptions {
  /** The environment the flows come from: the imported repository's only environment. */
  env: string;
  /** How a namespace names its tenant; default `${tenant.code}.${flow.folder}`. */
  namespacePattern?: string;
  /** Kestra URL to write into the config for the environment. */
  kestraUrl?: string;
  /** Where the flows came from, for the report and the files' header comments. */
  source: string;
}

/** One deployed flow of one tenant. */
interface TenantCopy {
  file: string;
  text: string;
  tenant: string;
  namespace: string;
  id: string;
  key: string;
  folder: string;
  /** The flow as data, ownership labels removed. */
  value: Record<string, unknown>;
}

/**
 * Factors per-tenant Kestra flows into a flowops repository (pure): one template per flow that
 * several tenants share, tenant files holding what differs, and a round trip that renders the
 * result and compares it with every original. A copy that does not come back equal is kept as a
 * tenant-only template. Problems with the input (syntax, a namespace outside the pattern) come
 * back instead of a result.
 */
export function importFlows(sources: readonly SourceFile[], options: ImportFlowsOptions): { result?: ImportResult; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  let match: ReturnType<typeof namespaceMatcher>;
  try {
    match = namespaceMatcher(options.namespacePattern);
  } catch (error) {
    return { problems: [{ file: "--namespace-pattern", line: 1, column: 1, message: (error as Error).message }] };
  }
  const copies: TenantCopy[] = [];
  const outside: string[] = [];
  const seen = new Map<string, string>();
  for (const source of sources) {
    const { value: flow, problems: parseProblems } = readFlowValue(source.file, source.text);
    if (parseProblems.length > 0) {
      problems.push(...parseProblems.map(({ file, line, column, message }) => ({ file, line, column, message })));
      continue;
    }
    if (!isPlainObject(flow) || typeof flow.id !== "string" || typeof flow.namespace !== "string") {
      problems.push({ file: source.file, line: 1, column: 1, message: "not a Kestra flow: expected a mapping with a string `id` and `namespace`" });
      continue;
    }
    if (!FLOW_ID.test(flow.id) || flow.id.length > 100) {
      problems.push({ file: source.file, line: 1, column: 1, message: `flow id "${flow.id.slice(0, 120)}" is not one Kestra accepts (${FLOW_ID_PATTERN}); it would name a template file` });
      continue;
    }
    const where = () => {
      const { parsed } = parseYamlFile(source.file, source.text);
      return parsed ? locateInYaml(parsed, ["namespace"]) : { file: source.file, line: 1, column: 1 };
    };
    const found = match(flow.namespace);
    if (!found) {
      outside.push(`${flow.namespace}/${flow.id}`);
      continue;
    }
    const fullName = `${flow.namespace}/${flow.id}`;
    const other = seen.get(fullName);
    if (other) {
      problems.push({ ...where(), message: `${fullName} is also in ${other}; keep one copy of each flow` });
      continue;
    }
    seen.set(fullName, source.file);
    const key = found.folder ? `${found.folder}/${flow.id}` : flow.id;
    copies.push({ file: source.file, text: source.text, tenant: found.tenant, namespace: flow.namespace, id: flow.id, key, folder: found.folder, value: withoutOwnershipLabels(flow) });
  }
  if (problems.length > 0) return { problems };
  const pattern = options.namespacePattern ?? DEFAULT_NAMESPACE_PATTERN;
  if (copies.length === 0) {
    const why = outside.length > 0 ? `: no namespace matches the pattern "${pattern}" (${outside.slice(0, 3).join(", ")}); pass --namespace-pattern` : "";
    return { problems: [{ file: options.source, line: 1, column: 1, message: `no flows to import${why}` }] };
  }

  crossCheckParsers(copies);
  const expected: ExpectedFlow[] = copies.map((c) => ({ tenant: c.tenant, namespace: c.namespace, id: c.id, document: c.value }));
  const excluded = new Map<string, string>();
  let built = assemble(copies, excluded, options);
  let roundTrip = verifyRoundTrip(built.files, options.env, expected);
  if (roundTrip.failures.length > 0) {
    const byName = new Map(copies.map((c) => [`${c.namespace}/${c.id}`, c]));
    for (const { flow, reason } of roundTrip.failures) excluded.set(copyKey(byName.get(`${flow.namespace}/${flow.id}`)!), reason);
    built = assemble(copies, excluded, options);
    roundTrip = verifyRoundTrip(built.files, options.env, expected);
  }
  const report = built.report;
  if (outside.length > 0) {
    report.notes.push(`left out ${outside.length} flow(s) whose namespace does not match "${pattern}" (not a tenant's): ${outside.slice(0, 10).join(", ")}${outside.length > 10 ? ", ..." : ""}`);
  }
  report.verification = { flows: expected.length, equal: roundTrip.equal };
  for (const { flow, reason } of roundTrip.failures) report.notes.push(`${flow.namespace}/${flow.id} (${flow.tenant}) still does not render back equal: ${reason}`);
  for (const extra of roundTrip.extra) report.notes.push(`${extra} is rendered by the imported repository but was not imported`);
  for (const problem of roundTrip.problems) report.notes.push(`${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.code}]`);
  return { result: { files: built.files, report }, problems: [] };
}

/**
 * The fast parser read the copies; the renderer reads with `yaml`. One copy per flow is read both
 * ways; where they disagree, every copy of that flow is re-read strictly.
 */
function crossCheckParsers(copies: TenantCopy[]): void {
  const firstOfKey = new Map<string, TenantCopy>();
  for (const copy of copies) if (!firstOfKey.has(copy.key)) firstOfKey.set(copy.key, copy);
  const disagree = new Set<string>();
  for (const [key, copy] of firstOfKey) {
    const strict = strictFlowValue(copy.file, copy.text);
    if (!isPlainObject(strict) || !deepEqual(withoutOwnershipLabels(strict), copy.value)) disagree.add(key);
  }
  for (const copy of copies) {
    if (!disagree.has(copy.key)) continue;
    const strict = strictFlowValue(copy.file, copy.text);
    if (isPlainObject(strict)) copy.value = withoutOwnershipLabels(strict);
  }
}

function copyKey(copy: TenantCopy): string {
  return `${copy.tenant}|${copy.key}`;
}

function assemble(copies: readonly TenantCopy[], excluded: ReadonlyMap<string, string>, options: ImportFlowsOptions): ImportResult {
  const files = new Map<string, string>();
  const vars = new TenantVars();
  const tenants = [...new Set(copies.map((c) => c.tenant))].sort();
  const groups = new Map<string, TenantCopy[]>();
  for (const copy of copies) {
    const group = groups.get(copy.key);
    if (group) group.push(copy);
    else groups.set(copy.key, [copy]);
  }
  const switchedOff = new Map<string, string[]>(tenants.map((t) => [t, []]));
  const disabledFlows = new Map<string, string[]>(tenants.map((t) => [t, []]));
  const templates: TemplateReport[] = [];
  const tenantOnly: TenantOnlyFlow[] = [];
  const alone: { copy: TenantCopy; reason: string }[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!.sort((a, b) => (a.tenant < b.tenant ? -1 : 1));
    const members = group.filter((c) => !excluded.has(copyKey(c)));
    for (const c of group) if (excluded.has(copyKey(c))) alone.push({ copy: c, reason: excluded.get(copyKey(c))! });
    if (members.length === 0) continue;
    // The fullest copy is the one edited into the template: the fewest parts to borrow from others.
    const base = members.reduce((best, c) => (c.text.length > best.text.length ? c : best), members[0]!);
    const document = parseDocument(base.text, { uniqueKeys: true });
    removeOwnershipLabels(document);
    const result = factorTemplate({
      document,
      copies: new Map(members.map((c) => [c.tenant, c.value])),
      baseCopy: base.value,
      namespaces: new Map(members.map((c) => [c.tenant, c.namespace])),
      vars,
    });
    if (!result.ok) {
      for (const c of members) alone.push({ copy: c, reason: "its copies differ in a top-level key that one template cannot express" });
      continue;
    }
    files.set(`flows/${key}.yaml`, stringifyLike(document, base.text));
    const memberSet = new Set(members.map((c) => c.tenant));
    const off = tenants.filter((t) => !memberSet.has(t));
    for (const t of off) switchedOff.get(t)!.push(key);
    for (const t of result.disabled) disabledFlows.get(t)!.push(key);
    templates.push({ key, tenants: [...memberSet], vars: result.vars, conditions: result.conditions, switchedOff: off.filter((t) => !group.some((c) => c.tenant === t)) });
  }
  for (const { copy, reason } of alone) {
    const path = tenantOnlyPath(copy, files);
    files.set(path, tenantOnlyTemplate(copy.text, copy.tenant, copy.namespace));
    tenantOnly.push({ tenant: copy.tenant, namespace: copy.namespace, id: copy.id, file: path, reason });
  }
  const comment = `Imported by flowops import flows from ${options.source}.`;
  for (const tenant of tenants) {
    const draft: TenantDraft = { code: tenant, environments: [options.env], vars: vars.of(tenant), switchedOff: switchedOff.get(tenant)!, disabled: disabledFlows.get(tenant)! };
    files.set(`tenants/${tenant}.yaml`, tenantFileText(draft, comment));
  }
  files.set(
    "flowops.config.yaml",
    configFileText({ env: options.env, comment, ...(options.kestraUrl ? { kestraUrl: options.kestraUrl } : {}), ...(options.namespacePattern ? { namespacePattern: options.namespacePattern } : {}) }),
  );
  const report: ImportReport = { source: options.source, tenants, templates, tenantOnly, verification: { flows: 0, equal: 0 }, notes: [] };
  return { files, report };
}

/** `flows/<folder>/<tenant>/<id>.yaml`: beside the shared template, in a folder named for the tenant. */
function tenantOnlyPath(copy: TenantCopy, files: ReadonlyMap<string, string>): string {
  const folder = copy.folder ? `${copy.folder}/` : "";
  let path = `flows/${folder}${copy.tenant}/${copy.id}.yaml`;
  for (let n = 2; files.has(path); n++) path = `flows/${folder}${copy.tenant}_${n}/${copy.id}.yaml`;
  return path;
}

