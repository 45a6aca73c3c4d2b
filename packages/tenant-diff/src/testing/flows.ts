// Test support only (excluded from the build): rendered flows from YAML strings.
import { parse } from "yaml";
import type { DiffableFlow } from "../types.js";

export interface TestFlow extends DiffableFlow {
  locate(path: readonly (string | number)[]): { file: string; line: number; column: number };
}

/** A rendered flow from its YAML source; namespace and id come from the document. */
export function flowFromYaml(source: string, meta: { env?: string; tenant?: string | null; template?: string; templateKey?: string } = {}): TestFlow {
  const document = parse(source) as Record<string, unknown>;
  const namespace = String(document["namespace"] ?? "ns");
  const id = String(document["id"] ?? "flow");
  const templateKey = meta.templateKey ?? id;
  const template = meta.template ?? `flows/${templateKey}.yaml`;
  return {
    env: meta.env ?? "staging",
    tenant: meta.tenant === undefined ? "acme" : meta.tenant,
    namespace,
    id,
    template,
    templateKey,
    document,
    source,
    locate: () => ({ file: template, line: 1, column: 1 }),
  };
}
