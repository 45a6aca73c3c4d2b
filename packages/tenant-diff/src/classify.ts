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
  if (taskTypesChanged(before, after)) flags.add("task-type");
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

function taskTypesChanged(before: FlowDocument, after: FlowDocument): boolean {
  const beforeTasks = tasksById(withoutKeys(before, ["triggers"]));
  const afterTasks = tasksById(withoutKeys(after, ["triggers"]));
  for (const [id, type] of beforeTasks) {
    const afterType = afterTasks.get(id);
    if (afterType !== undefined && afterType !== type) return true;
  }
  return !sameStrings([...new Set(beforeTasks.values())], [...new Set(afterTasks.values())]);
}

/** Every object with a string `id` and `type` (tasks at any depth, errors and finally included). */
function tasksById(value: unknown, found = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    for (const item of value) tasksById(item, found);
  } else if (isRecord(value)) {
    const { id, type } = value;
    if (typeof id === "string" && typeof type === "string" && !found.has(id)) found.set(id, type);
    for (const child of Object.values(value)) tasksById(child, found);
  }
  return found;
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
