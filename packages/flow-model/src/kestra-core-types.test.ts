import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { collectTypedNodes } from "./tasks.js";
import { KESTRA_CORE_TYPES, KESTRA_TYPE_ALIASES } from "./kestra-core-types.js";

/**
 * Real material beside the checkout (`../shared`). Where it is absent (a fork's CI) these tests are
 * skipped; with FLOWOPS_REQUIRE_SHARED=1 (this repository's CI) a missing folder fails instead.
 */
function sharedAvailable(path: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.FLOWOPS_REQUIRE_SHARED === "1") throw new Error(`${path} is missing: ../shared must be checked out beside the repository`);
  return false;
}


function sharedDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "turbo.json"))) dir = dirname(dir);
  return join(dir, "..", "shared");
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(entry)) out.push(path);
  }
  return out;
}

/** Core types at task, trigger, condition and task-runner positions of the flows in `dir`. */
function coreTypesUsed(dir: string, skip: (path: string) => boolean): Map<string, string> {
  const used = new Map<string, string>();
  for (const path of yamlFiles(dir)) {
    if (skip(path)) continue;
    for (const document of parseAllDocuments(readFileSync(path, "utf8"))) {
      if (!("errors" in document) || document.errors.length > 0) continue;
      let value: unknown;
      try {
        value = document.toJS({ maxAliasCount: 100 });
      } catch {
        continue;
      }
      for (const { type } of collectTypedNodes(value)) {
        if (type.startsWith("io.kestra.plugin.core.") && !used.has(type)) used.set(type, path);
      }
    }
  }
  return used;
}

const known = (type: string): boolean => KESTRA_CORE_TYPES.includes(type) || KESTRA_TYPE_ALIASES.has(type);
/** Classes of Kestra's own test suite, not plugins a server has. */
const TEST_ONLY = new Set(["io.kestra.plugin.core.flow.WorkingDirectoryTest", "io.kestra.plugin.core.flow.WorkingDirectoryTest$LocalFiles", "io.kestra.plugin.core.trigger.WebhookTestPlugin"]);

describe("Kestra's core type list", () => {
  it("holds every alias target of KESTRA-API.md §7.3", () => {
    for (const target of KESTRA_TYPE_ALIASES.values()) expect(KESTRA_CORE_TYPES, target).toContain(target);
  });

  it.runIf(sharedAvailable(sharedDir()))("covers every core type of Kestra's valid fixtures (1.0.3 and 2.0)", () => {
    const fixtures = join(sharedDir(), "kestra", "fixtures");
    for (const set of ["valids-1.0.3", "valids-2.0-snapshot"]) {
      const missing = [...coreTypesUsed(join(fixtures, set), () => false)].filter(([type]) => !known(type) && !TEST_ONLY.has(type));
      expect(missing, set).toEqual([]);
    }
  }, 30_000);

  it.runIf(sharedAvailable(sharedDir()))("covers every core type of the real-flows corpus, except Kestra's own invalid fixtures and the corpus' mistakes", () => {
    const used = coreTypesUsed(join(sharedDir(), "corpus", "real-flows"), (path) => /\/invalids?\//.test(path) || path.includes("validateMultipleInvalidFlows"));
    const missing = [...used.keys()].filter((type) => !known(type) && !TEST_ONLY.has(type)).sort();
    // Mistakes in the corpus that Kestra refuses too: a lower-case `If`, a condition that does not exist.
    expect(missing).toEqual(["io.kestra.plugin.core.condition.And", "io.kestra.plugin.core.flow.if"].filter((type) => used.has(type)));
  }, 30_000);
});
