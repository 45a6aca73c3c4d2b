import { isMap, isScalar, isSeq, type Document } from "yaml";
import { isPlainObject } from "./values.js";
import { deleteKeepingComments } from "./yaml-edit.js";

/** Labels flowops adds to what it deploys; they belong to the deploy, not to the template. */
const OWNERSHIP_KEYS = new Set(["managed-by", "system.readOnly", "flowops.tenant"]);

function managedByFlowops(labels: unknown): boolean {
  if (Array.isArray(labels)) return labels.some((l) => isPlainObject(l) && l.key === "managed-by" && l.value === "flowops");
  return isPlainObject(labels) && labels["managed-by"] === "flowops";
}

/** The flow without the ownership labels (and without `labels` when nothing else was there). */
export function withoutOwnershipLabels(flow: Record<string, unknown>): Record<string, unknown> {
  const labels = flow.labels;
  if (!managedByFlowops(labels)) return flow;
  const copy = { ...flow };
  const kept = Array.isArray(labels)
    ? labels.filter((l) => !(isPlainObject(l) && typeof l.key === "string" && OWNERSHIP_KEYS.has(l.key)))
    : Object.fromEntries(Object.entries(labels as Record<string, unknown>).filter(([key]) => !OWNERSHIP_KEYS.has(key)));
  if ((Array.isArray(kept) ? kept.length : Object.keys(kept).length) === 0) delete copy.labels;
  else copy.labels = kept;
  return copy;
}

/** The same edit on a parsed document, so the template keeps the copy's comments and layout. */
export function removeOwnershipLabels(document: Document): void {
  const flow = document.toJS() as unknown;
  if (!isPlainObject(flow) || !managedByFlowops(flow.labels)) return;
  const labels = document.get("labels", true);
  if (isMap(labels)) {
    labels.items = labels.items.filter((pair) => !(isScalar(pair.key) && OWNERSHIP_KEYS.has(String(pair.key.value))));
    if (labels.items.length === 0) deleteKeepingComments(document, "labels");
  } else if (isSeq(labels)) {
    labels.items = labels.items.filter((item) => !(isMap(item) && OWNERSHIP_KEYS.has(String(item.get("key")))));
    if (labels.items.length === 0) deleteKeepingComments(document, "labels");
  }
}
