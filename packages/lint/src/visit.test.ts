import { describe, expect, it } from "vitest";
import { plainRepository } from "./testing/virtual-repository.js";
import type { FlowVisitors } from "./types.js";
import { walkFlow } from "./visit.js";

const flowText = `id: test
namespace: company.team
tasks:
  - { id: a, type: io.kestra.plugin.core.log.Log, message: x }
  - { id: b, type: io.kestra.plugin.core.log.Log, message: x }
  - { id: c, type: io.kestra.plugin.core.log.Log, message: x }
  - { id: d, type: io.kestra.plugin.core.log.Log, message: x }
`;

describe("walkFlow", () => {
  const flow = plainRepository([{ path: "flows/test.yaml", text: flowText }]).rendered.flows[0]!;

  it("hands every part to every visitor in order, and goes on after a handler that throws", () => {
    const seen: string[] = [];
    const failures: string[] = [];
    const visitor = (name: string, failOn?: string): { name: string; handlers: FlowVisitors } => ({
      name,
      handlers: {
        flow: () => seen.push(`${name}:flow`),
        task: ({ task }) => {
          if (task.id === failOn) throw new Error(`${name} fails on ${String(task.id)}`);
          seen.push(`${name}:${String(task.id)}`);
        },
        flowExit: () => seen.push(`${name}:exit`),
      },
    });
    walkFlow(flow, [visitor("one", "b"), visitor("two")], (_, work) => {
      try {
        work();
      } catch (error) {
        failures.push((error as Error).message);
      }
    });
    expect(failures).toEqual(["one fails on b"]);
    expect(seen).toEqual(["one:flow", "two:flow", "one:a", "one:c", "one:d", "two:a", "two:b", "two:c", "two:d", "one:exit", "two:exit"]);
  });

  it("reports each throwing part once, even when every part throws", () => {
    const failures: string[] = [];
    walkFlow(flow, [{ handlers: { task: ({ task }) => { throw new Error(String(task.id)); } } }], (_, work) => {
      try {
        work();
      } catch (error) {
        failures.push((error as Error).message);
      }
    });
    expect(failures).toEqual(["a", "b", "c", "d"]);
  });

  it("calls handlers written as class methods or on a null-prototype object, and a walk nested in a handler leaves the outer one whole", () => {
    const seen: string[] = [];
    class Counting implements FlowVisitors {
      task({ task }: { task: { id?: unknown } }): void {
        seen.push(`class:${String(task.id)}`);
      }
      flowExit(): void {
        seen.push("class:exit");
      }
    }
    const bare = Object.assign(Object.create(null) as FlowVisitors, { trigger: () => seen.push("bare:trigger"), task: () => seen.push("bare:task") });
    const nesting: FlowVisitors = {
      flow: () => {
        walkFlow(flow, [{ handlers: { task: ({ task }) => seen.push(`inner:${String(task.id)}`) } }], (_, work) => work());
      },
      flowExit: () => seen.push("nesting:exit"),
    };
    walkFlow(flow, [{ handlers: nesting }, { handlers: new Counting() }, { handlers: bare }], (_, work) => work());
    expect(seen).toEqual([
      "inner:a", "inner:b", "inner:c", "inner:d",
      "class:a", "class:b", "class:c", "class:d",
      "bare:task", "bare:task", "bare:task", "bare:task",
      "nesting:exit", "class:exit",
    ]);
    // The next walk starts from a clean table: no handler of the last flow's visitors is left over.
    const before = seen.length;
    const again: string[] = [];
    walkFlow(flow, [{ handlers: { flowExit: () => again.push("exit") } }, { handlers: {} }, { handlers: {} }], (_, work) => work());
    expect(again).toEqual(["exit"]);
    expect(seen.length).toBe(before);
  });
});
