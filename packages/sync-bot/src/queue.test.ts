import { describe, it, expect } from "vitest";
import { KeyedSerialQueue, Semaphore } from "./queue.js";

function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe("KeyedSerialQueue", () => {
  it("runs tasks of one key one after another, in order, even when one fails", async () => {
    const queue = new KeyedSerialQueue();
    const events: string[] = [];
    const gate = latch();
    const first = queue.run("acme/flows#staging", async () => {
      events.push("start 1");
      await gate.promise;
      events.push("end 1");
      throw new Error("tenant failed");
    });
    const second = queue.run("acme/flows#staging", async () => {
      events.push("start 2");
      return 2;
    });
    await Promise.resolve();
    expect(events).toEqual(["start 1"]);
    gate.open();
    await expect(first).rejects.toThrow("tenant failed");
    await expect(second).resolves.toBe(2);
    expect(events).toEqual(["start 1", "end 1", "start 2"]);
    expect(queue.busyKeys).toEqual([]);
  });

  it("runs different keys side by side", async () => {
    const queue = new KeyedSerialQueue();
    const gate = latch();
    const events: string[] = [];
    const staging = queue.run("acme/flows#staging", async () => {
      await gate.promise;
      events.push("staging");
    });
    await queue.run("acme/flows#production", async () => {
      events.push("production");
    });
    gate.open();
    await staging;
    expect(events).toEqual(["production", "staging"]);
  });
});

describe("Semaphore", () => {
  it("runs at most `limit` tasks at once, the rest in order", async () => {
    const semaphore = new Semaphore(2);
    const gates = [latch(), latch(), latch()];
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const tasks = gates.map((gate, index) =>
      semaphore.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(index);
        await gate.promise;
        running--;
      }),
    );
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    gates[0]!.open();
    await tasks[0];
    await Promise.resolve();
    expect(order).toEqual([0, 1, 2]);
    gates[1]!.open();
    gates[2]!.open();
    await Promise.all(tasks);
    expect(most).toBe(2);
  });

  it("refuses a limit below 1", () => {
    expect(() => new Semaphore(0)).toThrow(/at least 1/);
  });
});
