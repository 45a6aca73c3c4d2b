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
  const walk = (node: unknown, path: ValuePath, root: boolean): void => {
    if (!root && owners.has(node)) return;
    if (Array.isArray(node)) node.forEach((item, index) => walk(item, [...path, index], false));
    else if (isMap(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (IMAGE_KEYS.has(key) && typeof value === "string") out.push({ image: value, path: [...path, key] });
        else if (typeof value === "object" && value !== null) walk(value, [...path, key], false);
      }
    }
  };
  for (const { task, path } of tasks) walk(task, path, true);
  for (const { trigger, path } of collectTriggers(document)) walk(trigger, path, true);
  if (isMap(document)) {
    for (const key of ["pluginDefaults", "taskDefaults"]) {
      const list = document[key];
      if (Array.isArray(list)) list.forEach((entry, index) => isMap(entry) && walk(entry.values, [key, index, "values"], true));
    }
  }
  return out;
});
