// The render floor: the least work any renderer of a platform must do, the reference the cost
// scenario compares flowops with. It reads the config, the tenant files and the templates from
// disk, parses each template ONCE (to find its placeholders, its `$when`s and where to insert the
// header and labels), and then for every tenant and environment only splices values into the
// template's text and writes `<out>/<env>/<namespace>/<id>.yaml`.
//
// On the bench's generated platforms it writes what `flowops render --out` writes, byte for byte
// (floor.test.ts checks it). What it skips, because flowops does it and a floor need not:
// - no validation of any kind: tenant and config schemas, undefined placeholders (a missing value
//   is written as an empty string), `$when` paths, duplicate flows, reserved labels, file limits;
// - no value tree of the rendered flow (flowops builds one for lint and deploy): text only;
// - placeholders in single-quoted and block scalars are spliced into the raw text (flowops
//   re-quotes the value), and double-quoted scalars are written back with JSON's escapes (which
//   differ from flowops' only for control characters);
// - `namespace`, `labels` and `disabled` in the config's `namespace`/`labels` are read, but a
//   template stating its own `namespace` is not supported (the generator never does);
// - only the working tree is read (no `--ref`), and no tenant or environment selection but `--env`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { evaluateWhen, parseWhen, type WhenExpression } from "@flowops/render";
import { isMap, isScalar, parse, parseDocument, visit, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";

const PLACEHOLDER = /\$\{([A-Za-z0-9_.-]+)\}/g;
const DEFAULT_NAMESPACE = "${tenant.code}.${flow.folder}";
const DEFAULT_LABELS: Record<string, string> = { "managed-by": "flowops", "system.readOnly": "true" };
const TENANT_LABEL = "flowops.tenant";

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A scalar holding placeholders: literal text and placeholder paths, in order. */
interface Splice {
  start: number;
  end: number;
  style: "whole" | "plain" | "double" | "raw";
  parts: (string | string[])[];
}

/** A sequence item with `$when`: dropped (its lines) when false, else only the `$when` entry goes. */
interface ItemWhen {
  when: WhenExpression;
  itemStart: number;
  itemEnd: number;
  whenStart: number;
  whenEnd: number;
}

interface FloorTemplate {
  key: string;
  text: string;
  id: string;
  hasId: boolean;
  folder: string;
  when?: WhenExpression;
  /** The root `$when` line(s), removed from every rendered flow. */
  whenLines?: [number, number];
  headerAt: number;
  labels?: { at: number; indent: string };
  items: ItemWhen[];
  splices: Splice[];
}

export interface FloorOptions {
  /** The platform's repository folder (its working tree is read). */
  dir: string;
  /** Folder to write `<env>/<namespace>/<id>.yaml` into. */
  out: string;
  /** Environments to render; default all of the config's. */
  envs?: string[];
}

export interface FloorResult {
  flows: number;
  templates: number;
  tenants: number;
  envs: string[];
}

/** Renders a platform the cheapest way there is; see the header of this file for what it skips. */
export function renderFloor(options: FloorOptions): FloorResult {
  const config = (parse(readFileSync(join(options.dir, "flowops.config.yaml"), "utf8")) ?? {}) as {
    flows?: string;
    tenants?: string;
    namespace?: string;
    labels?: Record<string, string>;
    environments?: Record<string, { vars?: Record<string, unknown> } | null>;
  };
  const allEnvs = Object.keys(config.environments ?? {});
  const envs = options.envs ?? allEnvs;
  const labels = { ...DEFAULT_LABELS, ...(config.labels ?? {}) };
  const templates = yamlFiles(join(options.dir, config.flows ?? "flows")).map(({ key, path }) => compile(key, readFileSync(path, "utf8")));
  const tenants = yamlFiles(join(options.dir, config.tenants ?? "tenants")).map(({ path }) => parse(readFileSync(path, "utf8")) as Record<string, unknown>);
  const made = new Set<string>();
  let flows = 0;
  for (const env of envs) {
    const envValues = { name: env, vars: config.environments?.[env]?.vars ?? {} };
    for (const tenant of tenants) {
      if (Array.isArray(tenant["environments"]) && !tenant["environments"].includes(env)) continue;
      const switches = (tenant["flows"] ?? {}) as Record<string, { enabled?: boolean; disabled?: boolean } | undefined>;
      for (const template of templates) {
        const switched = switches[template.key];
        if (switched?.enabled === false) continue;
        const flow: Record<string, unknown> = { id: template.id, folder: template.folder };
        const context = { tenant, env: envValues, flow };
        const lookup = (path: readonly string[]) => path.reduce<unknown>((value, key) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), context);
        if (template.when && !evaluateWhen(template.when, lookup, () => {})) continue;
        const namespace = spliceText(config.namespace ?? DEFAULT_NAMESPACE, lookup);
        flow["namespace"] = namespace;
        const source = renderText(template, lookup, { namespace, tenantCode: String(tenant["code"]), labels, disabled: switched?.disabled === true });
        const folder = join(options.out, env, namespace);
        if (!made.has(folder)) {
          mkdirSync(folder, { recursive: true });
          made.add(folder);
        }
        writeFileSync(join(folder, `${template.id}.yaml`), source);
        flows++;
      }
    }
  }
  return { flows, templates: templates.length, tenants: tenants.length, envs };
}

function renderText(template: FloorTemplate, lookup: (path: readonly string[]) => unknown, flow: { namespace: string; tenantCode: string; labels: Record<string, string>; disabled: boolean }): string {
  const edits: Edit[] = [];
  const removed: [number, number][] = [];
  for (const item of template.items) {
    if (removed.some(([start, end]) => item.itemStart >= start && item.itemEnd <= end)) continue;
    if (evaluateWhen(item.when, lookup, () => {})) edits.push({ start: item.whenStart, end: item.whenEnd, text: "" });
    else removed.push([item.itemStart, item.itemEnd]);
  }
  const kept = (start: number, end: number) => !removed.some(([from, to]) => start >= from && end <= to);
  for (const [start, end] of removed) edits.push({ start, end, text: "" });
  const header = `${template.hasId ? "" : `id: ${scalarText(template.id)}\n`}namespace: ${scalarText(flow.namespace)}\n${flow.disabled ? "disabled: true\n" : ""}`;
  edits.push({ start: template.headerAt, end: template.headerAt, text: header });
  if (template.whenLines) edits.push({ start: template.whenLines[0], end: template.whenLines[1], text: "" });
  for (const splice of template.splices) if (kept(splice.start, splice.end) && !inItemWhen(template, splice)) edits.push({ start: splice.start, end: splice.end, text: spliceValue(splice, lookup) });
  const owned = Object.entries({ ...flow.labels, [TENANT_LABEL]: flow.tenantCode });
  if (template.labels) {
    const { at, indent } = template.labels;
    edits.push({ start: at, end: at, text: owned.map(([key, value]) => `${indent}${key}: ${scalarText(value)}\n`).join("") });
  } else {
    edits.push({ start: template.text.length, end: template.text.length, text: `labels:\n${owned.map(([key, value]) => `  ${key}: ${scalarText(value)}\n`).join("")}` });
  }
  // Insertions before removals at one offset: the header takes the place of a leading `$when`.
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: string[] = [];
  let cursor = 0;
  for (const edit of edits) {
    if (edit.start < cursor) continue;
    out.push(template.text.slice(cursor, edit.start), edit.text);
    cursor = edit.end;
  }
  out.push(template.text.slice(cursor));
  return out.join("");
}

/** A placeholder inside a `$when` entry that is removed anyway (the `$when` value itself is not one). */
function inItemWhen(template: FloorTemplate, splice: Splice): boolean {
  return template.items.some((item) => splice.start >= item.whenStart && splice.end <= item.whenEnd);
}

function spliceText(text: string, lookup: (path: readonly string[]) => unknown): string {
  return text.replace(PLACEHOLDER, (_, path: string) => asString(lookup(path.split("."))));
}

function spliceValue(splice: Splice, lookup: (path: readonly string[]) => unknown): string {
  if (splice.style === "whole") {
    const value = lookup(splice.parts[0] as string[]);
    return typeof value === "string" ? scalarText(value) : flowText(value);
  }
  const text = splice.parts.map((part) => (typeof part === "string" ? part : asString(lookup(part)))).join("");
  if (splice.style === "plain") return scalarText(text);
  if (splice.style === "double") return JSON.stringify(text);
  return text;
}

function asString(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

const KEYWORDS = /^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|<<|=)$/;
const PLAIN_SAFE = /^[A-Za-z_/][A-Za-z0-9_./@:+-]*( [A-Za-z0-9_./@:+-]+)*$/;

/** Plain where YAML reads it back as the same string, else double-quoted (flowops' rule, simplified). */
function scalarText(s: string): string {
  const plain = PLAIN_SAFE.test(s) && !KEYWORDS.test(s) && !s.endsWith(":") && !s.includes(": ") && !/^[-+.]?[0-9]/.test(s);
  return plain ? s : JSON.stringify(s);
}

function flowText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(flowText).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${flowText(v)}`).join(", ")}}`;
  return String(value);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === "\n") return offset;
  const newline = text.indexOf("\n", offset);
  return newline < 0 ? text.length : newline + 1;
}

/** Parses a template once: where its placeholders, `$when`s, header and labels are in its text. */
export function compile(key: string, text: string): FloorTemplate {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) throw new Error(`${key}: ${doc.errors[0]!.message}`);
  const root = doc.contents as YAMLMap<Scalar, Node>;
  if (!isMap(root)) throw new Error(`${key}: a template is a mapping`);
  const entry = (name: string) => root.items.find((pair) => isScalar(pair.key) && pair.key.value === name);
  const idPair = entry("id");
  const fileId = key.slice(key.lastIndexOf("/") + 1);
  const template: FloorTemplate = {
    key,
    text,
    id: idPair && isScalar(idPair.value) ? String(idPair.value.value) : fileId,
    hasId: idPair !== undefined,
    folder: key.includes("/") ? key.slice(0, key.lastIndexOf("/")).split("/").join(".") : "",
    headerAt: lineStart(text, (root.items[0]?.key as Node | undefined)?.range?.[0] ?? text.length),
    items: [],
    splices: [],
  };
  const rootWhen = entry("$when");
  if (rootWhen && isScalar(rootWhen.value)) {
    template.when = parseWhen(String(rootWhen.value.value));
    template.whenLines = [lineStart(text, (rootWhen.key as Node).range![0]), lineEndAfter(text, rootWhen.value.range![1])];
  }
  const labelsPair = entry("labels");
  if (labelsPair && isMap(labelsPair.value) && labelsPair.value.items.length > 0) {
    const first = labelsPair.value.items[0]!.key as Node;
    const start = first.range![0];
    template.labels = { at: lineEndAfter(text, labelsPair.value.range![1]), indent: text.slice(lineStart(text, start), start) };
  }
  visit(doc, {
    Seq(_, seq) {
      for (const item of seq.items) {
        if (!isMap(item) || item.items.length < 2) continue;
        const [when, next] = item.items as Pair<Scalar, Node>[];
        if (!isScalar(when!.key) || when!.key.value !== "$when" || !isScalar(when!.value)) continue;
        template.items.push({
          when: parseWhen(String(when!.value.value)),
          itemStart: lineStart(text, item.range![0]),
          itemEnd: lineEndAfter(text, item.range![1]),
          whenStart: when!.key.range![0],
          whenEnd: (next!.key as Node).range![0],
        });
      }
    },
    Scalar(_, scalar) {
      const [start, end] = scalar.range!;
      const source = text.slice(start, end);
      if (!source.includes("${")) return;
      const style = scalar.type === "PLAIN" ? "plain" : scalar.type === "QUOTE_DOUBLE" ? "double" : "raw";
      const inner = style === "raw" ? source : String(scalar.value);
      const parts: (string | string[])[] = [];
      let cursor = 0;
      for (const match of inner.matchAll(PLACEHOLDER)) {
        if (match.index > cursor) parts.push(inner.slice(cursor, match.index));
        parts.push(match[1]!.split("."));
        cursor = match.index + match[0].length;
      }
      if (cursor < inner.length) parts.push(inner.slice(cursor));
      const whole = style === "plain" && parts.length === 1 && Array.isArray(parts[0]);
      template.splices.push({ start, end, style: whole ? "whole" : style, parts });
    },
  });
  // Root `$when` and `$when` entries of items are expressions, not text with placeholders.
  template.splices = template.splices.filter((s) => !(template.whenLines && s.start >= template.whenLines[0] && s.end <= template.whenLines[1]));
  return template;
}

function yamlFiles(root: string): { key: string; path: string }[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".yaml"))
    .map((path) => ({ key: relative(root, join(root, path)).split("\\").join("/").slice(0, -5), path: join(root, path) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const USAGE = "usage: node bench/dist/floor.js --dir PLATFORM --out DIR [--env ENV]...";

/** `node bench/dist/floor.js`: renders, then prints `{ flows, ms, peakRssMb }` as JSON. */
export function runFloorCli(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { dir: { type: "string" }, out: { type: "string" }, env: { type: "string", multiple: true } }, strict: true }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.dir || !values.out) {
    console.error(USAGE);
    return 2;
  }
  const started = performance.now();
  const result = renderFloor({ dir: values.dir, out: values.out, ...(values.env ? { envs: values.env } : {}) });
  const ms = Math.round(performance.now() - started);
  process.stdout.write(JSON.stringify({ ...result, ms, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + "\n");
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = runFloorCli(process.argv.slice(2));
}
