import { KESTRA_TYPE_ALIASES } from "@flowops/lint";
import { documentsEquivalent, withoutKeys } from "./equivalence.js";
import type { ChangeFlag, DiffableFlow, FlowClassification } from "./types.js";

type FlowDocument = Readonly<Record<string, unknown>>;
type FlowSide = Pick<DiffableFlow, "document" | "source">;

/**
 * Classifies the change of one flow between base (`before`) and head (`after`): added, removed,
 * modified (its meaning changed), cosmetic (source text differs but the parsed documents are
 * equivalent: comments, layout, quoting, key order) or unchanged, with reviewer flags.
 */
export function classifyFlowChange(before?: FlowSide, after?: FlowSide): FlowClassification {
  if (!before && !after) return { kind: "unchanged", flags: [], removedTriggers: [] };
  if (!before) return { kind: "added", flags: [], removedTriggers: [] };
  if (!after) return { kind: "removed", flags: ["deleted"], removedTriggers: [] };
  if (before.source === after.source) return { kind: "unchanged", flags: [], removedTriggers: [] };
  if (documentsEquivalent(before.document, after.document)) return { kind: "cosmetic", flags: [], removedTriggers: [] };
  return { kind: "modified", ...semanticFlags(before.document, after.document) };
}

function semanticFlags(before: FlowDocument, after: FlowDocument): { flags: ChangeFlag[]; removedTriggers: string[] } {
  const flags = new Set<ChangeFlag>();
  const beforeTriggers = triggersById(before);
  const afterTriggers = triggersById(after);
  const removedTriggers = [...beforeTriggers.keys()].filter((id) => !afterTriggers.has(id));
  if (!documentsEquivalent(Object.fromEntries(beforeTriggers), Object.fromEntries(afterTriggers))) flags.add("trigger");
  if (removedTriggers.length > 0) flags.add("trigger-removed");
  if (!documentsEquivalent(scheduleSettings(beforeTriggers), scheduleSettings(afterTriggers))) flags.add("schedule");
  if (after["disabled"] === true && before["disabled"] !== true) flags.add("disabled");
  const types = typeChanges(before, after);
  if (types.changed) flags.add("task-type");
  if (types.renamed) flags.add("task-type-renamed");
  if (!sameStrings(collectImages(before), collectImages(after))) flags.add("image");
  if (documentsEquivalent(withoutKeys(before, ["labels"]), withoutKeys(after, ["labels"]))) flags.add("labels-only");
  return { flags: [...flags].sort(), removedTriggers };
}

function triggersById(document: FlowDocument): Map<string, Record<string, unknown>> {
  const triggers = new Map<string, Record<string, unknown>>();
  const list = document["triggers"];
  if (!Array.isArray(list)) return triggers;
  list.forEach((trigger: unknown, index) => {
    if (!isRecord(trigger)) return;
    const id = typeof trigger["id"] === "string" ? trigger["id"] : `#${index}`;
    triggers.set(id, trigger);
  });
  return triggers;
}

const SCHEDULE_TYPE = /(^|\.)Schedule(OnDates)?$/;

/** Cron, timezone (and dates) of each Schedule trigger, by trigger id. */
function scheduleSettings(triggers: Map<string, Record<string, unknown>>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [id, trigger] of triggers) {
    if (typeof trigger["type"] !== "string" || !SCHEDULE_TYPE.test(trigger["type"])) continue;
    settings[id] = { cron: trigger["cron"], timezone: trigger["timezone"], dates: trigger["dates"] };
  }
  return settings;
}

/**
 * Whether a task's or trigger's `type` changed (matched by id; or a task of a type the flow did not
 * use came or went), and whether some type only moved from a legacy name to its current one
 * (`io.kestra.core.tasks.log.Log` -> `io.kestra.plugin.core.log.Log`, Kestra's alias table): the
 * same plugin, so a rename, not a type change. Other objects with `id` and `type` (inputs,
 * outputs, task runners) are not tasks.
 */
function typeChanges(before: FlowDocument, after: FlowDocument): { changed: boolean; renamed: boolean } {
  const beforeTypes = typedItems(before);
  const afterTypes = typedItems(after);
  let changed = false;
  let renamed = false;
  for (const [key, type] of beforeTypes.byId) {
    const afterType = afterTypes.byId.get(key);
    if (afterType === undefined || afterType === type) continue;
    if (canonicalType(afterType) === canonicalType(type)) renamed = true;
    else changed = true;
  }
  const canonical = (types: readonly string[]) => [...new Set(types.map(canonicalType))];
  if (!sameStrings(canonical(beforeTypes.all), canonical(afterTypes.all))) changed = true;
  else if (!sameStrings([...new Set(beforeTypes.all)], [...new Set(afterTypes.all)])) renamed = true;
  return { changed, renamed };
}

function canonicalType(type: string): string {
  return KESTRA_TYPE_ALIASES.get(type) ?? type;
}

/** Where Kestra nests tasks: in a flow, and inside flowable tasks. */
const TASK_LISTS = ["tasks", "errors", "finally", "afterExecution", "then", "else"] as const;

/**
 * The type of every task (at any depth) and trigger by `task:<id>` / `trigger:<id>`, and the types
 * of all tasks (triggers that come or go have their own flags).
 */
function typedItems(document: FlowDocument): { byId: Map<string, string>; all: string[] } {
  const byId = new Map<string, string>();
  const all: string[] = [];
  const visitTask = (task: unknown): void => {
    if (!isRecord(task)) return;
    const { id, type } = task;
    if (typeof type === "string") {
      all.push(type);
      if (typeof id === "string" && !byId.has(`task:${id}`)) byId.set(`task:${id}`, type);
    }
    visitTaskLists(task);
  };
  const visitTaskLists = (owner: Record<string, unknown>): void => {
    for (const key of TASK_LISTS) {
      const list = owner[key];
      if (Array.isArray(list)) list.forEach(visitTask);
    }
    // Switch: `cases: { name: [tasks] }`; ForEachItem and friends: a single `task`.
    if (isRecord(owner["cases"])) for (const list of Object.values(owner["cases"])) if (Array.isArray(list)) list.forEach(visitTask);
    if (isRecord(owner["task"])) visitTask(owner["task"]);
  };
  visitTaskLists(document);
  const triggers = document["triggers"];
  if (Array.isArray(triggers)) {
    for (const trigger of triggers) {
      if (!isRecord(trigger) || typeof trigger["type"] !== "string") continue;
      if (typeof trigger["id"] === "string") byId.set(`trigger:${trigger["id"]}`, trigger["type"]);
    }
  }
  return { byId, all };
}

const IMAGE_KEYS = new Set(["image", "containerImage"]);

function collectImages(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) collectImages(item, found);
  } else if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (IMAGE_KEYS.has(key) && typeof child === "string") found.push(child);
      else collectImages(child, found);
    }
  }
  return found;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedB = [...b].sort();
  return [...a].sort().every((value, index) => value === sortedB[index]);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
