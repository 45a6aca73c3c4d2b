import jsep from "jsep";
import { internalized } from "./placeholder.js";

/**
 * `$when` expressions: paths, `!`, `&&`, `||`, `==`/`!=` against string, number and boolean
 * literals, parentheses. Parsed with jsep into a small AST of our own; nothing is ever evaluated
 * as code.
 */
export type WhenExpression =
  | { kind: "path"; path: string[] }
  | { kind: "literal"; value: string | number | boolean | null }
  | { kind: "not"; operand: WhenExpression }
  | { kind: "and" | "or"; left: WhenExpression; right: WhenExpression }
  | { kind: "eq" | "ne"; left: WhenExpression; right: WhenExpression };

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the expression text, when known. */
    readonly index: number,
  ) {
    super(message);
  }
}

for (const op of ["*", "/", "%", "+", "-", "<", ">", "<=", ">=", "===", "!==", "|", "^", "&", "<<", ">>", ">>>", "??"]) {
  jsep.removeBinaryOp(op);
}
for (const op of ["-", "+", "~", "typeof", "void", "delete"]) jsep.removeUnaryOp(op);
jsep.removeLiteral("this");

type JsepNode = jsep.Expression;

/** Parses a `$when` expression; throws ExpressionError with the offset of the problem. */
export function parseWhen(text: string): WhenExpression {
  let ast: JsepNode;
  try {
    ast = jsep(text);
  } catch (error) {
    const e = error as Error & { index?: number; description?: string };
    throw new ExpressionError(`cannot parse "${text}": ${e.description ?? e.message}`, e.index ?? 0);
  }
  return convert(ast, text);
}

function convert(node: JsepNode, text: string): WhenExpression {
  switch (node.type) {
    case "Identifier":
    case "MemberExpression":
      return { kind: "path", path: toPath(node, text).map(internalized) };
    case "Literal": {
      const value = (node as jsep.Literal).value;
      if (value instanceof RegExp) throw new ExpressionError(`regular expressions are not supported in "${text}"`, 0);
      return { kind: "literal", value: value as string | number | boolean | null };
    }
    case "UnaryExpression": {
      const unary = node as jsep.UnaryExpression;
      if (unary.operator !== "!") throw new ExpressionError(`operator "${unary.operator}" is not supported in "${text}"; use !, &&, ||, ==, !=`, 0);
      return { kind: "not", operand: convert(unary.argument, text) };
    }
    case "BinaryExpression": {
      const binary = node as jsep.BinaryExpression;
      const left = convert(binary.left, text);
      const right = convert(binary.right, text);
      switch (binary.operator) {
        case "&&":
          return { kind: "and", left, right };
        case "||":
          return { kind: "or", left, right };
        case "==":
          return { kind: "eq", left, right };
        case "!=":
          return { kind: "ne", left, right };
        default:
          throw new ExpressionError(`operator "${binary.operator}" is not supported in "${text}"; use !, &&, ||, ==, !=`, 0);
      }
    }
    default:
      throw new ExpressionError(`"${text}" is not a $when expression: only paths, literals, !, &&, ||, ==, != and parentheses are allowed`, 0);
  }
}

function toPath(node: JsepNode, text: string): string[] {
  if (node.type === "Identifier") {
    return [(node as jsep.Identifier).name];
  }
  if (node.type === "MemberExpression") {
    const member = node as jsep.MemberExpression;
    const object = toPath(member.object, text);
    if (member.computed) {
      if (member.property.type !== "Literal") throw new ExpressionError(`computed paths must use a literal key in "${text}"`, 0);
      return [...object, String((member.property as jsep.Literal).value)];
    }
    return [...object, (member.property as jsep.Identifier).name];
  }
  throw new ExpressionError(`"${text}" uses something other than a path`, 0);
}

/** Every path an expression reads. */
export function pathsOf(expression: WhenExpression): string[][] {
  switch (expression.kind) {
    case "path":
      return [expression.path];
    case "literal":
      return [];
    case "not":
      return pathsOf(expression.operand);
    default:
      return [...pathsOf(expression.left), ...pathsOf(expression.right)];
  }
}

/**
 * Evaluates an expression. `lookup` returns undefined for a path the context lacks; such a path
 * is reported through `onMissing` and counts as null (false).
 */
export function evaluateWhen(
  expression: WhenExpression,
  lookup: (path: string[]) => unknown,
  onMissing: (path: string[]) => void,
): boolean {
  return truthy(value(expression, lookup, onMissing));
}

function value(expression: WhenExpression, lookup: (path: string[]) => unknown, onMissing: (path: string[]) => void): unknown {
  switch (expression.kind) {
    case "path": {
      const found = lookup(expression.path);
      if (found === undefined) {
        onMissing(expression.path);
        return null;
      }
      return found;
    }
    case "literal":
      return expression.value;
    case "not":
      return !truthy(value(expression.operand, lookup, onMissing));
    case "and":
      return truthy(value(expression.left, lookup, onMissing)) && truthy(value(expression.right, lookup, onMissing));
    case "or":
      return truthy(value(expression.left, lookup, onMissing)) || truthy(value(expression.right, lookup, onMissing));
    case "eq":
      return value(expression.left, lookup, onMissing) === value(expression.right, lookup, onMissing);
    case "ne":
      return value(expression.left, lookup, onMissing) !== value(expression.right, lookup, onMissing);
  }
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}
