import { isWithinRoot } from "../../tenant-roots.js";
import type { Rule } from "../../types.js";

/** Kestra's namespace rule (KESTRA-API.md §5.1): lower case, `^[a-z0-9][a-z0-9._-]*`, 1..150 characters. */
const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;

/** A namespace outside the tenant's own root (its code, by the configured pattern), or one Kestra would reject. */
export const namespacePattern: Rule = {
  meta: {
    id: "namespace-pattern",
    description: "A namespace outside the tenant's own root, or one Kestra would reject",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/namespace-pattern/README.md",
    messages: {
      invalid: "Namespace '{{namespace}}' is not valid for Kestra: it must match ^[a-z0-9][a-z0-9._-]* (lower case letters, digits, '.', '_', '-')",
      tooLong: "Namespace '{{namespace}}' has {{length}} characters; Kestra allows at most 150",
      outsideRoot: "Namespace '{{namespace}}' is outside the tenant's own root '{{root}}'; a tenant's flows must live in '{{root}}' or below it",
    },
  },
  checkFlow({ flow, facts, report }) {
    const namespace = (flow.document as Record<string, unknown>).namespace;
    if (typeof namespace !== "string") return; // missing: flow-schema's finding
    const path = ["namespace"];
    if (!NAMESPACE.test(namespace)) report({ messageId: "invalid", path, data: { namespace } });
    else if (namespace.length > 150) report({ messageId: "tooLong", path, data: { namespace, length: namespace.length } });
    const root = flow.tenant ? facts.tenantRoots.get(flow.tenant) : undefined;
    if (root !== undefined && !isWithinRoot(namespace, root)) report({ messageId: "outsideRoot", path, data: { namespace, root } });
  },
};
