import { createTwoFilesPatch } from "diff";

/**
 * Unified diff (3 lines of context) from one flow source to another, labelled `live/<name>` and
 * `git/<name>`, without the `Index`/`===` preamble.
 */
export function sourceDiff(name: string, live: string, rendered: string): string {
  const patch = createTwoFilesPatch(`live/${name}`, `git/${name}`, live, rendered, undefined, undefined, { context: 3 });
  return patch
    .split("\n")
    .filter((line) => !/^={10,}$/.test(line) && !line.startsWith("Index:"))
    .join("\n")
    .trimEnd();
}
