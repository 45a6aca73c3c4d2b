import type { Rule } from "../../types.js";

/**
 * A Flow trigger or Subflow that points at a flow not rendered for that tenant: e.g. a template
 * enabled for every tenant listening to one only some tenants get. Targets in namespaces this
 * repository does not render into are someone else's and are not judged.
 */
export const missingUpstream: Rule = {
  meta: {
    id: "missing-upstream",
    description: "A Flow trigger or Subflow that points at a flow not rendered for that tenant",
    defaultSeverity: "error",
    docs: "packages/lint/src/rules/missing-upstream/README.md",
    messages: {
      subflowMissing: "Subflow target '{{target}}' is not rendered {{scope}}; the call would fail at run time",
      upstreamMissing: "Flow trigger waits for '{{target}}', which is not rendered {{scope}}; the trigger would never fire",
    },
  },
  checkTenantFlows({ envs, tenant, flows, namespacesByEnv, facts, report }) {
    // The rendered flow ids by namespace: looked up by parts, no key built per flow or reference.
    const rendered = new Map<string, Set<string>>();
    for (const flow of flows) {
      const ids = rendered.get(flow.namespace);
      if (ids) ids.add(flow.id);
      else rendered.set(flow.namespace, new Set([flow.id]));
    }
    const scope = tenant ? "for this tenant" : "by this repository";
    for (const flow of flows) {
      for (const reference of flow.references) {
        if (reference.flowId === undefined || reference.namespaceMatch !== "equals" || reference.dynamic) continue;
        if (rendered.get(reference.namespace)?.has(reference.flowId)) continue;
        // The tenant's own namespaces are judged everywhere; another's where some flow is rendered into it.
        let managedIn: readonly string[] = envs;
        if (tenant === null || facts.namespaceOwner(reference.namespace) !== tenant) {
          managedIn = envs.filter((env) => namespacesByEnv.get(env)?.has(reference.namespace));
          if (managedIn.length === 0) continue;
        }
        report({
          flow,
          messageId: reference.kind === "subflow" ? "subflowMissing" : "upstreamMissing",
          path: [...reference.path, "flowId"],
          data: { target: `${reference.namespace}.${reference.flowId}`, scope },
          ...(managedIn.length < envs.length ? { envs: managedIn } : {}),
        });
      }
    }
  },
};
