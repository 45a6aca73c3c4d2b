import { collectImages, collectSchedules, collectTasks, collectTriggers, KESTRA_TYPE_ALIASES } from "@flowops/flow-model";
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
  const types = typeChanges(before, after);
  if (types.changed) flags.add("task-type");
  if (types.renamed) flags.add("task-type-renamed");
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

/**
 * The type of every task (at any depth, as flow-model finds them) and trigger by `task:<id>` /
 * `trigger:<id>`, and the types of all tasks (triggers that come or go have their own flags).
 */
function typedItems(document: FlowDocument): { byId: Map<string, string>; all: string[] } {
  const byId = new Map<string, string>();
  const all: string[] = [];
  for (const { task } of collectTasks(document)) {
    const { id, type } = task;
    if (typeof type !== "string") continue;
    all.push(type);
    if ((typeof id === "string" || typeof id === "number") && !byId.has(`task:${id}`)) byId.set(`task:${id}`, type);
  }
  for (const { trigger } of collectTriggers(document)) {
    const { id, type } = trigger;
    if (typeof type === "string" && typeof id === "string") byId.set(`trigger:${id}`, type);
  }
  return { byId, all };
}

function collectImageNames(document: FlowDocument): string[] {
  return collectImages(document).map((image) => image.image);
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedB = [...b].sort();
  return [...a].sort().every((value, index) => value === sortedB[index]);
}
