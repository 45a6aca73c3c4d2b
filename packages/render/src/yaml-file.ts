import { LineCounter, parseAllDocuments, type Document } from "yaml";
import type { RepositoryProblem } from "./types.js";

/** Files larger than this are refused before parsing: a flow or tenant file is a few KiB. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Aliases one file may expand; an alias bomb needs far more. */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedYamlFile {
  file: string;
  text: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain data. */
  value: unknown;
}

/** Where an offset of a file is, as a problem position. */
export function positionAt(file: string, lineCounter: LineCounter, offset: number) {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, column: col };
}

/** The problem for a file over MAX_FILE_BYTES, found before or after reading it. */
export function fileTooLarge(file: string, bytes: number): RepositoryProblem {
  return { code: "yaml-syntax", file, line: 1, column: 1, message: `file is ${bytes} bytes, over the ${MAX_FILE_BYTES}-byte limit for one flow or tenant file; split it` };
}

/**
 * Parses one YAML file strictly: exactly one document, no duplicate keys, a bounded number of
 * aliases, a size limit. Never throws: problems come back with file, line and column.
 */
export function parseYamlFile(file: string, text: string): { parsed?: ParsedYamlFile; problems: RepositoryProblem[] } {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_FILE_BYTES) return { problems: [fileTooLarge(file, bytes)] };
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const problems: RepositoryProblem[] = [];
  const docs = Array.isArray(documents) ? documents : [];
  for (const doc of docs) {
    for (const error of doc.errors) {
      problems.push({
        code: "yaml-syntax",
        ...positionAt(file, lineCounter, error.pos[0]),
        message: describeYamlError(error.code, error.message),
      });
    }
  }
  if (problems.length > 0) return { problems };
  if (docs.length === 0 || (docs.length === 1 && docs[0]!.contents === null)) {
    return { problems: [{ code: "yaml-syntax", file, line: 1, column: 1, message: "file is empty; expected a YAML mapping" }] };
  }
  if (docs.length > 1) {
    const second = docs[1]!;
    return {
      problems: [
        {
          code: "yaml-syntax",
          ...positionAt(file, lineCounter, second.range[0]),
          message: `file holds ${docs.length} YAML documents; a flow or tenant file must hold exactly one (remove the extra '---' sections or split the file)`,
        },
      ],
    };
  }
  const document = docs[0]!;
  // Alias expansion is checked here, before any tree walk, so a bomb costs nothing later.
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = `YAML aliases expand too much (${(error as Error).message}); an alias bomb or a very repetitive file: write the values out`;
    return { problems: [{ code: "yaml-syntax", file, line: 1, column: 1, message }] };
  }
  return { parsed: { file, text, document, lineCounter, value }, problems: [] };
}

function describeYamlError(code: string, message: string): string {
  const firstLine = message.split("\n")[0] ?? message;
  if (code === "DUPLICATE_KEY") return `duplicate key: ${firstLine.replace(/ at line.*$/, "")}; keep one of them`;
  return `invalid YAML (${code}): ${firstLine.replace(/ at line \d+, column \d+:?$/, "")}`;
}
