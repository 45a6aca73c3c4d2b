import type { ImpactReport } from "../types.js";

/** The `flowops impact --format json` document (DESIGN.md's contract), as a plain object. */
export function impactToJson(report: ImpactReport): {
  base: string;
  head: string;
  summary: ImpactReport["summary"];
  changes: { env: string; tenant: string | null; namespace: string; id: string; kind: string; template: string; causes: string[]; flags: string[] }[];
  impacted: { env: string; tenant: string | null; namespace: string; id: string; because: string[] }[];
  problems: ImpactReport["problems"];
} {
  return {
    base: report.base,
    head: report.head,
    summary: report.summary,
    changes: report.changes.map((change) => ({
      env: change.env,
      tenant: change.tenant,
      namespace: change.namespace,
      id: change.id,
      kind: change.kind,
      template: change.template,
      causes: change.causes,
      flags: change.flags,
    })),
    impacted: report.impacted.map(({ env, tenant, namespace, id, because }) => ({ env, tenant, namespace, id, because })),
    problems: report.problems,
  };
}

/** `impactToJson` as text: one JSON document, newline-terminated. */
export function formatImpactJson(report: ImpactReport): string {
  return `${JSON.stringify(impactToJson(report), null, 2)}\n`;
}
