import { collectTypedNodes } from "./tasks.js";
import { isMap, memoized, stringProperty, type YamlMap } from "./values.js";

export interface PluginDefault {
  type: string;
  forced: boolean;
  values: YamlMap;
}

/** The flow's `pluginDefaults` (and the deprecated `taskDefaults`, KESTRA-API.md §5.1), in order. */
export function pluginDefaultsOf(document: unknown): PluginDefault[] {
  if (!isMap(document)) return [];
  const out: PluginDefault[] = [];
  for (const key of ["pluginDefaults", "taskDefaults"]) {
    const list = document[key];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!isMap(entry)) continue;
      const type = stringProperty(entry, "type");
      if (type === undefined || !isMap(entry.values)) continue;
      out.push({ type, forced: entry.forced === true, values: entry.values });
    }
  }
  return out;
}

/** Kestra applies a default to a plugin of the same type, or of a type under it (`io.kestra.plugin.jdbc`). */
function appliesTo(defaultType: string, type: string): boolean {
  return type === defaultType || type.startsWith(defaultType.endsWith(".") ? defaultType : `${defaultType}.`);
}

/** `over` merged onto `under`: maps merge key by key, anything else is replaced. */
function merge(under: unknown, over: unknown): unknown {
  if (!isMap(under) || !isMap(over)) return over === undefined ? under : over;
  const out: Record<string, unknown> = { ...under };
  for (const [key, value] of Object.entries(over)) out[key] = merge(under[key], value);
  return out;
}

function cloneValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneValue);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, cloneValue(child)]));
  return value;
}

/**
 * The flow as Kestra runs it with its plugin defaults applied: every task, trigger, condition and
 * task runner whose type a default names gets the default's values under its own (over them when
 * `forced`). Returns the document itself when it has no defaults.
 */
export const applyPluginDefaults: (document: unknown) => unknown = memoized((document) => {
  const defaults = pluginDefaultsOf(document);
  if (defaults.length === 0) return document;
  const copy = cloneValue(document);
  for (const { node, type } of collectTypedNodes(copy)) {
    const target = node as Record<string, unknown>;
    let merged: Record<string, unknown> = { ...target };
    for (const pluginDefault of defaults) {
      if (!appliesTo(pluginDefault.type, type)) continue;
      merged = (pluginDefault.forced ? merge(merged, pluginDefault.values) : merge(pluginDefault.values, merged)) as Record<string, unknown>;
    }
    // Child task lists stay the same objects, so nested tasks are reached by the same walk.
    for (const [key, value] of Object.entries(merged)) target[key] = value;
  }
  return copy;
}, { derivesDocument: true });
