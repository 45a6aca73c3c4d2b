import { offsetOfPath } from "@flowops/flow-model";
import type { Node } from "yaml";
import type { ParsedYamlFile } from "./yaml-file.js";
import { positionAt } from "./yaml-file.js";
import type { SourcePosition, ValuePath } from "./types.js";

/** The position of the node at `path` in a parsed file, or of its nearest existing ancestor. */
export function locateInYaml(parsed: ParsedYamlFile, path: ValuePath): SourcePosition {
  return positionAt(parsed.file, parsed.lineCounter, offsetOfPath(parsed.document.contents as Node | null, path));
}
