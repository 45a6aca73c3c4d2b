import type { LintResult } from "../types.js";
import { formatGithub } from "./github.js";
import { formatJson } from "./json.js";
import { formatSarif } from "./sarif.js";
import { formatText } from "./text.js";

export type LintFormat = "text" | "json" | "github" | "sarif";

/** The output formats by name, as `flowops lint --format` takes them. */
export const FORMATTERS: Readonly<Record<LintFormat, (result: LintResult) => string>> = {
  text: formatText,
  json: formatJson,
  github: formatGithub,
  sarif: (result) => formatSarif(result),
};

export function isLintFormat(name: string): name is LintFormat {
  return Object.hasOwn(FORMATTERS, name);
}

/** Formats a lint result; throws on an unknown format name (a usage error, exit code 2). */
export function formatLintResult(result: LintResult, format: string): string {
  if (!isLintFormat(format)) throw new Error(`unknown lint format '${format}'; expected one of ${Object.keys(FORMATTERS).join(", ")}`);
  return FORMATTERS[format](result);
}
