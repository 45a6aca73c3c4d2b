export type {
  ChangeFlag,
  ChangeKind,
  Classification,
  DiffableFlow,
  FlowChange,
  FlowClassification,
  ImpactedFlow,
  ImpactProblem,
  ImpactReport,
  ImpactSummary,
  RenderOutput,
} from "./types.js";
export { classifyFlowChange } from "./classify.js";
export { documentsEquivalent } from "./equivalence.js";
export { diffRenders, downstreamOf, flowKey } from "./diff.js";
export type { CauseSources, DiffRendersOptions } from "./diff.js";
export { buildInputIndex, flowInputs, planIncrementalRender } from "./inputs.js";
export type { RenderPlan, RenderRequest, RepositoryInputs } from "./inputs.js";
export { computeImpact, renderRequests } from "./impact.js";
export type { ComputeImpactOptions, RenderFunction } from "./impact.js";
export { resolveImpactRefs } from "./git.js";
export type { ImpactRefs } from "./git.js";
export { ImpactError } from "./errors.js";
export { formatImpactMarkdown, GITHUB_COMMENT_LIMIT } from "./format/markdown.js";
export type { MarkdownOptions } from "./format/markdown.js";
export { formatImpactText } from "./format/text.js";
export type { TextOptions } from "./format/text.js";
export { formatImpactJson, impactToJson } from "./format/json.js";
export { graph, impactGraph, formatGraphDot, formatGraphJson, formatGraphMermaid } from "./graph.js";
export type { FlowGraph, FlowGraphEdge, FlowGraphNode } from "./graph.js";
export { impact, impactOfRefs } from "./repository-impact.js";
export type { ImpactOptions } from "./repository-impact.js";
