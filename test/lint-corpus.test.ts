// Lint measured against real flows nobody on this project wrote: Kestra's own valid and invalid
// fixtures (1.0.3) and the real-flows corpus, read from ../shared (never copied into the repo).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildRepository, render } from "@flowops/render";
import { lintRepository, type Diagnostic } from "@flowops/lint";
import { describe, expect, it } from "vitest";
import { lintPlain, yamlFiles } from "./corpus.js";
import { repoRoot, sharedAvailable } from "./support.js";

const shared = join(repoRoot, "..", "shared");
const fixtures = join(shared, "kestra", "fixtures");
const realFlows = join(shared, "corpus", "real-flows");

/** The rules whose errors must match Kestra's own verdict on a flow. */
const KESTRA_VERDICT_RULES = new Set(["yaml-syntax", "flow-schema", "unknown-task-type"]);

describe.runIf(sharedAvailable(shared))("Kestra's valid fixtures (valids-1.0.3) as a plain repository", () => {
  it("produce no yaml-syntax, flow-schema or unknown-task-type finding", () => {
    const diagnostics = lintPlain(join(fixtures, "valids-1.0.3"), yamlFiles(join(fixtures, "valids-1.0.3")));
    expect(diagnostics.filter((d) => KESTRA_VERDICT_RULES.has(d.rule))).toEqual([]);
  }, 30_000);
});

describe.runIf(sharedAvailable(shared))("Kestra's 2.0 valid fixtures (valids-2.0-snapshot) as a plain repository", () => {
  it("produce no yaml-syntax or flow-schema finding, and unknown-task-type only for Kestra's test-only classes", () => {
    const diagnostics = lintPlain(join(fixtures, "valids-2.0-snapshot"), yamlFiles(join(fixtures, "valids-2.0-snapshot")));
    const verdicts = diagnostics.filter((d) => KESTRA_VERDICT_RULES.has(d.rule));
    expect(verdicts.filter((d) => d.rule !== "unknown-task-type")).toEqual([]);
    const types = new Set(verdicts.map((d) => /'([^']+)'/.exec(d.message)?.[1]));
    expect([...types].sort()).toEqual(["io.kestra.plugin.core.flow.WorkingDirectoryTest$LocalFiles", "io.kestra.plugin.core.trigger.WebhookTestPlugin"]);
  }, 30_000);
});

/**
 * Why Kestra 1.0.3 itself refuses each flow of the corpus that these rules flag. A finding not
 * explained here fails the test: it would be a false positive.
 */
function kestraRejects(d: Diagnostic): string | undefined {
  if (/\/invalids(Templates)?\//.test(d.file)) return "Kestra's own invalid test fixture";
  if (d.file.startsWith("flows/blueprints/") && d.message === 'extend: unknown property "extend"') {
    return "blueprint catalogue metadata `extend`: not a flow property, Kestra refuses unknown properties";
  }
  if (d.rule === "unknown-task-type" && / was removed from Kestra in \d+\.\d+\.\d+ without an alias/.test(d.message)) {
    return "a core type Kestra removed without an alias (kestra-io/kestra history): Kestra no longer loads the flow";
  }
  if (/validateMultiple(In)?validFlows\.yaml$/i.test(d.file) && d.rule === "yaml-syntax") return "several flows in one file: a payload for Kestra's validate endpoint, not one flow";
  const known: Record<string, string> = {
    "flows/examples_43a467a-2024-11-19/examples/postgres/eachSequentialPostgres.yml": "invalid YAML on purpose (corpus README)",
    "flows/examples_43a467a-2024-11-19/examples/snowflake/stage.yml": "duplicate key: Kestra's parser refuses it (\"Duplicate field\")",
    "flows/examples_43a467a-2024-11-19/examples/fivetran/fivetranSyncParallel.yml": "a Parallel inside a WorkingDirectory: \"Only runnable tasks are allowed\"",
    "flows/examples_43a467a-2024-11-19/examples/fivetran/fivetranSyncParallelDbtCloud.yml": "a Parallel inside a WorkingDirectory: \"Only runnable tasks are allowed\"",
    "flows/examples_43a467a-2024-11-19/examples/flows/ee_stream_auditlogs_to_bq.yml": "unknown top-level property `title`",
    "flows/examples_43a467a-2024-11-19/examples/redis/trigger.yml": "a task id Kestra's pattern refuses",
    "flows/whiztask-kestra/kestra/templates/multi-service-sync.yml": "top-level `name` and lower-case input types (`string`, `object`): \"Invalid type\"",
    "flows/pulse-kestra/kestra/flows/manual-replay.yaml": "`concurrency.key`: not a property of Kestra 1.0's concurrency (limit, behavior)",
    "flows/pulse-kestra/kestra/flows/notifier-resend.yaml": "`concurrency.key`: not a property of Kestra 1.0's concurrency (limit, behavior)",
    "flows/blueprints/flows/opa-policy-gate-ci.yaml": "an If inside a WorkingDirectory: \"Only runnable tasks are allowed\"",
  };
  return known[d.file];
}

describe.runIf(sharedAvailable(shared))("the real-flows corpus, one plain repository per source repository", () => {
  it("flags with yaml-syntax, flow-schema and unknown-task-type only flows Kestra itself refuses", () => {
    const findings: Diagnostic[] = [];
    let flowFiles = 0;
    for (const source of readdirSync(realFlows).sort()) {
      const dir = join(realFlows, source);
      if (!statSync(dir).isDirectory()) continue;
      const paths = yamlFiles(dir);
      flowFiles += paths.length;
      findings.push(...lintPlain(realFlows, paths).filter((d) => KESTRA_VERDICT_RULES.has(d.rule)));
    }
    expect(flowFiles).toBeGreaterThan(1200);
    const unexplained = findings.filter((d) => kestraRejects(d) === undefined).map((d) => `${d.file}:${d.line}:${d.column} [${d.rule}] ${d.message}`);
    expect(unexplained).toEqual([]);
    const reasons = new Map<string, number>();
    for (const d of findings) reasons.set(kestraRejects(d)!, (reasons.get(kestraRejects(d)!) ?? 0) + 1);
    // The figures for the closing note: what remains, and why Kestra refuses it too.
    console.info(`real-flows: ${flowFiles} files, ${findings.length} yaml-syntax/flow-schema/unknown-task-type findings, all refused by Kestra:\n${[...reasons].map(([why, n]) => `  ${n} × ${why}`).join("\n")}`);
  }, 60_000);
});

describe.runIf(sharedAvailable(shared))("Kestra's invalid fixtures (invalids-1.0.3), each linted on its own", () => {
  /** Fixtures no offline rule can catch, and why. */
  const notCaught: Record<string, string> = {
    "foreach-switch-failed.yaml": "fails at execution time (a Switch case fails), not on save: nothing to lint",
    "invalid-property.yaml": "an unknown property of a core task: caught by flow-schema only with a pulled Kestra flow schema (plugin properties are open otherwise)",
  };
  const dir = join(fixtures, "invalids-1.0.3");
  // Suite bodies run even when skipped: list the fixtures only where they exist.
  it.each(existsSync(dir) ? readdirSync(dir).sort() : [])("%s is caught by some rule (or is a known exception)", (fixture) => {
    const errors = lintPlain(dir, [join(dir, fixture)]).filter((d) => d.severity === "error");
    if (fixture in notCaught) expect(errors, notCaught[fixture]).toEqual([]);
    else expect(errors.length, `${fixture} is caught`).toBeGreaterThan(0);
  });

  it("catches invalid-property.yaml when the repository has a pulled Kestra flow schema", () => {
    const pulled = {
      $schema: "http://json-schema.org/draft-07/schema#",
      definitions: {
        "io.kestra.plugin.core.debug.Return": {
          type: "object",
          properties: { id: { type: "string" }, type: { type: "string" }, description: { type: "string" }, format: { type: "string" } },
          additionalProperties: false,
        },
      },
    };
    const files = new Map([
      ["flows/invalid-property.yaml", readFileSync(join(dir, "invalid-property.yaml"), "utf8")],
      [".flowops/kestra-flow-schema.json", JSON.stringify(pulled)],
    ]);
    const repository = buildRepository({ root: dir, files, hasTenantsFolder: false });
    const diagnostics = lintRepository(repository, render(repository)).diagnostics;
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`)).toEqual(["7:14 flow-schema Return: unknown property 'invalid'"]);
  });
});
