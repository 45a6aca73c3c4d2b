import { parseYamlFile } from "@flowops/render";
import { FLOW_ID_PATTERN } from "@flowops/schemas";
import { evaluateHcl, HclSubsetError, parseAttribute, type HclValue, type TemplateFileCall } from "./hcl-expression.js";
import { configFileText, tenantFileText, type TenantDraft } from "./repository-files.js";
import { convertTemplate, evaluateTemplate, scanTemplate, skeletonText, templateVariables, TemplateSubsetError, type VariableTarget } from "./tftpl.js";
import type { ImportProblem, ImportReport, ImportResult, SourceFile, TemplateReport } from "./types.js";
import { isPlainObject } from "./values.js";
import { verifyRoundTrip, type ExpectedFlow } from "./verify.js";
import { tenantOnlyTemplate } from "./tenant-only.js";

export interface ImportTerraformOptions {
  /** The environment the resources deploy to: the imported repository's only environment. */
  env: string;
  /** Where the set-up came from, for the report and the files' header comments. */
  source: string;
}

/** One `kestra_flow` instance: a resource, or one element of its `for_each`. */
interface FlowInstance {
  resource: string;
  tfFile: string;
  line: number;
  tenant: string;
  namespace: string;
  flowId: string;
  folder: string;
  template: string;
  vars: Record<string, HclValue>;
}

const TF_BLOCKS_IGNORED = new Set(["terraform", "provider", "variable", "output", "data", "locals"]);
const SOURCE_FLAG = /^(?:src|source|has)_(?:cloud_)?([a-z][a-z0-9]*)$/;
const SCHEDULE_NAMES = ["default_schedule", "schedule", "cron"];

/**
 * Turns a Terraform set-up of `kestra_flow` resources whose content is
 * `templatefile("….yaml.tftpl", {...})` into a flowops repository: each template file into a flow
 * template (variables into `${tenant.*}` paths, `%{ if }` blocks into `$when`), each tenant's
 * variables into its tenant file. Verified like `importFlows`: every resource's flow, evaluated as
 * Terraform would, must come back from `flowops render`. `files` holds the `*.tf` files and every
 * other file of the module folder (module-relative paths).
 */
export async function importTerraform(files: readonly SourceFile[], options: ImportTerraformOptions): Promise<{ result?: ImportResult; problems: ImportProblem[] }> {
  const problems: ImportProblem[] = [];
  const byPath = new Map(files.map((f) => [f.file, f.text]));
  const paths = [...byPath.keys()].sort();
  const instances: FlowInstance[] = [];
  const notes: string[] = [];
  const tfFiles = paths.filter((p) => p.endsWith(".tf"));
  // Loaded on use: the parser is a WebAssembly build of HashiCorp's own, heavy for commands that never read HCL.
  const { parse: parseHcl } = await import("@cdktf/hcl2json");
  if (tfFiles.length === 0) return { problems: [{ file: options.source, line: 1, column: 1, message: "no *.tf files found" }] };
  for (const tfFile of tfFiles) {
    const text = byPath.get(tfFile)!;
    let parsed: Record<string, unknown>;
    try {
      parsed = (await parseHcl(tfFile, text)) as Record<string, unknown>;
    } catch (error) {
      problems.push(hclSyntaxProblem(tfFile, error));
      continue;
    }
    for (const [blockType, body] of Object.entries(parsed)) {
      if (blockType === "resource") continue;
      if (blockType === "module") {
        for (const name of Object.keys(body as object)) problems.push({ ...locate(text, tfFile, `module\\s+"${name}"`), message: `module "${name}": modules are not supported; import the module's own folder, or write its kestra_flow resources in place` });
      } else if (!TF_BLOCKS_IGNORED.has(blockType)) {
        problems.push({ ...locate(text, tfFile, blockType), message: `"${blockType}" blocks are not supported` });
      }
    }
    const resources = (parsed.resource ?? {}) as Record<string, Record<string, Record<string, unknown>[]>>;
    for (const [type, named] of Object.entries(resources)) {
      if (type !== "kestra_flow") {
        notes.push(`${tfFile}: resources of type ${type} are left alone (${Object.keys(named).join(", ")})`);
        continue;
      }
      for (const [name, blocks] of Object.entries(named)) {
        for (const block of blocks) instances.push(...readResource(tfFile, text, name, block, paths, problems));
      }
    }
  }
  if (problems.length > 0) return { problems };
  if (instances.length === 0) return { problems: [{ file: tfFiles[0]!, line: 1, column: 1, message: 'no kestra_flow resource with content = templatefile("….yaml.tftpl", {...}) found' }] };

  // Templates: scan, check their YAML at their own lines, map their variables.
  const templateFiles = [...new Set(instances.map((i) => i.template))].sort();
  const scanned = new Map<string, ReturnType<typeof scanTemplate>>();
  for (const template of templateFiles) {
    const text = byPath.get(template);
    const user = instances.find((i) => i.template === template)!;
    if (text === undefined) {
      problems.push({ file: user.tfFile, line: user.line, column: 1, message: `templatefile("${template}"): no such file in the module folder` });
      continue;
    }
    try {
      const tokens = scanTemplate(text);
      scanned.set(template, tokens);
      const { problems: yamlProblems } = parseYamlFile(template, skeletonText(text, tokens));
      problems.push(...yamlProblems.map(({ file, line, column, message }) => ({ file, line, column, message })));
    } catch (error) {
      if (!(error instanceof TemplateSubsetError)) throw error;
      problems.push({ ...position(template, text, error.offset), message: error.message });
    }
  }
  if (problems.length > 0) return { problems };

  const allVars = new Map<string, HclValue[]>();
  for (const instance of instances) for (const [name, value] of Object.entries(instance.vars)) allVars.set(name, [...(allVars.get(name) ?? []), value]);
  const targets = variableTargets(allVars);
  const target = (name: string): VariableTarget => targets.get(name) ?? { path: `tenant.vars.${name}` };

  // One template per flow key; a key two template files claim is refused.
  const keyOf = (i: FlowInstance) => (i.folder ? `${i.folder}/${i.flowId}` : i.flowId);
  const templateOfKey = new Map<string, string>();
  for (const instance of instances) {
    const key = keyOf(instance);
    const other = templateOfKey.get(key);
    if (other !== undefined && other !== instance.template) {
      problems.push({ file: instance.tfFile, line: instance.line, column: 1, message: `${instance.namespace}/${instance.flowId} comes from ${instance.template} here and from ${other} for another tenant; one flow needs one template` });
    }
    templateOfKey.set(key, instance.template);
  }
  const seen = new Map<string, FlowInstance>();
  for (const instance of instances) {
    const name = `${instance.namespace}/${instance.flowId}`;
    const other = seen.get(name);
    if (other) problems.push({ file: instance.tfFile, line: instance.line, column: 1, message: `${name} is also made by resource ${other.resource} (${other.tfFile}:${other.line}); Kestra holds one flow per namespace and id` });
    seen.set(name, instance);
  }
  const converted = new Map<string, string>();
  for (const template of templateFiles) {
    try {
      converted.set(template, convertTemplate(byPath.get(template)!, scanned.get(template)!, target));
    } catch (error) {
      if (!(error instanceof TemplateSubsetError)) throw error;
      problems.push({ ...position(template, byPath.get(template)!, error.offset), message: error.message });
    }
  }
  // The flows Terraform would deploy: the reference the round trip is held to.
  const expected: (ExpectedFlow & { instance: FlowInstance; text: string })[] = [];
  for (const instance of instances) {
    let text: string;
    try {
      text = evaluateTemplate(scanned.get(instance.template)!, instance.vars);
    } catch (error) {
      if (!(error instanceof TemplateSubsetError)) throw error;
      problems.push({ ...position(instance.template, byPath.get(instance.template)!, error.offset), message: `${error.message} (resource ${instance.resource}, ${instance.tfFile}:${instance.line})` });
      continue;
    }
    const { parsed, problems: yamlProblems } = parseYamlFile(instance.template, text);
    if (!parsed || !isPlainObject(parsed.value)) {
      problems.push({ file: instance.tfFile, line: instance.line, column: 1, message: `${instance.template} evaluated for resource ${instance.resource} is not a YAML mapping: ${yamlProblems[0]?.message ?? "not a mapping"}` });
      continue;
    }
    const document = { ...parsed.value };
    document.id ??= instance.flowId;
    document.namespace ??= instance.namespace;
    expected.push({ tenant: instance.tenant, namespace: instance.namespace, id: instance.flowId, document, instance, text });
  }
  if (problems.length > 0) return { problems };

  const interpolated = new Set<string>();
  for (const tokens of scanned.values()) for (const token of tokens) if (token.kind === "interpolation") interpolated.add(token.name);
  const tenants = [...new Set(instances.map((i) => i.tenant))].sort();
  const drafts = new Map<string, TenantDraft>();
  for (const tenant of tenants) {
    const draft: TenantDraft = { code: tenant, environments: [options.env], vars: {}, switchedOff: [] };
    const sources: Record<string, boolean> = {};
    const assigned = new Map<string, { value: HclValue; instance: FlowInstance }>();
    for (const instance of instances.filter((i) => i.tenant === tenant)) {
      for (const [name, value] of Object.entries(instance.vars)) {
        const earlier = assigned.get(name);
        if (earlier && JSON.stringify(earlier.value) !== JSON.stringify(value)) {
          problems.push({ file: instance.tfFile, line: instance.line, column: 1, message: `tenant ${tenant}: ${name} = ${JSON.stringify(value)} here but ${JSON.stringify(earlier.value)} in resource ${earlier.instance.resource} (${earlier.instance.tfFile}:${earlier.instance.line}); a tenant file holds one value per variable` });
          continue;
        }
        assigned.set(name, { value, instance });
        const t = target(name);
        if (t.path === "tenant.code") continue;
        if (t.flag) {
          sources[t.path.slice("tenant.sources.".length)] = value === 1 || value === true;
          if (interpolated.has(name)) draft.vars[name] = value;
        }
        else if (t.path === "tenant.schedule") draft.schedule = String(value);
        else if (t.path === "tenant.timezone") draft.timezone = String(value);
        else if (t.path === "tenant.name") draft.name = String(value);
        else draft.vars[t.path.slice("tenant.vars.".length)] = value;
      }
    }
    draft.sources = sources;
    drafts.set(tenant, draft);
  }
  if (problems.length > 0) return { problems };

  const build = (excluded: ReadonlySet<string>) => {
    const out = new Map<string, string>();
    const templates: TemplateReport[] = [];
    const tenantOnly: ImportReport["tenantOnly"] = [];
    const switchedOff = new Map<string, string[]>(tenants.map((t) => [t, []]));
    const made = new Set(instances.map((i) => `${i.tenant}|${keyOf(i)}`));
    for (const [key, template] of [...templateOfKey].sort()) {
      const users = instances.filter((i) => keyOf(i) === key && !excluded.has(`${i.tenant}|${key}`));
      const memberSet = new Set(users.map((i) => i.tenant));
      if (memberSet.size > 0) {
        out.set(`flows/${key}.yaml`, converted.get(template)!);
        const off = tenants.filter((t) => !memberSet.has(t));
        for (const t of off) switchedOff.get(t)!.push(key);
        const names = [...templateVariables(scanned.get(template)!)].map((n) => target(n).path).sort();
        templates.push({
          key,
          tenants: [...memberSet].sort(),
          vars: names.filter((p) => p.startsWith("tenant.vars.")).map((p) => p.slice("tenant.vars.".length)),
          conditions: [...converted.get(template)!.matchAll(/\$when: (.*)/g)].map((m) => m[1]!),
          switchedOff: off.filter((t) => !made.has(`${t}|${key}`)),
        });
      }
    }
    for (const flow of expected) {
      const key = keyOf(flow.instance);
      if (!excluded.has(`${flow.tenant}|${key}`)) continue;
      const folder = flow.instance.folder ? `${flow.instance.folder}/` : "";
      const path = `flows/${folder}${flow.tenant}/${flow.id}.yaml`;
      out.set(path, tenantOnlyTemplate(flow.text, flow.tenant, flow.namespace));
      tenantOnly.push({ tenant: flow.tenant, namespace: flow.namespace, id: flow.id, file: path, reason: "its template did not render back equal for this tenant" });
    }
    const comment = `Imported by flowops import terraform from ${options.source}.`;
    for (const tenant of tenants) {
      const draft = drafts.get(tenant)!;
      out.set(`tenants/${tenant}.yaml`, tenantFileText({ ...draft, switchedOff: switchedOff.get(tenant)! }, comment));
    }
    out.set("flowops.config.yaml", configFileText({ env: options.env, comment }));
    return { out, templates, tenantOnly };
  };
  const excluded = new Set<string>();
  let built = build(excluded);
  let roundTrip = verifyRoundTrip(built.out, options.env, expected);
  if (roundTrip.failures.length > 0) {
    const byName = new Map(expected.map((e) => [`${e.namespace}/${e.id}`, e]));
    for (const { flow, reason } of roundTrip.failures) {
      excluded.add(`${flow.tenant}|${keyOf(byName.get(`${flow.namespace}/${flow.id}`)!.instance)}`);
      notes.push(`${flow.namespace}/${flow.id} (${flow.tenant}): the converted template gave something else (${reason}); kept as a tenant-only template`);
    }
    built = build(excluded);
    roundTrip = verifyRoundTrip(built.out, options.env, expected);
  }
  for (const { flow, reason } of roundTrip.failures) notes.push(`${flow.namespace}/${flow.id} (${flow.tenant}) still does not render back equal: ${reason}`);
  for (const extra of roundTrip.extra) notes.push(`${extra} is rendered by the imported repository but no resource makes it`);
  for (const problem of roundTrip.problems) notes.push(`${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.code}]`);
  const report: ImportReport = {
    source: options.source,
    tenants,
    templates: built.templates,
    tenantOnly: built.tenantOnly,
    verification: { flows: expected.length, equal: roundTrip.equal },
    notes,
  };
  return { result: { files: built.out, report }, problems: [] };
}

/** Reads one kestra_flow block into its instances (one per for_each element). */
function readResource(tfFile: string, text: string, name: string, block: Record<string, unknown>, paths: readonly string[], problems: ImportProblem[]): FlowInstance[] {
  const resourceAt = locate(text, tfFile, `resource\\s+"kestra_flow"\\s+"${name}"`);
  const attributeAt = (attribute: string) => locate(text, tfFile, `^\\s*${attribute}\\s*=`, resourceAt.offset);
  const fail = (attribute: string, message: string): FlowInstance[] => {
    const { offset: _, ...where } = attributeAt(attribute);
    problems.push({ ...where, message: `kestra_flow.${name}.${attribute}: ${message}` });
    return [];
  };
  for (const attribute of Object.keys(block)) {
    if (attribute === "dynamic" || attribute === "count" || attribute === "lifecycle" || attribute === "provider" || attribute === "depends_on") {
      if (attribute === "depends_on" || attribute === "lifecycle" || attribute === "provider") continue;
      return fail(attribute, `${attribute} is not supported; use for_each = fileset(...) or one resource per flow`);
    }
  }
  for (const required of ["namespace", "flow_id", "content"]) if (!(required in block)) return fail(required, "missing");
  const parse = (attribute: string) => {
    try {
      return parseAttribute(block[attribute]);
    } catch (error) {
      if (!(error instanceof HclSubsetError)) throw error;
      fail(attribute, error.message);
      return undefined;
    }
  };
  const forEach = "for_each" in block ? parse("for_each") : undefined;
  const namespace = parse("namespace");
  const flowId = parse("flow_id");
  const content = parse("content");
  if (("for_each" in block && !forEach) || !namespace || !flowId || !content) return [];
  const scopeFiles = paths;
  let elements: (string | undefined)[] = [undefined];
  if (forEach) {
    try {
      const value = evaluateHcl(forEach, { files: scopeFiles });
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) return fail("for_each", "must be a set of strings (fileset(...) or toset([...])); maps are not supported");
      elements = value as string[];
    } catch (error) {
      if (!(error instanceof HclSubsetError)) throw error;
      return fail("for_each", error.message);
    }
  }
  const instances: FlowInstance[] = [];
  for (const element of elements) {
    const scope = { files: scopeFiles, ...(element !== undefined ? { each: { key: element, value: element } } : {}) };
    const values: Record<string, HclValue> = {};
    for (const [attribute, expression] of [["namespace", namespace], ["flow_id", flowId], ["content", content]] as const) {
      try {
        values[attribute] = evaluateHcl(expression, scope);
      } catch (error) {
        if (!(error instanceof HclSubsetError)) throw error;
        return fail(attribute, error.message);
      }
    }
    const call = values.content as TemplateFileCall;
    if (!isPlainObject(call) || typeof call.templatefile !== "string") return fail("content", 'must be templatefile("….yaml.tftpl", { ... })');
    if (typeof values.namespace !== "string") return fail("namespace", "must be a string");
    if (typeof values.flow_id !== "string") return fail("flow_id", "must be a string");
    const tenantCode = call.vars.tenant_code;
    if (typeof tenantCode !== "string") return fail("content", "templatefile() variables need tenant_code: the importer reads the tenant from it");
    const ns = values.namespace;
    if (ns !== tenantCode && !ns.startsWith(`${tenantCode}.`)) return fail("namespace", `"${ns}" is not in tenant ${tenantCode}'s namespaces (${tenantCode}.…)`);
    const folder = ns === tenantCode ? "" : ns.slice(tenantCode.length + 1).split(".").join("/");
    if (!new RegExp(FLOW_ID_PATTERN).test(values.flow_id) || values.flow_id.length > 100) return fail("flow_id", `"${values.flow_id}" is not a flow id Kestra accepts (${FLOW_ID_PATTERN})`);
    if (folder.split("/").some((segment) => !/^[a-z0-9][a-z0-9_-]*$/.test(segment)) && folder !== "") return fail("namespace", `"${ns}" cannot be read as <tenant>.<folder> (lower-case letters, digits, _ and - per part)`);
    for (const [key, value] of Object.entries(call.vars)) {
      if (typeof value === "object") return fail("content", `templatefile() variable ${key} is a list or map; only strings, numbers and booleans are supported`);
    }
    instances.push({ resource: `kestra_flow.${name}${element !== undefined ? `["${element}"]` : ""}`, tfFile, line: resourceAt.line, tenant: tenantCode, namespace: ns, flowId: values.flow_id, folder, template: call.templatefile, vars: call.vars });
  }
  return instances;
}

/** Terraform names to flowops paths: the tenant code, source flags, the schedule, the rest under vars. */
function variableTargets(values: ReadonlyMap<string, HclValue[]>): Map<string, VariableTarget> {
  const targets = new Map<string, VariableTarget>();
  targets.set("tenant_code", { path: "tenant.code" });
  const schedule = SCHEDULE_NAMES.find((n) => values.has(n) && values.get(n)!.every((v) => typeof v === "string"));
  if (schedule) targets.set(schedule, { path: "tenant.schedule" });
  if (values.has("timezone") && values.get("timezone")!.every((v) => typeof v === "string")) targets.set("timezone", { path: "tenant.timezone" });
  if (values.has("tenant_name") && values.get("tenant_name")!.every((v) => typeof v === "string")) targets.set("tenant_name", { path: "tenant.name" });
  for (const [name, list] of values) {
    const source = SOURCE_FLAG.exec(name);
    if (source && list.every((v) => v === 0 || v === 1 || typeof v === "boolean")) targets.set(name, { path: `tenant.sources.${source[1]}`, flag: true });
  }
  return targets;
}

function hclSyntaxProblem(file: string, error: unknown): ImportProblem {
  const text = String((error as Error)?.message ?? error);
  const match = /:(\d+),(\d+)-[\d,]+: ([^\]]*)/.exec(text);
  return match ? { file, line: Number(match[1]), column: Number(match[2]), message: `HCL: ${match[3]!.trim()}` } : { file, line: 1, column: 1, message: `HCL: ${text}` };
}

function position(file: string, text: string, offset: number): Omit<ImportProblem, "message"> {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { file, line, column: offset - before.lastIndexOf("\n") };
}

function locate(text: string, file: string, pattern: string, from = 0): Omit<ImportProblem, "message"> & { offset: number } {
  const regex = new RegExp(pattern, "m");
  const match = regex.exec(text.slice(from));
  const offset = match ? from + match.index + (match[0].length - match[0].trimStart().length) : from;
  return { ...position(file, text, offset), offset };
}
