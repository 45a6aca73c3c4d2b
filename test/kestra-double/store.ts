import { labelPairs } from "./validate.js";

/** One stored revision of a flow; deletes are revisions too (soft delete, KESTRA-API.md §2.6). */
export interface StoredRevision {
  revision: number;
  source: string;
  doc: Record<string, unknown>;
  deleted: boolean;
  disabled: boolean;
}

/** Flows of every tenant, with their full revision history. */
export class FlowStore {
  private readonly tenants = new Map<string, Map<string, StoredRevision[]>>();

  private history(tenant: string, namespace: string, id: string, create = false): StoredRevision[] | undefined {
    let flows = this.tenants.get(tenant);
    if (!flows) {
      if (!create) return undefined;
      flows = new Map();
      this.tenants.set(tenant, flows);
    }
    const key = `${namespace}/${id}`;
    let revisions = flows.get(key);
    if (!revisions && create) {
      revisions = [];
      flows.set(key, revisions);
    }
    return revisions;
  }

  /** The latest revision if it is not a deleted marker. */
  live(tenant: string, namespace: string, id: string): StoredRevision | undefined {
    const last = this.history(tenant, namespace, id)?.at(-1);
    return last && !last.deleted ? last : undefined;
  }

  latest(tenant: string, namespace: string, id: string): StoredRevision | undefined {
    return this.history(tenant, namespace, id)?.at(-1);
  }

  revision(tenant: string, namespace: string, id: string, revision: number): StoredRevision | undefined {
    return this.history(tenant, namespace, id)?.find((r) => r.revision === revision);
  }

  revisions(tenant: string, namespace: string, id: string): StoredRevision[] {
    return [...(this.history(tenant, namespace, id) ?? [])];
  }

  /** Appends a revision numbered max(existing, deleted ones included) + 1. */
  save(tenant: string, namespace: string, id: string, source: string, doc: Record<string, unknown>, deleted = false): StoredRevision {
    const revisions = this.history(tenant, namespace, id, true)!;
    const revision: StoredRevision = {
      revision: (revisions.at(-1)?.revision ?? 0) + 1,
      source,
      doc,
      deleted,
      disabled: doc.disabled === true,
    };
    revisions.push(revision);
    return revision;
  }

  /** Every live flow of a tenant. */
  liveFlows(tenant: string): { namespace: string; id: string; flow: StoredRevision }[] {
    const out: { namespace: string; id: string; flow: StoredRevision }[] = [];
    for (const [key, revisions] of this.tenants.get(tenant) ?? []) {
      const last = revisions.at(-1);
      if (!last || last.deleted) continue;
      const slash = key.indexOf("/");
      out.push({ namespace: key.slice(0, slash), id: key.slice(slash + 1), flow: last });
    }
    return out;
  }
}

/** Kestra's source comparison: one leading `revision: N` line removed (KESTRA-API.md §2.6). */
export function sameSourceAsKestra(a: string, b: string): boolean {
  const clean = (s: string) => s.replace(/^revision: \d+\n?/m, "");
  return clean(a) === clean(b);
}

/** The `Flow` JSON of a revision: parsed fields, labels as a list, no nulls (§2.7). */
export function flowJson(revision: StoredRevision, tenantId: string | undefined, withSource: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(revision.doc)) {
    if (key === "revision" || key === "labels" || value === null || value === undefined) continue;
    json[key] = value;
  }
  json.revision = revision.revision;
  json.disabled = revision.disabled;
  json.deleted = revision.deleted;
  const labels = labelPairs(revision.doc.labels);
  if (labels.length > 0) json.labels = labels.map(([key, value]) => ({ key, value }));
  if (tenantId !== undefined) json.tenantId = tenantId;
  if (withSource) json.source = revision.source;
  return json;
}
