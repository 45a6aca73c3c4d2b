import { redactError } from "@flowops/redact";
import { KestraApiError } from "@flowops/kestra";
import type { KestraClient } from "@flowops/kestra";
import { runInDependencyOrder } from "./dependencies.js";
import type { GraphNode, NodeOutcome } from "./dependencies.js";
import { isManaged } from "./plan.js";
import { outsideOwnTree, scopeLookup } from "./scope.js";
import { sourceDiff } from "./source-diff.js";
import type { ActionReport, DeployPlan, DeployProgress, DeployReport, DeploySummary, PlannedFlow } from "./types.js";

export interface ApplyOptions {
  client: KestraClient;
  /** Writes in flight at once. Default 8. */
  concurrency?: number;
  /** Delete managed flows Git no longer renders; default: the plan's policy. */
  prune?: boolean;
  /** Go past the mass-delete guard. Never past render problems or an empty desired set. */
  force?: boolean;
  /** Default: the plan's policy (0.25). */
  maxDeleteShare?: number;
  onProgress?: (progress: DeployProgress) => void;
}

export type DeployRefusal = "problems" | "empty" | "mass-delete";

/** Thrown by {@link apply} before any write when the plan must not be applied. */
export class DeployRefusedError extends Error {
  override readonly name = "DeployRefusedError";
  constructor(
    readonly reason: DeployRefusal,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks a plan against the guards without writing: a flow outside its tenant's namespaces,
 * render problems or an empty desired set always refuse; deleting more than `maxDeleteShare` of the managed flows refuses unless forced.
 */
export function checkGuards(plan: DeployPlan, options: { prune?: boolean; force?: boolean; maxDeleteShare?: number } = {}): DeployRefusedError | undefined {
  const scopeOf = scopeLookup(plan.scopes);
  const outside = plan.flows.filter((f) => f.action === "create" || f.action === "update").map((f) => outsideOwnTree(f, plan.scopes, scopeOf)).filter((p): p is string => p !== undefined);
  if (outside.length > 0) return new DeployRefusedError("problems", `deploy refused (even with --force): ${outside.join("; ")}`);
  if (plan.problems.length > 0) {
    const reason: DeployRefusal = plan.problems.some((p) => p.kind === "empty-desired") ? "empty" : "problems";
    return new DeployRefusedError(reason, `deploy refused (even with --force): ${plan.problems.map((p) => p.message).join("; ")}`);
  }
  const prune = options.prune ?? plan.policy.prune;
  const maxShare = options.maxDeleteShare ?? plan.policy.maxDeleteShare;
  const deletes = prune ? plan.flows.filter((f) => f.action === "delete").length : 0;
  if (deletes > 0 && !options.force) {
    const share = plan.managedLiveCount === 0 ? 1 : deletes / plan.managedLiveCount;
    if (share > maxShare) {
      return new DeployRefusedError(
        "mass-delete",
        `deploy refused: it would delete ${deletes} of ${plan.managedLiveCount} managed flows (${percent(share)}), more than the allowed ${percent(maxShare)} (deploy.maxDeleteShare). Nothing was written. Check the repository renders what you expect; to go ahead anyway, pass --force`,
      );
    }
  }
  return undefined;
}

/**
 * Carries out a plan flow by flow (POST to create, PUT to update, DELETE; never the bulk
 * endpoints), at most `concurrency` writes at a time. Upstream flows and subflow targets are
 * written before the flows that use them; deletes come after all writes, dependents first. A
 * failure stops only what depends on it in the same tenant (and that tenant's deletes); other
 * tenants carry on, and the report names the failed tenants. Unchanged flows cost no request.
 */
export async function apply(plan: DeployPlan, options: ApplyOptions): Promise<DeployReport> {
  const refusal = checkGuards(plan, options);
  if (refusal) throw refusal;
  const { client } = options;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const prune = options.prune ?? plan.policy.prune;
  const reports = new Map<string, ActionReport>();
  const keyOf = (flow: { namespace: string; id: string }) => `${flow.namespace}/${flow.id}`;
  let writes = 0;
  const total = plan.flows.filter((f) => f.action !== "unchanged").length;
  let completed = 0;
  const record = (flow: PlannedFlow, report: Omit<ActionReport, "tenant" | "namespace" | "id" | "action">): void => {
    const full: ActionReport = { tenant: flow.tenant, namespace: flow.namespace, id: flow.id, action: flow.action, ...report };
    if (flow.drift !== undefined) full.drift = flow.drift;
    reports.set(keyOf(flow), full);
    if (flow.action !== "unchanged") options.onProgress?.({ completed: ++completed, total, action: full });
  };

  for (const flow of plan.flows) {
    if (flow.action === "unchanged") record(flow, { status: "done" });
    else if (flow.conflict) record(flow, { status: "failed", error: flow.conflict.message, needsAdoption: true });
    else if (flow.action === "delete" && !prune) record(flow, { status: "skipped", reason: "prune is off: pass --prune (or set deploy.prune) to delete flows Git no longer renders" });
  }

  const failedTenants = new Set<string | null>(plan.flows.filter((f) => f.conflict).map((f) => f.tenant));
  const toWrite = plan.flows.filter((f) => (f.action === "create" || f.action === "update") && !f.conflict);
  const writeNodes: GraphNode<PlannedFlow>[] = toWrite.map((flow) => ({ key: keyOf(flow), value: flow, after: flow.dependsOn }));
  // Each action sends its requests, records its outcome and marks its tenant failed on error.
  const carryOut = (nodes: GraphNode<PlannedFlow>[], send: (flow: PlannedFlow) => Promise<number>, blocked: (failed: string[]) => string) =>
    runInDependencyOrder(
      nodes,
      concurrency,
      async ({ value: flow }): Promise<NodeOutcome> => {
        try {
          // Not `writes += await ...`: that reads `writes` before awaiting and loses concurrent counts.
          const sent = await send(flow);
          writes += sent;
          record(flow, { status: "done" });
          return { ok: true };
        } catch (error) {
          failedTenants.add(flow.tenant);
          record(flow, { status: "failed", error: messageOf(error) });
          return { ok: false, error: messageOf(error) };
        }
      },
      ({ value: flow }, failed) => {
        failedTenants.add(flow.tenant);
        record(flow, { status: "failed", error: blocked(failed) });
      },
    );

  await carryOut(writeNodes, (flow) => writeFlow(client, flow, plan), (failed) => `not written: it needs ${failed.join(", ")}, which failed; the next deploy retries it`);

  if (prune) {
    const deletes = plan.flows.filter((f) => f.action === "delete");
    const runnable: PlannedFlow[] = [];
    for (const flow of deletes) {
      if (failedTenants.has(flow.tenant)) {
        record(flow, { status: "skipped", reason: `not deleted: other changes of tenant ${String(flow.tenant)} failed; deletes wait for a clean deploy` });
      } else runnable.push(flow);
    }
    // Reverse order: a flow is deleted before the flows it uses, so nothing points at a missing flow.
    const users = new Map<string, string[]>();
    for (const flow of runnable) {
      for (const target of flow.dependsOn) users.set(target, [...(users.get(target) ?? []), keyOf(flow)]);
    }
    const deleteNodes = runnable.map((flow) => ({ key: keyOf(flow), value: flow, after: users.get(keyOf(flow)) ?? [] }));
    await carryOut(
      deleteNodes,
      async (flow) => {
        await client.deleteFlow(flow.namespace, flow.id);
        return 1;
      },
      (failed) => `not deleted: ${failed.join(", ")}, which uses it, could not be deleted`,
    );
  }

  const actions = plan.flows.map((flow) => reports.get(keyOf(flow))!);
  return {
    env: plan.env,
    kestra: { url: plan.kestra.url, version: plan.kestra.version },
    actions,
    summary: summarize(actions, plan, writes),
    unmanaged: plan.unmanaged,
    problems: plan.problems.map((p) => p.message),
  };
}

/**
 * One create or update, recovering from a world that moved since the plan: a create that finds
 * the flow already there (e.g. an earlier deploy's answer was lost) updates it if it is managed;
 * an update that finds it gone creates it. Returns the write requests sent.
 */
async function writeFlow(client: KestraClient, flow: PlannedFlow, plan: DeployPlan): Promise<number> {
  const desired = flow.desired!;
  if (flow.action === "update") {
    try {
      await client.updateFlow(flow.namespace, flow.id, desired.source);
      return 1;
    } catch (error) {
      if (!(error instanceof KestraApiError) || error.status !== 404) throw error;
      await client.createFlow(desired.source);
      return 2;
    }
  }
  try {
    await client.createFlow(desired.source);
    return 1;
  } catch (error) {
    const exists = error instanceof KestraApiError && error.status === 422 && error.violations.some((v) => /already exists/i.test(v.message));
    if (!exists) throw error;
    const live = await client.getFlow(flow.namespace, flow.id);
    if (!live || !isManaged(live, plan.policy.ownershipLabel)) throw error;
    await client.updateFlow(flow.namespace, flow.id, desired.source);
    return 2;
  }
}

function summarize(actions: ActionReport[], plan: DeployPlan, writes: number): DeploySummary {
  const count = (predicate: (a: ActionReport) => boolean) => actions.filter(predicate).length;
  const failedTenants = [...new Set(actions.filter((a) => a.status === "failed").map((a) => a.tenant))];
  return {
    create: count((a) => a.action === "create"),
    update: count((a) => a.action === "update"),
    delete: count((a) => a.action === "delete"),
    unchanged: count((a) => a.action === "unchanged"),
    failed: count((a) => a.status === "failed"),
    skipped: count((a) => a.status === "skipped"),
    unmanaged: plan.unmanaged.length,
    drift: plan.drift.length,
    writes,
    failedTenants,
  };
}

/**
 * The plan as a report: every action `planned` (or `skipped` / `failed` when it cannot run). With
 * `diff`, each update carries the unified diff from the live to the rendered source.
 */
export function planReport(plan: DeployPlan, options: { prune?: boolean; diff?: boolean } = {}): DeployReport {
  const prune = options.prune ?? plan.policy.prune;
  const actions: ActionReport[] = plan.flows.map((flow) => {
    const report: ActionReport = { tenant: flow.tenant, namespace: flow.namespace, id: flow.id, action: flow.action, status: "planned" };
    if (flow.conflict) {
      report.status = "failed";
      report.error = flow.conflict.message;
      report.needsAdoption = true;
    } else if (flow.action === "delete" && !prune) {
      report.status = "skipped";
      report.reason = "prune is off";
    }
    if (flow.drift !== undefined) report.drift = flow.drift;
    if (options.diff && flow.action === "update" && flow.liveSource !== undefined && flow.desired) {
      report.diff = sourceDiff(`${flow.namespace}/${flow.id}.yaml`, flow.liveSource, flow.desired.source);
    }
    return report;
  });
  return {
    env: plan.env,
    kestra: { url: plan.kestra.url, version: plan.kestra.version },
    actions,
    summary: summarize(actions, plan, 0),
    unmanaged: plan.unmanaged,
    problems: plan.problems.map((p) => p.message),
  };
}

function messageOf(error: unknown): string {
  return redactError(error);
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
