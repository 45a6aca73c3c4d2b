import { collectTasks, collectTriggers } from "./tasks.js";
import { isMap, memoized, type ValuePath } from "./values.js";

/** A container image a task or its task runner runs in. */
export interface ImageRef {
  image: string;
  /** Where the image is written (the `image`/`containerImage` value). */
  path: ValuePath;
}

/** Keys naming an image: script tasks' `containerImage`, `image` of task runners, `docker`/`dockerOptions` blocks, AI tools. */
const IMAGE_KEYS = new Set(["containerImage", "image"]);

/**
 * Every container image of a flow, where it is written: anywhere in a task's or trigger's own
 * properties (task runners, `docker`/`dockerOptions` blocks, tools), never twice through a child
 * task, and in plugin defaults' values.
 */
export const collectImages: (document: unknown) => readonly ImageRef[] = memoized((document) => {
  const out: ImageRef[] = [];
  const tasks = collectTasks(document);
  const owners = new Set<unknown>(tasks.map((ref) => ref.task));
  // One path stack for the whole walk: a path is copied only for an image found.
  const path: (string | number)[] = [];
  const walk = (node: unknown, root: boolean): void => {
    if (!root && owners.has(node)) return;
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        path.push(index);
        walk(node[index], false);
        path.pop();
      }
    } else if (isMap(node)) {
      for (const key of Object.keys(node)) {
        const value = node[key];
        if (IMAGE_KEYS.has(key) && typeof value === "string") out.push({ image: value, path: [...path, key] });
        else if (typeof value === "object" && value !== null) {
          path.push(key);
          walk(value, false);
          path.pop();
        }
      }
    }
  };
  const walkFrom = (node: unknown, at: ValuePath): void => {
    path.length = 0;
    path.push(...at);
    walk(node, true);
  };
  for (const { task, path: at } of tasks) walkFrom(task, at);
  for (const { trigger, path: at } of collectTriggers(document)) walkFrom(trigger, at);
  if (isMap(document)) {
    for (const key of ["pluginDefaults", "taskDefaults"]) {
      const list = document[key];
      if (Array.isArray(list)) list.forEach((entry, index) => isMap(entry) && walkFrom(entry.values, [key, index, "values"]));
    }
  }
  return out;
});
