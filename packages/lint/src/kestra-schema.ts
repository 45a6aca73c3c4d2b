import { createRequire } from "node:module";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import { KESTRA_FLOW_SCHEMA_FILE, type ValuePath } from "@flowops/render";
import type { FlowValidationError } from "./types.js";

/** Where `flowops schema pull` saves the server's flow schema (KESTRA-API.md §9). */
export const PULLED_KESTRA_SCHEMA_PATH = KESTRA_FLOW_SCHEMA_FILE;

/**
 * A Kestra flow schema as served by `GET /api/v1/plugins/schemas/flow` (JSON Schema draft 7,
 * `definitions` keyed by class name). Plugin definitions are compiled lazily, one per type used.
 */
export interface KestraSchemaIndex {
  /** True when the server that produced the schema has a plugin of this type. */
  hasType(type: string): boolean;
  /** Errors of one task/trigger/condition against its type's definition (paths relative to it). */
  validateType(type: string, value: unknown): FlowValidationError[];
}

const SCHEMA_KEY = "kestra-flow";

// ajv is needed only when a platform has pulled a server's schema: most lint runs never load it.
const require = createRequire(import.meta.url);
function newAjv(options: ConstructorParameters<typeof Ajv>[0]): Ajv {
  const ajv = require("ajv") as { Ajv: typeof Ajv };
  return new ajv.Ajv(options);
}

function escapePointer(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, "~0").replace(/\//g, "~1"));
}

/** Turns ajv's errors into paths and messages a person can act on. */
export function ajvErrorsToValidationErrors(errors: readonly ErrorObject[] | null | undefined): FlowValidationError[] {
  const out: FlowValidationError[] = [];
  for (const error of errors ?? []) {
    const path: (string | number)[] = error.instancePath
      .split("/")
      .slice(1)
      .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    let message = error.message ?? "is invalid";
    if (error.keyword === "additionalProperties") {
      const property = String((error.params as { additionalProperty?: string }).additionalProperty);
      path.push(property);
      message = `unknown property '${property}'`;
    } else if (error.keyword === "required") {
      message = `missing required property '${String((error.params as { missingProperty?: string }).missingProperty)}'`;
    } else if (error.keyword === "enum") {
      message = `must be one of ${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)}`;
    }
    out.push({ path, message });
  }
  return out;
}

/** Indexes a pulled Kestra flow schema; returns undefined when it has no `definitions`. */
export function indexKestraFlowSchema(schema: unknown): KestraSchemaIndex | undefined {
  if (typeof schema !== "object" || schema === null) return undefined;
  const definitions = (schema as { definitions?: unknown }).definitions;
  if (typeof definitions !== "object" || definitions === null) return undefined;
  const typeNames = new Set(Object.keys(definitions));
  const ajv = newAjv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
  // The root `$ref` and `$schema` are not needed to compile single definitions.
  const { $schema: _schema, $ref: _ref, ...rest } = schema as Record<string, unknown>;
  ajv.addSchema(rest, SCHEMA_KEY);
  const compiled = new Map<string, ValidateFunction | null>();
  return {
    hasType: (type) => typeNames.has(type),
    validateType(type, value) {
      if (!typeNames.has(type)) return [];
      let validate = compiled.get(type);
      if (validate === undefined) {
        try {
          validate = ajv.getSchema(`${SCHEMA_KEY}#/definitions/${escapePointer(type)}`) ?? null;
        } catch {
          validate = null;
        }
        compiled.set(type, validate);
      }
      if (validate === null || validate(value)) return [];
      return dedupeValidationErrors(ajvErrorsToValidationErrors(validate.errors));
    },
  };
}

/** Keeps one error per path: anyOf branches otherwise repeat the same complaint many times. */
export function dedupeValidationErrors(errors: FlowValidationError[]): FlowValidationError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = JSON.stringify(error.path as ValuePath);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
