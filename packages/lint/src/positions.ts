import { offsetAt, offsetInScalar, parseLocatedYaml, scalarStartingAt, lineColumnAt, type LocatedYaml, type ValuePart } from "@flowops/flow-model";
import type { RenderedFlow, SourcePosition, ValuePath } from "@flowops/render";

/** The value at `path` of a parsed document. */
function valueAt(document: unknown, path: ValuePath): unknown {
  let node = document;
  for (const segment of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/**
 * Maps findings on rendered flows to template positions: the node at the finding's path (render
 * knows which template node a rendered path came from) and, for a finding on part of a string (a
 * Pebble reference), that part itself, also inside `|` / `>` block scalars.
 */
export class FlowPositions {
  private readonly files = new Map<string, LocatedYaml>();

  constructor(private readonly templateText: (file: string) => string | undefined) {}

  /** The parsed file, parsed once per lint run. */
  located(file: string, text?: string): LocatedYaml | undefined {
    let entry = this.files.get(file);
    if (!entry) {
      const source = text ?? this.templateText(file);
      if (source === undefined) return undefined;
      entry = parseLocatedYaml(source);
      this.files.set(file, entry);
    }
    return entry;
  }

  of(flow: RenderedFlow, finding: { path: ValuePath; within?: ValuePart }): SourcePosition {
    const position = flow.locate(finding.path);
    if (!finding.within) return position;
    const value = valueAt(flow.document, finding.path);
    const file = this.located(position.file);
    if (typeof value !== "string" || !file) return position;
    const scalar = scalarStartingAt(file.document, offsetAt(file.lineCounter, position));
    if (!scalar) return position;
    const offset = offsetInScalar(file.text, scalar, { ...finding.within, value });
    return { file: position.file, ...lineColumnAt(file.lineCounter, offset) };
  }
}
