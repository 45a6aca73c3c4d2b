import { Document, isMap, isScalar, isSeq, visit, type YAMLMap } from "yaml";
import { DEFAULT_NAMESPACE_PATTERN } from "@flowops/render";

/** What an importer knows of one tenant; written as `tenants/<code>.yaml`. */
export interface TenantDraft {
  code: string;
  name?: string;
  environments: string[];
  sources?: Record<string, boolean>;
  schedule?: string;
  timezone?: string;
  vars: Record<string, unknown>;
  /** Template keys switched off for this tenant. */
  switchedOff: string[];
  /** Template keys deployed with Kestra's `disabled: true` for this tenant. */
  disabled?: string[];
}

export const STRINGIFY = { lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false } as const;

/** A tenant file in the example platform's style: short lists and switches on one line. */
export function tenantFileText(draft: TenantDraft, comment: string): string {
  const value: Record<string, unknown> = { code: draft.code };
  if (draft.name !== undefined) value.name = draft.name;
  value.environments = draft.environments;
  if (draft.sources && Object.keys(draft.sources).length > 0) value.sources = draft.sources;
  if (draft.schedule !== undefined) value.schedule = draft.schedule;
  if (draft.timezone !== undefined) value.timezone = draft.timezone;
  if (Object.keys(draft.vars).length > 0) value.vars = draft.vars;
  const switches: [string, Record<string, boolean>][] = [
    ...draft.switchedOff.map((key): [string, Record<string, boolean>] => [key, { enabled: false }]),
    ...(draft.disabled ?? []).map((key): [string, Record<string, boolean>] => [key, { disabled: true }]),
  ];
  if (switches.length > 0) value.flows = Object.fromEntries(switches.sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  const document = new Document(value);
  const root = document.contents as YAMLMap;
  root.commentBefore = ` ${comment}`;
  const schedule = root.get("schedule", true);
  if (isScalar(schedule)) schedule.type = "QUOTE_DOUBLE";
  // Short lists of plain values on one line, as people write them: `regions: [eu-west-3, eu-west-1]`.
  visit(root, {
    Seq(_, seq) {
      if (seq.items.every((item) => isScalar(item)) && seq.items.length <= 8) seq.flow = true;
    },
  });
  for (const key of ["environments", "sources"]) {
    const node = root.get(key, true);
    if (isSeq(node) || isMap(node)) node.flow = true;
  }
  const flows = root.get("flows", true);
  if (isMap(flows)) for (const pair of flows.items) if (isMap(pair.value)) pair.value.flow = true;
  return document.toString(STRINGIFY);
}

/** `flowops.config.yaml` of an imported repository: one environment, the namespace pattern if not the default. */
export function configFileText(input: { env: string; kestraUrl?: string; namespacePattern?: string; comment: string }): string {
  const value: Record<string, unknown> = { flows: "flows", tenants: "tenants" };
  if (input.namespacePattern && input.namespacePattern !== DEFAULT_NAMESPACE_PATTERN) value.namespace = input.namespacePattern;
  value.environments = { [input.env]: input.kestraUrl ? { kestra: { url: input.kestraUrl } } : null };
  const document = new Document(value);
  document.commentBefore = ` ${input.comment}`;
  return document.toString(STRINGIFY);
}
