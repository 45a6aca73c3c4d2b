// Shared by the impact end-to-end tests: flows from YAML, golden files, the repository root.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DiffableFlow } from "@flowops/tenant-diff";
import { expect } from "vitest";
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

/** Compares with `golden/impact/<name>`; `UPDATE_GOLDEN=1` rewrites the file. */
export function expectGolden(name: string, actual: string): void {
  const file = join(here, "golden", "impact", name);
  if (process.env["UPDATE_GOLDEN"] === "1" || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    if (process.env["CI"]) throw new Error(`golden file ${name} was missing; run the tests locally and commit it`);
    return;
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}
