/** Fills `{{name}}` slots of a message template. */
export function formatMessage(template: string, data: Record<string, string | number> | undefined): string {
  if (!data) return template;
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}

/** Shortens a user value for a message: what was found, never the whole of a long value. */
export function quoteValue(value: unknown, max = 60): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Replaces the tenant's code in a finding's values (`customer_1.silver` -> `${tenant.code}.silver`),
 * so one template problem reads the same for every tenant and merges into one diagnostic.
 */
export function genericTenantData(
  data: Record<string, string | number> | undefined,
  tenant: string | null,
): Record<string, string | number> | undefined {
  if (!tenant || !data) return data;
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(data)) out[key] = typeof value === "string" ? genericTenantText(value, tenant) : value;
  return out;
}

/** Replaces a tenant's code, as a whole word, by `${tenant.code}`. */
export function genericTenantText(text: string, tenant: string | null): string {
  if (!tenant) return text;
  const code = new RegExp(`(?<![A-Za-z0-9_])${tenant.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9_])`, "g");
  return text.replace(code, "${tenant.code}");
}
