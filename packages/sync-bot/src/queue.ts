/**
 * Runs tasks one at a time per key, in the order they were added; tasks of different keys run in
 * parallel. Deploys use `<owner>/<repo>#<environment>` as the key, so two merges never deploy the
 * same environment at once.
 */
export class KeyedSerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Keys with a task running or waiting. */
  get busyKeys(): string[] {
    return [...this.tails.keys()];
  }
}
