import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * Checks requests against GitHub's own OpenAPI description (`@octokit/openapi`, api.github.com):
 * the path and method must exist, path and query parameters must be declared and well-typed, and
 * a JSON body must match the operation's request body schema. Used by the GitHub double, so a bot
 * request GitHub would not accept fails the test.
 */
export interface OpenApiOperation {
  operationId: string;
  template: string;
  method: string;
  pathParams: Record<string, string>;
}

export interface OpenApiCheck {
  operation: OpenApiOperation | null;
  problems: string[];
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { type?: string; enum?: unknown[] };
}

interface Route {
  template: string;
  method: string;
  regex: RegExp;
  names: string[];
  operation: { operationId: string; parameters?: Parameter[]; requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> } };
}

const SPEC_ID = "https://api.github.com/openapi.json";
const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let shared: OpenApiValidator | null = null;

export class OpenApiValidator {
  private readonly routes: Route[] = [];
  private readonly spec: { paths: Record<string, Record<string, Route["operation"]>>; components: { parameters: Record<string, Parameter> } };
  private readonly ajv: Ajv;
  private readonly bodyValidators = new Map<string, ValidateFunction>();

  /** One validator per process: the description is 13 MB. */
  static shared(): OpenApiValidator {
    shared ??= new OpenApiValidator();
    return shared;
  }

  private constructor() {
    const file = join(dirname(require.resolve("@octokit/openapi/package.json")), "generated", "api.github.com.json");
    this.spec = JSON.parse(readFileSync(file, "utf8")) as OpenApiValidator["spec"];
    dropUntypedNullable(this.spec);
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, discriminator: false });
    addFormats(this.ajv);
    this.ajv.addSchema(this.spec as object, SPEC_ID);
    for (const [template, methods] of Object.entries(this.spec.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
        const names: string[] = [];
        const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
          names.push(name);
          return "([^/]+)";
        });
        // A trailing `{ref}` may hold slashes when not encoded (`git/ref/heads/main`).
        const regex = new RegExp(`^${template.endsWith("{ref}") ? source.replace(/\(\[\^\/\]\+\)$/, "(.+)") : source}$`);
        this.routes.push({ template, method: method.toUpperCase(), regex, names, operation });
      }
    }
    // Literal segments win over parameters (`/pulls/comments` before `/pulls/{pull_number}`).
    const literals = (route: Route) => route.template.split("/").filter((segment) => segment && !segment.startsWith("{")).length;
    this.routes.sort((a, b) => literals(b) - literals(a) || a.names.length - b.names.length);
  }

  /** Checks one request; `body` is the parsed JSON body, undefined when there is none. */
  check(method: string, url: URL, body: unknown): OpenApiCheck {
    const path = url.pathname;
    const candidates = this.routes.filter((route) => route.regex.test(path));
    const route = candidates.find((candidate) => candidate.method === method.toUpperCase());
    if (!route) {
      const methods = candidates.map((candidate) => candidate.method);
      return {
        operation: null,
        problems: [methods.length ? `${method} ${path}: GitHub's API has no ${method} here (it has ${methods.join(", ")})` : `${method} ${path}: no such path in GitHub's REST API`],
      };
    }
    const match = route.regex.exec(path)!;
    const pathParams = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? "")]));
    const operation: OpenApiOperation = { operationId: route.operation.operationId, template: route.template, method: route.method, pathParams };
    const problems: string[] = [];
    const parameters = (route.operation.parameters ?? []).map((p) => this.resolveParameter(p));
    for (const parameter of parameters.filter((p) => p.in === "path")) {
      const value = pathParams[parameter.name] ?? "";
      if (parameter.schema?.type === "integer" && !/^\d+$/.test(value)) problems.push(`${operation.operationId}: path parameter ${parameter.name} must be an integer, got ${value}`);
    }
    const query = parameters.filter((p) => p.in === "query");
    for (const [name, value] of url.searchParams) {
      const declared = query.find((p) => p.name === name);
      if (!declared) problems.push(`${operation.operationId}: unknown query parameter ${name}`);
      else if (declared.schema?.type === "integer" && !/^\d+$/.test(value)) problems.push(`${operation.operationId}: query parameter ${name} must be an integer, got ${value}`);
      else if (declared.schema?.enum && !declared.schema.enum.includes(value)) problems.push(`${operation.operationId}: query parameter ${name} must be one of ${declared.schema.enum.join(", ")}, got ${value}`);
    }
    for (const parameter of query.filter((p) => p.required)) {
      if (!url.searchParams.has(parameter.name)) problems.push(`${operation.operationId}: missing required query parameter ${parameter.name}`);
    }
    const requestBody = route.operation.requestBody;
    if (requestBody?.content?.["application/json"]) {
      if (body === undefined) {
        if (requestBody.required) problems.push(`${operation.operationId}: a JSON body is required`);
      } else {
        const validate = this.bodyValidator(route);
        if (!validate(body)) {
          for (const error of validate.errors ?? []) problems.push(`${operation.operationId}: body${error.instancePath} ${error.message ?? "is invalid"}${error.params ? ` ${JSON.stringify(error.params)}` : ""}`);
        }
      }
    } else if (body !== undefined && !(typeof body === "object" && body !== null && Object.keys(body).length === 0)) {
      problems.push(`${operation.operationId}: takes no request body, got one`);
    }
    return { operation, problems };
  }

  private resolveParameter(parameter: Parameter | { $ref: string }): Parameter {
    if ("$ref" in parameter) {
      const name = parameter.$ref.split("/").pop()!;
      const resolved = this.spec.components.parameters[name];
      if (!resolved) throw new Error(`unresolved parameter ${parameter.$ref}`);
      return resolved;
    }
    return parameter;
  }

  private bodyValidator(route: Route): ValidateFunction {
    const key = `${route.method} ${route.template}`;
    let validate = this.bodyValidators.get(key);
    if (!validate) {
      const pointer = ["paths", route.template, route.method.toLowerCase(), "requestBody", "content", "application/json", "schema"]
        .map((segment) => segment.replace(/~/g, "~0").replace(/\//g, "~1"))
        .map((segment) => encodeURIComponent(segment).replace(/%7B/g, "{").replace(/%7D/g, "}"))
        .join("/");
      validate = this.ajv.compile({ $ref: `${SPEC_ID}#/${pointer}` });
      this.bodyValidators.set(key, validate);
    }
    return validate;
  }
}

/**
 * OpenAPI 3.0 lets `nullable: true` stand beside `oneOf` without a `type` (e.g. the `milestone` of
 * `issues/create`); Ajv refuses to compile that. Those few keywords are dropped, which only makes
 * an explicit null there fail validation (the bot never sends one).
 */
function dropUntypedNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropUntypedNullable(item);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const record = node as Record<string, unknown>;
  if (record["nullable"] !== undefined && record["type"] === undefined) delete record["nullable"];
  for (const value of Object.values(record)) dropUntypedNullable(value);
}
