import type { FlowSummary, Rule } from "../../types.js";

/** Two templates that render the same namespace and id for one tenant: one would overwrite the other in Kestra. */
export const duplicateFlow: Rule = {
  meta: {
    id: "duplicate-flow",
    description: "Two templates that render the same namespace and id for a tenant",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/duplicate-flow/README.md",
    messages: {
      duplicate: "Flow '{{namespace}}.{{id}}' is also rendered from {{other}}; Kestra keeps one flow per namespace and id, so one would overwrite the other",
    },
  },
  checkTenantFlows({ flows, report }) {
    // The first flow of each namespace and id, looked up by parts: no key built per flow.
    const first = new Map<string, Map<string, FlowSummary>>();
    for (const flow of flows) {
      let byId = first.get(flow.namespace);
      if (!byId) first.set(flow.namespace, (byId = new Map()));
      const earlier = byId.get(flow.id);
      if (!earlier) byId.set(flow.id, flow);
      else if (earlier.template !== flow.template) {
        report({ flow, messageId: "duplicate", path: ["id"], data: { namespace: flow.namespace, id: flow.id, other: earlier.template } });
      }
    }
  },
};
