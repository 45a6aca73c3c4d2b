import { createRequire } from "node:module";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import * as PRECOMPILED from "./validators.js";

// ajv itself is loaded only to compile a platform's own schema (its tenant vars schema).
const require = createRequire(import.meta.url);

/** One schema violation at a path of the validated value. */
export interface SchemaViolation {
  path: (string | number)[];
  message: string;
}

export type SchemaValidator = (value: unknown) => SchemaViolation[];

export type SchemaName = "flow" | "tenant" | "config";

function createAjv(): Ajv {
  const ajv = require("ajv") as { Ajv: typeof Ajv };
  return new ajv.Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
}

/**
 * Turns ajv's errors into violations a person can act on. Inside a union (anyOf) ajv reports every
 * branch; only the branch that reaches deepest into the value (the one the author meant) is kept.
 */
export function toViolations(errors: readonly ErrorObject[] | null | undefined): SchemaViolation[] {
  if (!errors || errors.length === 0) return [];
  const dropped = new Set<ErrorObject>();
  const depth = (e: ErrorObject) => (e.instancePath === "" ? 0 : e.instancePath.split("/").length - 1);
  for (const union of errors) {
    if (union.keyword !== "anyOf" && union.keyword !== "oneOf") continue;
    const under = errors.filter((e) => e !== union && isUnder(e.instancePath, union.instancePath));
    const branches = new Map<string, ErrorObject[]>();
    for (const e of under) {
      // Errors of a branch that is a $ref carry a schemaPath relative to the referenced schema.
      const match = e.schemaPath.startsWith(union.schemaPath + "/") ? /^\/(\d+)/.exec(e.schemaPath.slice(union.schemaPath.length)) : null;
      const branch = match ? match[1]! : "ref";
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const ranked = [...branches.entries()].sort(([ka, a], [kb, b]) => {
      const deeper = Math.max(...b.map(depth)) - Math.max(...a.map(depth));
      if (deeper !== 0) return deeper;
      if (a.length !== b.length) return a.length - b.length;
      return ka === "ref" ? -1 : kb === "ref" ? 1 : 0;
    });
    for (const [, branchErrors] of ranked.slice(1)) for (const e of branchErrors) dropped.add(e);
    dropped.add(union);
  }
  const seen = new Set<string>();
  const result: SchemaViolation[] = [];
  for (const e of errors) {
    if (dropped.has(e) || e.keyword === "if") continue;
    const violation = describe(e);
    const key = violation.path.join("/") + "\u0000" + violation.message;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(violation);
  }
  return result;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + "/");
}

function describe(e: ErrorObject): SchemaViolation {
  const path = e.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties":
      return { path: [...path, String(params.additionalProperty)], message: `unknown property "${String(params.additionalProperty)}"` };
    case "required":
      return { path, message: `missing required property "${String(params.missingProperty)}"` };
    case "pattern":
      return { path, message: `must match ${String(params.pattern)}` };
    case "minItems":
      return { path, message: `must have at least ${String(params.limit)} item(s)` };
    case "const":
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/**
 * The options the built-in schemas are compiled with (into validators.ts). They are checked against
 * the meta-schema by a test, not on every process start.
 */
export const BUILT_IN_AJV_OPTIONS = { allErrors: true, strict: false, allowUnionTypes: true, validateSchema: false } as const;

const cache = new Map<string, SchemaValidator>();

/** The validator for a built-in schema: ajv's code, generated ahead of time into validators.ts. */
export function validatorFor(name: SchemaName): SchemaValidator {
  let validator = cache.get(name);
  if (!validator) {
    const validateFn = PRECOMPILED[name] as ValidateFunction;
    validator = (value) => (validateFn(value) ? [] : toViolations(validateFn.errors));
    cache.set(name, validator);
  }
  return validator;
}

/** Compiles a user-supplied JSON Schema (e.g. the platform's tenant vars schema). */
export function compileJsonSchema(schema: object): SchemaValidator {
  const ajv = createAjv();
  // Users write draft-07 or 2020-12 schemas; the $schema keyword must not make ajv refuse them.
  const { $schema: _ignored, ...rest } = schema as Record<string, unknown>;
  const validateFn = ajv.compile(rest);
  return (value) => (validateFn(value) ? [] : toViolations(validateFn.errors));
}
