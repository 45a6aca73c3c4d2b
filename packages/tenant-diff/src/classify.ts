import { collectImages, collectSchedules, collectTasks, collectTriggers } from "@flowops/flow-model";
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
  if (!documentsEquivalent(scheduleSettings(before), scheduleSettings(after))) flags.add("schedule");
  if (after["disabled"] === true && before["disabled"] !== true) flags.add("disabled");
  if (taskTypesChanged(before, after)) flags.add("task-type");
  if (!sameStrings(collectImageNames(before), collectImageNames(after))) flags.add("image");
  if (documentsEquivalent(withoutKeys(before, ["labels"]), withoutKeys(after, ["labels"]))) flags.add("labels-only");
  return { flags: [...flags].sort(), removedTriggers };
}

function triggersById(document: FlowDocument): Map<string, Record<string, unknown>> {
  const triggers = new Map<string, Record<string, unknown>>();
  collectTriggers(document).forEach(({ trigger }, index) => {
    triggers.set(typeof trigger["id"] === "string" ? trigger["id"] : `#${index}`, trigger);
  });
  return triggers;
}

/** Cron, timezone (and dates) of each Schedule trigger, by trigger id, plugin defaults applied. */
function scheduleSettings(document: FlowDocument): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const schedule of collectSchedules(document)) settings[schedule.triggerId] = { cron: schedule.cron, timezone: schedule.timezone, dates: schedule.dates };
  return settings;
}

function taskTypesChanged(before: FlowDocument, after: FlowDocument): boolean {
  const beforeTasks = tasksById(before);
  const afterTasks = tasksById(after);
  for (const [id, type] of beforeTasks) {
    const afterType = afterTasks.get(id);
    if (afterType !== undefined && afterType !== type) return true;
  }
  return !sameStrings([...new Set(beforeTasks.values())], [...new Set(afterTasks.values())]);
}

/** The type of each task at any depth (errors, finally and flowable children included), by id. */
function tasksById(document: FlowDocument): Map<string, string> {
  const found = new Map<string, string>();
  for (const { task } of collectTasks(document)) {
    const { id, type } = task;
    if (typeof id === "string" && typeof type === "string" && !found.has(id)) found.set(id, type);
  }
  return found;
}

function collectImageNames(document: FlowDocument): string[] {
  return collectImages(document).map((image) => image.image);
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedB = [...b].sort();
  return [...a].sort().every((value, index) => value === sortedB[index]);
}
