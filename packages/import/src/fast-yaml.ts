import jsYaml from "js-yaml";
import { parseYamlFile, type RepositoryProblem } from "@flowops/render";

/** True when a node is reached twice: js-yaml shares aliased nodes, which the strict path bounds instead. */
function hasAliases(value: unknown, seen = new Set<object>()): boolean {
  if (value === null || typeof value !== "object") return false;
  if (seen.has(value)) return true;
  seen.add(value);
  for (const child of Array.isArray(value) ? value : Object.values(value)) if (hasAliases(child, seen)) return true;
  return false;
}

/**
 * A flow file's value. Thousands of copies are read in an import, so the plain-data parse of
 * js-yaml (core schema, YAML 1.2) comes first; a file it refuses, or one with anchors, goes
 * through render's strict reader, whose problems carry file, line and column. The importer checks
 * the two parsers agree on each template's fullest copy before trusting a group's values.
 */
export function readFlowValue(file: string, text: string): { value?: unknown; problems: RepositoryProblem[] } {
  if (text.length <= 1024 * 1024) {
    try {
      const value = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: file });
      if (!hasAliases(value)) return { value, problems: [] };
    } catch {
      // Fall through: the strict reader says what is wrong, in flowops' words.
    }
  }
  const { parsed, problems } = parseYamlFile(file, text);
  return parsed ? { value: parsed.value, problems: [] } : { problems };
}

/** The strict reader's value, for the cross-check. */
export function strictFlowValue(file: string, text: string): unknown {
  return parseYamlFile(file, text).parsed?.value;
}
