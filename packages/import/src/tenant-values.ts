import { camelName, deepEqual } from "./values.js";

/** Keys whose name alone says little: a var is then named with its parent too (`awsRegionValue`). */
const GENERIC_KEYS = new Set(["value", "values", "default", "defaults", "name", "key", "type", "data", "body", "id"]);

/**
 * The `vars` every tenant file will carry, built while templates are factored. A name is reused
 * when it already holds the same value for every tenant that has both: one `warehouse` var for all
 * the flows that name the tenant's warehouse, not one per flow.
 */
export class TenantVars {
  private readonly vars = new Map<string, Map<string, unknown>>();
  private readonly byValues = new Map<string, string>();

  /** A var for values found at `path` (key-path labels), named from the path. */
  varFor(path: readonly string[], values: ReadonlyMap<string, unknown>): string {
    const same = this.sameValues(values);
    if (same !== undefined) return same;
    const labels = path.length > 0 ? path : ["value"];
    const last = labels[labels.length - 1]!;
    const start = (GENERIC_KEYS.has(last) || /^\d+$/.test(last)) && labels.length > 1 ? 2 : 1;
    for (let take = start; take <= labels.length; take++) {
      const name = camelName(labels.slice(-take));
      if (this.tryBind(name, values)) return name;
    }
    const base = camelName(labels.slice(-start));
    for (let n = 2; ; n++) if (this.tryBind(`${base}${n}`, values)) return `${base}${n}`;
  }

  /** A boolean var true for the `present` tenants and false for the others of `all`. */
  flagFor(label: string, present: ReadonlySet<string>, all: Iterable<string>): string {
    const values = new Map<string, unknown>();
    for (const tenant of all) values.set(tenant, present.has(tenant));
    // One flag per set of tenants: the same tasks of many flows are kept for the same customers.
    const same = this.sameValues(values);
    if (same !== undefined) return same;
    const base = camelName(["with", label]);
    if (this.tryBind(base, values)) return base;
    for (let n = 2; ; n++) if (this.tryBind(`${base}${n}`, values)) return `${base}${n}`;
  }

  /** An existing var holding exactly these values for exactly these tenants (any name). */
  private sameValues(values: ReadonlyMap<string, unknown>): string | undefined {
    return this.byValues.get(fingerprint(values));
  }

  private tryBind(name: string, values: ReadonlyMap<string, unknown>): boolean {
    const existing = this.vars.get(name);
    if (!existing) {
      this.vars.set(name, new Map(values));
      this.byValues.set(fingerprint(values), name);
      return true;
    }
    for (const [tenant, value] of values) {
      if (existing.has(tenant) && !deepEqual(existing.get(tenant), value)) return false;
    }
    for (const [tenant, value] of values) existing.set(tenant, value);
    return true;
  }

  /** Every var of one tenant, by name in a stable order. */
  of(tenant: string): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const name of [...this.vars.keys()].sort()) {
      const values = this.vars.get(name)!;
      if (values.has(tenant)) result[name] = values.get(tenant);
    }
    return result;
  }
}

function fingerprint(values: ReadonlyMap<string, unknown>): string {
  return JSON.stringify([...values].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}
