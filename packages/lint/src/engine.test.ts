import { describe, expect, it } from "vitest";
import { lintExitCode, lintRepository } from "./engine.js";
import { multiTenantRepository, plainRepository } from "./testing/virtual-repository.js";
import type { Rule } from "./types.js";

const tasks = "tasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n";
const tenants = ["acme", "globex", "initech", "umbrella", "wayne"].map((code) => ({ code }));

describe("lintRepository", () => {
  it("merges one template problem seen in many tenants into one diagnostic listing them", () => {
    const { repository, rendered } = multiTenantRepository(
      [{ path: "flows/bronze/costs.yaml", text: `id: costs\n${tasks}  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: again\n` }],
      tenants,
    );
    const result = lintRepository(repository, rendered);
    expect(result.diagnostics).toEqual([
      {
        rule: "duplicate-task-id",
        severity: "error",
        message: "Task id 'l' is already used by the task at line 3; task ids must be unique in the whole flow, errors and finally included",
        file: "flows/bronze/costs.yaml",
        line: 4,
        column: 9,
        tenants: ["acme", "globex", "initech", "umbrella", "wayne"],
        envs: ["default"],
      },
    ]);
    expect(result.errorCount).toBe(1);
    expect(lintExitCode(result)).toBe(1);
  });

  it("reports tenant-specific values generically, so they still merge", () => {
    const { repository, rendered } = multiTenantRepository(
      [{ path: "flows/gold/report.yaml", text: `id: report\n${tasks}  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${tenant.code}.bronze\n    flowId: nope\n` }],
      tenants,
    );
    // The tenant's own root is flowops' to manage, even where no flow renders yet.
    expect(lintRepository(repository, rendered).diagnostics.filter((d) => d.rule === "missing-upstream")).toHaveLength(1);
    const withBronze = multiTenantRepository(
      [
        { path: "flows/bronze/costs.yaml", text: `id: costs\n${tasks}` },
        { path: "flows/gold/report.yaml", text: `id: report\n${tasks}  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${tenant.code}.bronze\n    flowId: nope\n` },
      ],
      tenants,
    );
    const merged = lintRepository(withBronze.repository, withBronze.rendered).diagnostics.filter((d) => d.rule === "missing-upstream");
    expect(merged).toHaveLength(1);
    expect(merged[0]!.message).toContain("'${tenant.code}.bronze.nope'");
    expect(merged[0]!.tenants).toHaveLength(5);
  });

  it("applies severities from the config and the options, and drops rules set to off", () => {
    const flow = `id: test\nnamespace: company.team\ntasks:\n  - id: py\n    type: io.kestra.plugin.scripts.python.Script\n    containerImage: python\n    script: print(1)\n`;
    const { repository, rendered } = plainRepository([
      { path: "flows/test.yaml", text: flow },
      { path: "flowops.config.yaml", text: "lint:\n  rules:\n    unpinned-image: error\n" },
    ]);
    const fromConfig = lintRepository(repository, rendered);
    expect(fromConfig.diagnostics.map((d) => [d.rule, d.severity])).toEqual([["unpinned-image", "error"]]);
    expect(lintExitCode(fromConfig)).toBe(1);
    const off = lintRepository(repository, rendered, { severities: { "unpinned-image": "off" } });
    expect(off.diagnostics).toEqual([]);
    expect(lintExitCode(off)).toBe(0);
    const info = lintRepository(repository, rendered, { severities: { "unpinned-image": "info" } });
    expect(info.infoCount).toBe(1);
    expect(lintExitCode(info)).toBe(0);
  });

  it("honours flowops-disable-next-line for the named rule only", () => {
    const flow = `id: test
namespace: company.team
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    # flowops-disable-next-line unpinned-image -- the team pins it in the runner
    containerImage: python
    script: print(1)
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    # flowops-disable-next-line hardcoded-secret
    containerImage: ubuntu
    commands: [ls]
`;
    const { repository, rendered } = plainRepository([{ path: "flows/test.yaml", text: flow }]);
    const result = lintRepository(repository, rendered);
    expect(result.diagnostics.map((d) => `${d.rule}@${d.line}`)).toEqual(["unpinned-image@12"]);
  });

  it("turns repository problems into diagnostics of their rule and goes on with the rest", () => {
    const { repository, rendered } = plainRepository([
      { path: "flows/broken.yaml", text: "id: broken\nnamespace: company.team\ntasks:\n  - id: a\n   type: x\n" },
      { path: "flows/ok.yaml", text: `id: ok\nnamespace: company.team\n${tasks}  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: dup\n` },
    ]);
    const result = lintRepository(repository, rendered);
    expect(result.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}`)).toEqual(["flows/broken.yaml:5 yaml-syntax", "flows/ok.yaml:5 duplicate-task-id"]);
    expect(Object.keys(result.timings)).toContain("duplicate-task-id");
  });

  it("reports an alias bomb within a second", () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
id: bomb
namespace: company.team
tasks: [*h]
`;
    const { repository, rendered } = plainRepository([{ path: "flows/bomb.yaml", text: bomb }]);
    expect(lintRepository(repository, rendered).diagnostics.map((d) => d.rule)).toEqual(["yaml-syntax"]);
  });

  it("does not stop on a rule that throws: the failure is a diagnostic", () => {
    const { repository, rendered } = plainRepository([{ path: "flows/test.yaml", text: `id: test\nnamespace: company.team\n${tasks}` }]);
    const broken = {
      meta: { id: "broken-rule", description: "throws", defaultSeverity: "error" as const, docs: "", messages: {} },
      checkFlow: () => {
        throw new Error("boom");
      },
    };
    const result = lintRepository(repository, rendered, { rules: [broken] });
    expect(result.diagnostics[0]).toMatchObject({ rule: "broken-rule", message: "internal error in rule broken-rule: boom", file: "flows/test.yaml" });
  });

  it("catches a throwing rule on every render, timed or not, and times every flow rule it ran", () => {
    const flows = Array.from({ length: 40 }, (_, index) => ({ path: `flows/f${index}.yaml`, text: `id: f${index}\nnamespace: company.team\n${tasks}` }));
    const { repository, rendered } = plainRepository(flows);
    const seen: string[] = [];
    const broken = {
      meta: { id: "broken-rule", description: "throws on some flows", defaultSeverity: "error" as const, docs: "", messages: {} },
      visitFlow: ({ flow }: { flow: { id: string } }) => ({
        task: () => {
          seen.push(flow.id);
          // Past the first 16 renders, most are not timed: an error there is still caught and reported.
          if (flow.id === "f20" || flow.id === "f37" || flow.id === "f32") throw new Error(`boom in ${flow.id}`);
        },
      }),
    } as Rule;
    const result = lintRepository(repository, rendered, { rules: [broken] });
    expect(seen).toHaveLength(40);
    expect(result.diagnostics.map((d) => d.message).sort()).toEqual(["internal error in rule broken-rule: boom in f20", "internal error in rule broken-rule: boom in f32", "internal error in rule broken-rule: boom in f37"]);
    expect(result.timings["broken-rule"]).toBeGreaterThanOrEqual(0);
  });

  it("runs template and tenant checks once per file, at positions of those files", () => {
    const { repository, rendered } = multiTenantRepository(
      [{ path: "flows/bronze/costs.yaml", text: `# TODO: split\nid: costs\n${tasks}` }],
      [{ code: "acme", text: "code: acme\n# flowops-disable-next-line todo-comment\nname: TODO\n" }, { code: "globex", text: "code: globex\nname: TODO\n" }],
    );
    const todo: Rule = {
      meta: { id: "todo-comment", description: "TODO left in a file", defaultSeverity: "warning", docs: "", messages: { todo: "TODO left in {{what}}" } },
      checkTemplate: ({ template, report }) => {
        template.text.split("\n").forEach((line, index) => {
          const column = line.indexOf("TODO");
          if (column >= 0) report({ messageId: "todo", line: index + 1, column: column + 1, data: { what: "a template" } });
        });
      },
      checkTenant: ({ tenant, report }) => {
        if (tenant.values.name === "TODO") report({ messageId: "todo", path: ["name"], data: { what: "a tenant" } });
      },
    };
    const result = lintRepository(repository, rendered, { rules: [todo] });
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.message} [${d.tenants.join(",")}]`)).toEqual([
      "flows/bronze/costs.yaml:1:3 warning TODO left in a template []",
      "tenants/globex.yaml:2:7 warning TODO left in a tenant [globex]",
    ]);
  });
  it("still lints the second of two flows with one namespace and id: duplicate-flow hides none of its own findings", () => {
    const flow = (extra: string) => `id: same\nnamespace: acme.data\ntasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n${extra}`;
    const { repository, rendered } = plainRepository([
      { path: "flows/a.yaml", text: flow("") },
      { path: "flows/b.yaml", text: flow("  - { id: l, type: io.kestra.plugin.core.log.Log, message: \"{{ outputs.nope.value }}\" }\n") },
    ]);
    const result = lintRepository(repository, rendered);
    expect(result.diagnostics.filter((d) => d.file === "flows/b.yaml").map((d) => `${d.line}:${d.column} ${d.rule}`)).toEqual([
      "1:5 duplicate-flow",
      "5:11 duplicate-task-id",
      "5:64 unknown-output-reference",
    ]);
  });

  it("walks each flow once and hands each part to the rules that visit it, in order", () => {
    const seen: string[] = [];
    const visiting: Rule = {
      meta: { id: "visiting", description: "test", defaultSeverity: "error", docs: "", messages: { m: "m" } },
      visitFlow: ({ flow }) => ({
        flow: () => seen.push(`flow ${flow.id}`),
        task: ({ task }) => seen.push(`task ${String(task.id)}`),
        trigger: ({ trigger }) => seen.push(`trigger ${String(trigger.id)}`),
        flowReference: (reference) => seen.push(`reference ${reference.namespace}/${reference.flowId ?? "*"}`),
        pebbleReference: (reference) => seen.push(`pebble ${reference.root}.${reference.key}`),
        flowExit: () => seen.push(`exit ${flow.id}`),
      }),
    };
    const { repository, rendered } = plainRepository([
      {
        path: "flows/f.yaml",
        text: "id: f\nnamespace: acme.data\ntasks:\n  - { id: a, type: io.kestra.plugin.core.log.Log, message: \"{{ outputs.a.x }}\" }\ntriggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Flow\n    preconditions: { id: p, flows: [{ namespace: acme.raw }] }\n",
      },
    ]);
    lintRepository(repository, rendered, { rules: [visiting] });
    expect(seen).toEqual(["flow f", "task a", "trigger t", "reference acme.raw/*", "pebble outputs.a.x", "exit f"]);
  });
});
