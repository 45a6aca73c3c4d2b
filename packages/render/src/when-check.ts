import { TenantSchema } from "@flowops/schemas";
import { isScalar, type Node } from "yaml";
import { evaluateWhen, type WhenExpression } from "./expression.js";
import type { CompiledTemplate, MapPlan, NodePlan } from "./template.js";
import type { EnvironmentConfig, FlowopsConfig, RepositoryProblem, Tenant } from "./types.js";
import { positionAt } from "./yaml-file.js";

/**
 * The repository-wide verdict on `$when` expressions. Rendering reads a path a tenant lacks as
 * false, for every selection alike; whether such a path is a typo, whether a comparison can ever
 * hold, and whether a template renders for anybody are decided here, once, against every tenant
 * and environment of the repository (and the tenant schemas), never against the tenants a command
 * happened to select. Each finding is one problem per affected tenant and no environment, so the
 * linter and the CLI show it once with the tenants it concerns.
 */
export function checkWhenExpressions(input: {
  templates: readonly CompiledTemplate[];
  tenants: readonly Tenant[];
  config: FlowopsConfig;
  /** The platform's JSON Schema for `tenant.vars`, parsed, when the config names one. */
  varsSchema?: unknown;
}): RepositoryProblem[] {
  const problems: RepositoryProblem[] = [];
  const contexts = renderContexts(input.tenants, input.config.environments);
  for (const template of input.templates) {
    const whens = collectWhens(template.root);
    for (const when of whens) {
      checkPaths(template, when, input, problems);
      checkComparisons(template, when, contexts, problems);
    }
    const rootWhen = template.root.when;
    if (rootWhen && contexts.length > 0) checkRendersForSomebody(template, rootWhen, contexts, problems);
  }
  return problems;
}

type When = NonNullable<MapPlan["when"]>;

interface RenderContext {
  tenant: Tenant;
  env: EnvironmentConfig;
  values: { tenant: Record<string, unknown>; env: { name: string; vars: Record<string, unknown> } };
}

/** Every (tenant, environment) pair a render of the whole repository visits. */
function renderContexts(tenants: readonly Tenant[], environments: readonly EnvironmentConfig[]): RenderContext[] {
  const contexts: RenderContext[] = [];
  for (const env of environments) {
    for (const tenant of tenants) {
      if (tenant.environments && !tenant.environments.includes(env.name)) continue;
      contexts.push({ tenant, env, values: { tenant: tenant.values, env: { name: env.name, vars: env.vars } } });
    }
  }
  return contexts;
}

function collectWhens(plan: NodePlan, found: When[] = []): When[] {
  if (plan.kind === "map") {
    if (plan.when) found.push(plan.when);
    for (const entry of plan.entries) collectWhens(entry.plan, found);
  } else if (plan.kind === "seq") {
    for (const item of plan.items) collectWhens(item, found);
  }
  return found;
}

const FLOW_FACTS = new Set(["id", "folder", "namespace"]);

/** A path no tenant, environment or schema defines is a typo, whatever the selection. */
function checkPaths(template: CompiledTemplate, when: When, input: Parameters<typeof checkWhenExpressions>[0], problems: RepositoryProblem[]): void {
  for (const path of uniquePaths(when.expression)) {
    const [root, ...rest] = path;
    let defined: boolean;
    let where: string;
    if (root === "tenant") {
      defined = rest.length === 0 || input.tenants.some((t) => lookup(t.values, rest) !== undefined) || declaredByTenantSchemas(rest, input.varsSchema);
      where = "no tenant file defines it and the tenant schemas do not declare it";
    } else if (root === "env") {
      defined = rest.length === 0 || (rest.length === 1 && rest[0] === "name") || (rest[0] === "vars" && input.config.environments.some((e) => lookup(e.vars, rest.slice(1)) !== undefined));
      where = "no environment of flowops.config.yaml defines it";
    } else if (root === "flow") {
      defined = rest.length === 1 && FLOW_FACTS.has(rest[0]!);
      where = "flow.* has only id, folder and namespace";
    } else {
      defined = false;
      where = "a path starts with tenant., env. or flow.";
    }
    if (defined) continue;
    if (root === "tenant" && input.tenants.length === 0) continue;
    problems.push({
      code: "invalid-when",
      ...positionOf(template, when, path.join(".")),
      message: `$when "${when.text}" reads ${path.join(".")}, which is undefined everywhere (${where}); fix the path or define it`,
    });
  }
}

/** Whether the built-in tenant schema or the platform's vars schema names this path (optional fields). */
function declaredByTenantSchemas(path: readonly string[], varsSchema: unknown): boolean {
  if (path[0] === "vars") return declaredBy(varsSchema, path.slice(1));
  return declaredBy(TenantSchema, path);
}

/** Follows `properties` only: a key allowed by `additionalProperties` is a typo in waiting. */
function declaredBy(schema: unknown, path: readonly string[]): boolean {
  let node = schema;
  for (const segment of path) {
    const properties = isRecord(node) ? node["properties"] : undefined;
    if (!isRecord(properties) || !Object.hasOwn(properties, segment)) return false;
    node = properties[segment];
  }
  return path.length > 0;
}

/**
 * `==` / `!=` between values of different types is never (or always) true: YAML's `true` is not
 * the string "true". Checked on the values each tenant really has.
 */
function checkComparisons(template: CompiledTemplate, when: When, contexts: readonly RenderContext[], problems: RepositoryProblem[]): void {
  for (const comparison of comparisonsOf(when.expression)) {
    const { left, right } = comparison;
    if ((left.kind !== "path" && left.kind !== "literal") || (right.kind !== "path" && right.kind !== "literal")) continue;
    if (left.kind === "literal" && right.kind === "literal") continue;
    const mismatches = new Map<string, Map<string, string>>();
    for (const context of contexts) {
      const a = sideValue(left, context);
      const b = sideValue(right, context);
      if (a === undefined || b === undefined || a === null || b === null) continue;
      const typeA = typeName(a);
      const typeB = typeName(b);
      if (typeA === typeB) continue;
      const key = `${typeA} with ${typeB}`;
      let tenants = mismatches.get(key);
      if (!tenants) mismatches.set(key, (tenants = new Map()));
      tenants.set(context.tenant.code, context.tenant.code);
    }
    const path = left.kind === "path" ? left : (right as Extract<WhenExpression, { kind: "path" }>);
    const literal = left.kind === "literal" ? left : right.kind === "literal" ? right : undefined;
    for (const [types, tenants] of mismatches) {
      const hint = literal && typeof literal.value === "string" && /^(true|false|\d+(\.\d+)?)$/.test(literal.value) ? `; write ${literal.value} without quotes` : "";
      for (const tenant of tenants.keys()) {
        problems.push({
          code: "invalid-when",
          ...positionOf(template, when, path.path.join(".")),
          message: `$when "${when.text}" compares ${describeSide(left)} with ${describeSide(right)}: ${types}, which are never equal${hint}`,
          tenant,
        });
      }
    }
  }
}

/** A template whose top-level `$when` is false for every tenant in every environment deploys nothing. */
function checkRendersForSomebody(template: CompiledTemplate, when: When, contexts: readonly RenderContext[], problems: RepositoryProblem[]): void {
  if (uniquePaths(when.expression).some((path) => path[0] === "flow")) return;
  const renders = contexts.some((context) => context.tenant.flows[template.key]?.enabled !== false && evaluateWhen(when.expression, (path) => lookup(context.values, path), () => undefined));
  if (renders) return;
  const tenants = new Set(contexts.map((c) => c.tenant.code)).size;
  problems.push({
    code: "invalid-when",
    ...positionOf(template, when, undefined),
    message: `$when "${when.text}" is false for all ${tenants} tenant${tenants === 1 ? "" : "s"} in every environment, so ${template.file} renders for nobody; fix the expression, or delete the template`,
  });
}

function comparisonsOf(expression: WhenExpression, found: Extract<WhenExpression, { kind: "eq" | "ne" }>[] = []): Extract<WhenExpression, { kind: "eq" | "ne" }>[] {
  switch (expression.kind) {
    case "eq":
    case "ne":
      found.push(expression);
      comparisonsOf(expression.left, found);
      comparisonsOf(expression.right, found);
      break;
    case "and":
    case "or":
      comparisonsOf(expression.left, found);
      comparisonsOf(expression.right, found);
      break;
    case "not":
      comparisonsOf(expression.operand, found);
      break;
    default:
      break;
  }
  return found;
}

function uniquePaths(expression: WhenExpression): string[][] {
  const seen = new Map<string, string[]>();
  const visit = (e: WhenExpression): void => {
    if (e.kind === "path") seen.set(e.path.join("."), e.path);
    else if (e.kind === "not") visit(e.operand);
    else if (e.kind !== "literal") {
      visit(e.left);
      visit(e.right);
    }
  };
  visit(expression);
  return [...seen.values()];
}

function sideValue(side: WhenExpression, context: RenderContext): unknown {
  if (side.kind === "literal") return side.value;
  if (side.kind === "path") return lookup(context.values, side.path);
  return undefined;
}

function describeSide(side: WhenExpression): string {
  if (side.kind === "path") return side.path.join(".");
  if (side.kind === "literal") return typeof side.value === "string" ? `the string "${side.value}"` : `the ${typeName(side.value)} ${String(side.value)}`;
  return "an expression";
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "map";
  return typeof value;
}

/** The position of `needle` inside the `$when` value, else of the value itself. */
function positionOf(template: CompiledTemplate, when: When, needle: string | undefined) {
  const node = when.pair.value as Node | null;
  const start = node?.range?.[0] ?? (when.pair.key as Node | null)?.range?.[0] ?? 0;
  const quoted = isScalar(node) && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") ? 1 : 0;
  const index = needle === undefined ? -1 : when.text.indexOf(needle);
  // Inside a plain or simply quoted scalar, the text maps 1:1 to the source (escapes aside).
  const offset = index >= 0 && template.text.slice(start + quoted, start + quoted + when.text.length) === when.text ? start + quoted + index : start;
  return positionAt(template.file, template.lineCounter, offset);
}

function lookup(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (!isRecord(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
