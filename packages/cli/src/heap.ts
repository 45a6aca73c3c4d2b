import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const MIB = 2 ** 20;

/**
 * Passes a stream's items through, collecting garbage between two items when the heap has grown
 * well past what the last collection left. V8 lets a young process's heap grow to a large share of
 * its limit before its first full collection: a stream that keeps little (lint's index) but drops
 * every tenant's rendered flows would otherwise peak at gigabytes of garbage on a large platform.
 * Only items `isBoundary` accepts are followed by a look at the heap (a tenant's end, not every
 * render of a fine-grained stream).
 */
export function collectingGarbage<T>(items: Iterable<T>, floorBytes = 512 * MIB, isBoundary: (item: T) => boolean = () => true): Iterable<T> {
  let collect: () => void;
  try {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  } catch {
    return items;
  }
  return (function* () {
    let limit = floorBytes;
    for (const item of items) {
      yield item;
      if (isBoundary(item) && getHeapStatistics().used_heap_size > limit) {
        collect();
        limit = Math.max(floorBytes, 2 * getHeapStatistics().used_heap_size);
      }
    }
  })();
}
