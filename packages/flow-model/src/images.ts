import { collectTasks } from "./tasks.js";
import { isMap, memoized, stringProperty, type ValuePath } from "./values.js";

/** A container image a task or its task runner runs in. */
export interface ImageRef {
  image: string;
  /** Where the image is written (the `image`/`containerImage` value). */
  path: ValuePath;
}

/** Keys naming an image: script tasks' `containerImage`, task runners' and `docker:` blocks' `image`. */
const IMAGE_KEYS = ["containerImage", "image"] as const;

/**
 * Every container image of a flow: of its tasks (task, `taskRunner` and legacy `docker` blocks)
 * and of its plugin defaults' values, each where it is written.
 */
export const collectImages: (document: unknown) => readonly ImageRef[] = memoized((document) => {
  const out: ImageRef[] = [];
  const holders: (readonly [unknown, ValuePath])[] = [];
  for (const { task, path } of collectTasks(document)) holders.push([task, path]);
  if (isMap(document)) {
    for (const key of ["pluginDefaults", "taskDefaults"]) {
      const list = document[key];
      if (Array.isArray(list)) list.forEach((entry, index) => isMap(entry) && holders.push([entry.values, [key, index, "values"]]));
    }
  }
  for (const [node, path] of holders) {
    if (!isMap(node)) continue;
    const task = node;
    for (const [holder, holderPath] of [
      [task, path],
      [task.taskRunner, [...path, "taskRunner"]],
      [task.docker, [...path, "docker"]],
    ] as const) {
      if (!isMap(holder)) continue;
      for (const key of IMAGE_KEYS) {
        const image = stringProperty(holder, key);
        if (image !== undefined) out.push({ image, path: [...holderPath, key] });
      }
    }
  }
  return out;
});
