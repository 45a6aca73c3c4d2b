// Test support: typescript-eslint-style rule tables. Each case is literal YAML; invalid cases list
// the expected message id, line and column (and optionally a fragment of the message).
import { describe, expect, it } from "vitest";
import { namespaceOwner, type RenderedFlow } from "@flowops/render";
import { validatorFor } from "@flowops/schemas";
import { indexKestraFlowSchema } from "../kestra-schema.js";
import { formatMessage, genericTenantData, genericTenantText } from "../messages.js";
import type { FindingBase, FlowFinding, FlowSummary, FlowValidator, LintFacts, Rule } from "../types.js";
import { visitFlowOnce } from "../visit.js";
import { FlowPositions } from "../positions.js";
import { flowSummary } from "../flow-summary.js";
import { multiTenantRepository, plainRepository, type VirtualRepository } from "./virtual-repository.js";

/** The message id a table uses for a finding that `readRepository`/`render` report as a problem with the rule's id. */
export const REPOSITORY_PROBLEM = "repositoryProblem";

export interface ExpectedFinding {
  messageId: string;
  line: number;
  column: number;
  /** A fragment the message must contain. */
  message?: string;
  /** Template or tenant file, when not the case's first file. */
  file?: string;
}

export interface RuleCase {
  name?: string;
  /** One flow file (plain repository) at `file` (default `flows/test.yaml`). */
  yaml?: string;
  file?: string;
  /** More flow files in the same plain repository. */
  others?: readonly { path: string; text: string }[];
  /** A multi-tenant repository instead: templates rendered for each tenant. */
  templates?: readonly { path: string; text: string; tenants?: readonly string[] }[];
  tenants?: readonly { code: string; text?: string }[];
  /** Other repository files: `flowops.config.yaml`, schemas. */
  files?: readonly { path: string; text: string }[];
  kestraFlowSchema?: unknown;
  flowValidator?: FlowValidator;
}

export interface InvalidRuleCase extends RuleCase {
  errors: readonly ExpectedFinding[];
}

export interface FoundFinding {
  messageId: string;
  message: string;
  file: string;
  line: number;
  column: number;
  tenant: string | null;
}

export function repositoryFor(testCase: RuleCase): VirtualRepository {
  if (testCase.templates) return multiTenantRepository(testCase.templates, testCase.tenants ?? [{ code: "acme" }], testCase.files);
  const files = [{ path: testCase.file ?? "flows/test.yaml", text: testCase.yaml ?? "" }, ...(testCase.others ?? []), ...(testCase.files ?? [])];
  return plainRepository(files);
}

/** Runs one rule's checks directly (not through the engine) and returns its findings with positions. */
export function runRule(rule: Rule, testCase: RuleCase): FoundFinding[] {
  const { repository, rendered } = repositoryFor(testCase);
  const problems = [...repository.problems, ...rendered.problems];
  expect(problems.filter((problem) => problem.code !== rule.meta.id), "the case's repository reads and renders without other problems").toEqual([]);
  const kestraSchema = testCase.kestraFlowSchema !== undefined ? indexKestraFlowSchema(testCase.kestraFlowSchema) : undefined;
  const facts: LintFacts = {
    repository,
    namespaceOwner: namespaceOwner(repository),
    ...(kestraSchema ? { kestraSchema } : {}),
    flowValidator: testCase.flowValidator ?? validatorFor("flow"),
  };
  const found: FoundFinding[] = problems
    .filter((problem) => problem.code === rule.meta.id)
    .map((problem) => ({ messageId: REPOSITORY_PROBLEM, message: problem.trustBoundary ? problem.message : genericTenantText(problem.message, problem.tenant ?? null), file: problem.file, line: problem.line, column: problem.column, tenant: problem.tenant ?? null }));
  const push = (finding: FindingBase, position: { file: string; line: number; column: number }, tenant: string | null): void => {
    const template = rule.meta.messages[finding.messageId];
    expect(template, `message id '${finding.messageId}' is declared in meta.messages`).toBeTypeOf("string");
    found.push({ messageId: finding.messageId, message: formatMessage(template ?? "", tenant === null ? finding.data : genericTenantData(finding.data, tenant)), ...position, tenant });
  };
  const options = repository.config.lint.options?.[rule.meta.id] ?? {};
  const positions = new FlowPositions((file) => repository.templates.find((template) => template.file === file)?.text);
  const fromFlow = (flow: RenderedFlow, finding: FlowFinding): void => push(finding, positions.of(flow, finding), flow.tenant);
  const fromSummary = (flow: FlowSummary, finding: FlowFinding): void => push(finding, flow.locate(finding.path), flow.tenant);
  for (const flow of [...rendered.flows, ...(rendered.duplicates ?? [])]) {
    rule.checkFlow?.({ flow, facts, options, report: (finding) => fromFlow(flow, finding) });
    if (rule.visitFlow) visitFlowOnce(rule.visitFlow({ flow, facts, options, report: (finding) => fromFlow(flow, finding) }), flow);
  }
  if (rule.checkTenantFlows) {
    const groups = new Map<string, FlowSummary[]>();
    for (const flow of rendered.flows) {
      const key = `${flow.env}\u0000${flow.tenant ?? ""}`;
      groups.set(key, [...(groups.get(key) ?? []), flowSummary(flow)]);
    }
    const envNamespaces = new Set(rendered.flows.map((flow) => flow.namespace));
    for (const flows of groups.values()) {
      rule.checkTenantFlows({
        env: flows[0]!.env,
        envs: [flows[0]!.env],
        tenant: flows[0]!.tenant,
        flows,
        namespacesByEnv: new Map([[flows[0]!.env, envNamespaces]]),
        facts,
        report: (finding) => fromSummary(finding.flow, finding),
      });
    }
  }
  for (const template of repository.templates) {
    const located = positions.located(template.file, template.text)!;
    rule.checkTemplate?.({
      template,
      facts,
      report: (finding) => push(finding, finding.path ? { file: template.file, ...located.locate(finding.path, finding.within) } : { file: template.file, line: finding.line ?? 1, column: finding.column ?? 1 }, null),
    });
  }
  for (const tenant of repository.tenants) {
    const located = positions.located(tenant.file, repository.files.get(tenant.file) ?? "")!;
    rule.checkTenant?.({
      tenant,
      facts,
      options,
      report: (finding) => push(finding, finding.path ? { file: tenant.file, ...located.locate(finding.path, finding.within) } : { file: tenant.file, line: finding.line ?? 1, column: finding.column ?? 1 }, tenant.code),
    });
  }
  return found;
}

function caseName(testCase: RuleCase, index: number): string {
  return testCase.name ?? `case ${index + 1}: ${(testCase.yaml ?? testCase.templates?.[0]?.text ?? "").split("\n").slice(0, 3).join(" ").slice(0, 70)}`;
}

/** Declares the vitest cases of a rule table. */
export function testRule(rule: Rule, cases: { valid: readonly (RuleCase | string)[]; invalid: readonly InvalidRuleCase[] }): void {
  describe(rule.meta.id, () => {
    describe("valid", () => {
      cases.valid.forEach((raw, index) => {
        const testCase = typeof raw === "string" ? { yaml: raw } : raw;
        it(caseName(testCase, index), () => {
          expect(runRule(rule, testCase)).toEqual([]);
        });
      });
    });
    describe("invalid", () => {
      cases.invalid.forEach((testCase, index) => {
        it(caseName(testCase, index), () => {
          const defaultFile = testCase.templates?.[0]?.path ?? testCase.file ?? "flows/test.yaml";
          const found = runRule(rule, testCase);
          // One finding per tenant is expected to be merged by the engine; the table lists each position once.
          const unique = [...new Map(found.map((f) => [`${f.file}:${f.line}:${f.column}:${f.messageId}:${f.message}`, f])).values()].sort(
            (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
          );
          const actual = unique.map((f) => ({ messageId: f.messageId, file: f.file, line: f.line, column: f.column }));
          const expected = testCase.errors.map((e) => ({ messageId: e.messageId, file: e.file ?? defaultFile, line: e.line, column: e.column }));
          expect(actual).toEqual(expected);
          testCase.errors.forEach((e, i) => {
            if (e.message !== undefined) expect(unique[i]?.message).toContain(e.message);
          });
        });
      });
    });
  });
}
