import { testRule } from "../../testing/rule-tester.js";
import { flowCycle } from "./index.js";

const tasks = "tasks:\n  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n";
/** A flow of company.team calling each of `targets` as a Subflow (the first call's flowId is at line 7, column 13). */
const caller = (id: string, ...targets: string[]): string =>
  `id: ${id}\nnamespace: company.team\ntasks:\n` +
  targets.map((target, index) => `  - id: call${index}\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: company.team\n    flowId: ${target}\n`).join("") +
  (targets.length === 0 ? "  - { id: l, type: io.kestra.plugin.core.log.Log, message: x }\n" : "");
const trigger = (upstream: string): string => `triggers:
  - id: after
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: up
      flows:
        - namespace: company.team
          flowId: ${upstream}
`;

testRule(flowCycle, {
  valid: [
    {
      name: "a chain, and a Flow trigger on its own flow (Kestra ignores it)",
      file: "flows/a.yaml",
      yaml: `id: a\nnamespace: company.team\n${tasks}${trigger("a")}`,
      others: [{ path: "flows/b.yaml", text: `id: b\nnamespace: company.team\n${tasks}${trigger("a")}` }],
    },
  ],
  invalid: [
    {
      name: "two flows triggering each other",
      file: "flows/a.yaml",
      yaml: `id: a\nnamespace: company.team\n${tasks}${trigger("b")}`,
      others: [{ path: "flows/b.yaml", text: `id: b\nnamespace: company.team\n${tasks}${trigger("a")}` }],
      errors: [{ messageId: "cycle", file: "flows/b.yaml", line: 12, column: 19, message: "'company.team.a -> company.team.b -> company.team.a'" }],
    },
    {
      name: "a Subflow call closing a trigger loop, per tenant",
      templates: [
        { path: "flows/bronze/a.yaml", text: `id: a\n${tasks}  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${tenant.code}.bronze\n    flowId: b\n` },
        { path: "flows/bronze/b.yaml", text: `id: b\n${tasks}  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: \${tenant.code}.bronze\n    flowId: a\n` },
      ],
      tenants: [{ code: "acme" }, { code: "globex" }],
      errors: [{ messageId: "cycle", line: 7, column: 13, message: "'${tenant.code}.bronze.a -> ${tenant.code}.bronze.b -> ${tenant.code}.bronze.a'" }],
    },
    {
      name: "a cycle of three, reached past flows with no calls of their own and a call to a flow not rendered",
      file: "flows/a.yaml",
      yaml: caller("a", "sink", "b"),
      others: [
        { path: "flows/b.yaml", text: caller("b", "elsewhere", "c") },
        { path: "flows/c.yaml", text: caller("c", "a", "sink") },
        { path: "flows/sink.yaml", text: caller("sink") },
        { path: "flows/0-first.yaml", text: caller("0-first", "sink") },
      ],
      errors: [{ messageId: "cycle", file: "flows/a.yaml", line: 11, column: 13, message: "'company.team.a -> company.team.b -> company.team.c -> company.team.a'" }],
    },
    {
      name: "two cycles, each reported once at its first member's edge",
      file: "flows/a.yaml",
      yaml: caller("a", "b"),
      others: [
        { path: "flows/b.yaml", text: caller("b", "a") },
        { path: "flows/x.yaml", text: caller("x", "y") },
        { path: "flows/y.yaml", text: caller("y", "x", "x") },
      ],
      errors: [
        { messageId: "cycle", file: "flows/a.yaml", line: 7, column: 13, message: "'company.team.a -> company.team.b -> company.team.a'" },
        { messageId: "cycle", file: "flows/x.yaml", line: 7, column: 13, message: "'company.team.x -> company.team.y -> company.team.x'" },
      ],
    },
    {
      name: "recursive-flow.yaml",
      file: "flows/recursive-flow.yaml",
      yaml: `id: recursive-flow
namespace: io.kestra.tests

tasks:
  - id: taskInvalid
    type: io.kestra.plugin.core.flow.Subflow
    flowId: recursive-flow
    namespace: io.kestra.tests`,
      errors: [{ messageId: "recursiveSubflow", line: 7, column: 13 }],
    },
  ],
});
