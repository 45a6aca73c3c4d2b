import { isWithinRoot } from "../../tenant-roots.js";
import type { Rule } from "../../types.js";

/**
 * A namespace outside the tenant's own root (its code, by the configured pattern), or one Kestra
 * would reject. `render` reports namespaces outside Kestra's pattern (and leaves those flows out);
 * this rule checks each tenant stays in its own root.
 */
export const namespacePattern: Rule = {
  meta: {
    id: "namespace-pattern",
    description: "A namespace outside the tenant's own root, or one Kestra would reject",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/namespace-pattern/README.md",
    messages: {
      outsideRoot: "Namespace '{{namespace}}' is outside the tenant's own root '{{root}}'; a tenant's flows must live in '{{root}}' or below it",
    },
  },
  checkFlow({ flow, facts, report }) {
    const namespace = (flow.document as Record<string, unknown>).namespace;
    if (typeof namespace !== "string") return; // missing: flow-schema's finding
    const path = ["namespace"];
    const root = flow.tenant ? facts.tenantRoots.get(flow.tenant) : undefined;
    if (root !== undefined && !isWithinRoot(namespace, root)) report({ messageId: "outsideRoot", path, data: { namespace, root } });
  },
};
