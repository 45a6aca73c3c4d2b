import { flowLocator, flowReferences, type RenderedFlow } from "@flowops/render";
import type { FlowReference } from "@flowops/flow-model";
import type { FlowSummary } from "./types.js";

/** The compact form of a rendered flow the cross-flow rules read; it holds neither document nor source. */
export function flowSummary(flow: RenderedFlow, references: readonly FlowReference[] = flowReferences(flow.document, flow.namespace), namespace = flow.namespace): FlowSummary {
  const { env, tenant, id, template, templateKey } = flow;
  return { env, tenant, namespace, id, template, templateKey, references, locate: flowLocator(flow) };
}
