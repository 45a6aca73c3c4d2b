// Shared by the impact end-to-end tests: flows from YAML, the test folder.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { DiffableFlow } from "@flowops/tenant-diff";
import { parse } from "yaml";

export const here = dirname(fileURLToPath(import.meta.url));

/** A rendered flow from its YAML text (namespace and id read from it). */
export function flow(source: string, meta: { tenant?: string | null; env?: string; templateKey: string }): DiffableFlow {
  const document = parse(source) as Record<string, unknown>;
  return {
    env: meta.env ?? "staging",
    tenant: meta.tenant === undefined ? "acme" : meta.tenant,
    namespace: String(document["namespace"]),
    id: String(document["id"]),
    template: `flows/${meta.templateKey}.yaml`,
    templateKey: meta.templateKey,
    document,
    source,
  };
}
