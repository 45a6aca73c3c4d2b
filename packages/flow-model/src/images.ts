import { collectTasks, collectTriggers } from "./tasks.js";
import { documentSlot, isMap, memoized, type ValuePath } from "./values.js";

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
  const found = typeof document === "object" && document !== null ? imageScalarsOf.get(document) : undefined;
  return found ? imagesAmong(document, found) : walkImages(document);
});

/** True for a scalar `collectImages` may report: a string under an image key. */
export function isImageScalar(value: unknown, key: string | number | undefined): value is string {
  return typeof value === "string" && typeof key === "string" && IMAGE_KEYS.has(key);
}

/**
 * The image-keyed strings anywhere in a document, in document order, as a whole-document walk
 * found them (`collectWatchedScalars`): `collectImages` then picks its own among them without
 * walking the flow again.
 */
export const imageScalarsOf = documentSlot<readonly { image: string; path: ValuePath }[]>();

/**
 * `walkImages`' result from the document's image-keyed strings: each belongs to the deepest task
 * on its path (reported only if that task is listed at exactly that path), else to the trigger or
 * plugin default holding it; reported task by task, then trigger by trigger, then default by default.
 */
function imagesAmong(document: unknown, found: readonly { image: string; path: ValuePath }[]): ImageRef[] {
  if (found.length === 0) return [];
  const tasks = collectTasks(document);
  // Each task object with the index of its ref, or of its refs when an alias lists one object twice.
  const owners = new Map<unknown, number | number[]>();
  for (let index = 0; index < tasks.length; index++) {
    const task = tasks[index]!.task;
    const known = owners.get(task);
    if (known === undefined) owners.set(task, index);
    else if (typeof known === "number") owners.set(task, [known, index]);
    else known.push(index);
  }
  const triggers = collectTriggers(document);
  // Filled only where an image is found: most tasks and triggers hold none.
  const byTask: (ImageRef[] | undefined)[] = [];
  const byTrigger: (ImageRef[] | undefined)[] = [];
  let byDefault: Map<string, ImageRef[]> | undefined;
  const addTo = (lists: (ImageRef[] | undefined)[], index: number, ref: ImageRef): void => {
    const list = lists[index];
    if (list) list.push(ref);
    else lists[index] = [ref];
  };
  for (const { image, path } of found) {
    // nodes[i]: the node at path.slice(0, i); the last is the map holding the image.
    const nodes: unknown[] = [document];
    for (let i = 0; i < path.length - 1; i++) nodes.push((nodes[i] as Record<string | number, unknown>)[path[i]!]);
    let deepestTask = -1;
    for (let i = nodes.length - 1; i >= 1; i--) {
      if (owners.has(nodes[i])) {
        deepestTask = i;
        break;
      }
    }
    const ref: ImageRef = { image, path };
    if (deepestTask !== -1) {
      const owner = owners.get(nodes[deepestTask])!;
      if (typeof owner === "number") {
        if (samePrefix(tasks[owner]!.path, path, deepestTask)) addTo(byTask, owner, ref);
      } else for (const index of owner) if (samePrefix(tasks[index]!.path, path, deepestTask)) addTo(byTask, index, ref);
    }
    if (path[0] === "triggers" && deepestTask < 3 && nodes.length > 2) {
      for (let index = 0; index < triggers.length; index++) {
        const trigger = triggers[index]!;
        if (trigger.trigger === nodes[2] && samePrefix(trigger.path, path, 2)) addTo(byTrigger, index, ref);
      }
    }
    if ((path[0] === "pluginDefaults" || path[0] === "taskDefaults") && path[2] === "values" && nodes.length > 3 && deepestTask < 4 && Array.isArray(nodes[1]) && isMap(nodes[2])) {
      const key = `${path[0]}\u0000${String(path[1])}`;
      let list = (byDefault ??= new Map()).get(key);
      if (!list) byDefault.set(key, (list = []));
      list.push(ref);
    }
  }
  const out: ImageRef[] = [];
  for (const list of byTask) if (list) for (const ref of list) out.push(ref);
  for (const list of byTrigger) if (list) for (const ref of list) out.push(ref);
  if (byDefault && isMap(document)) {
    for (const key of ["pluginDefaults", "taskDefaults"]) {
      const list = document[key];
      if (Array.isArray(list)) for (let index = 0; index < list.length; index++) for (const ref of byDefault.get(`${key}\u0000${index}`) ?? []) out.push(ref);
    }
  }
  return out;
}

function samePrefix(prefix: ValuePath, path: ValuePath, length: number): boolean {
  if (prefix.length !== length) return false;
  for (let i = 0; i < length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

function walkImages(document: unknown): ImageRef[] {
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
}
