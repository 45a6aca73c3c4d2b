import type { ValuePath } from "@flowops/render";
import { collectLeaves, collectTasks, isOneOfTypes, stringProperty, SUBFLOW_TYPES } from "./flow-model.js";

/** The inside of every `{{ ... }}` and `{% ... %}` of a string (Kestra's Pebble expressions). */
export function pebbleExpressions(text: string): string[] {
  const out: string[] = [];
  const pattern = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) out.push(match[1] ?? match[2] ?? "");
  return out;
}

/** Removes Pebble string literals, so `'outputs.x'` written as text is not taken for a reference. */
function withoutStringLiterals(expression: string): string {
  return expression.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, (literal) => (/^['"][\w-]+['"]$/.test(literal) ? literal : "''"));
}

export interface VariableReference {
  /** The key after `root.` or inside `root['...']`, with any dotted continuation (`a.b.c`). */
  key: string;
  /** True when written with brackets: `outputs['my-task']`. */
  bracket: boolean;
  /** The string scalar it was found in. */
  path: ValuePath;
}

/** Keys never holding a Pebble expression Kestra renders for the flow itself. */
const SKIPPED_KEYS = new Set(["description", "pluginDefaults", "taskDefaults"]);

/**
 * Parts of a flow whose expressions Kestra renders in another flow's context: triggers (a Flow
 * trigger's `inputs` read the upstream execution's `outputs`) and a Subflow's deprecated `outputs`
 * (they read the child flow's `outputs`).
 */
function otherContextPaths(document: unknown): Set<string> {
  const paths = new Set<string>([JSON.stringify(["triggers"])]);
  for (const { task, path } of collectTasks(document)) {
    if (isOneOfTypes(stringProperty(task, "type"), SUBFLOW_TYPES)) paths.add(JSON.stringify([...path, "outputs"]));
  }
  return paths;
}

/**
 * Every `root.key` / `root['key']` in the Pebble expressions of a flow's string values, where
 * `root` is a top-level variable such as `outputs` or `inputs` (not `trigger.outputs`, `parents[0].outputs`).
 */
export function collectVariableReferences(document: unknown, root: "outputs" | "inputs"): VariableReference[] {
  const out: VariableReference[] = [];
  let skipped: Set<string> | undefined;
  const dotted = new RegExp(`(?<![\\w.\\]'"])${root}\\s*\\.\\s*([A-Za-z0-9_][\\w-]*(?:\\.[A-Za-z0-9_][\\w-]*)*)`, "g");
  const bracket = new RegExp(`(?<![\\w.\\]'"])${root}\\s*\\[\\s*['"]([^'"]+)['"]\\s*\\]`, "g");
  for (const { value, path } of collectLeaves(document)) {
    if (typeof value !== "string" || !value.includes(root) || !(value.includes("{{") || value.includes("{%"))) continue;
    if (path.some((segment) => typeof segment === "string" && SKIPPED_KEYS.has(segment))) continue;
    skipped ??= otherContextPaths(document);
    if (path.some((_, index) => index > 0 && skipped!.has(JSON.stringify(path.slice(0, index))))) continue;
    for (const expression of pebbleExpressions(value)) {
      const code = withoutStringLiterals(expression);
      for (let match = dotted.exec(code); match; match = dotted.exec(code)) out.push({ key: match[1] ?? "", bracket: false, path });
      for (let match = bracket.exec(code); match; match = bracket.exec(code)) out.push({ key: match[1] ?? "", bracket: true, path });
    }
  }
  return out;
}
