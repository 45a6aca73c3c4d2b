import { deployInputs, plan, searchPrefixes } from "@flowops/deploy";
import type { DeployPlan, NamespaceScope } from "@flowops/deploy";
import {
  EXECUTION_STATE_CLASSES,
  countExecutions,
  executionUiUrl,
  inNamespaceTree,
  latestExecutions,
  listExecutions,
  listTriggers,
  parseKestraInstant,
} from "@flowops/kestra";
import type { ExecutionQuery, ExecutionSummary, KestraClient, KestraServerInfo, TimeWindow, TriggerState } from "@flowops/kestra";
import type { FlowRepository } from "@flowops/render";
import { expectedSlots, slotsWithoutRun, SLOT_TOLERANCE_MS, successRate, summarize, syncOf } from "./health.js";
import type { DailyRate, ExecutionCounts, FailedExecution, FlowCounts, MissedSchedule, StatusResult, TenantStatus } from "./types.js";

export interface CollectStatusOptions {
  repository: FlowRepository;
  env: string;
  client: KestraClient;
  /** Only these tenants (codes); default every tenant deployed to `env`. */
  tenants?: readonly string[];
  /** Length of the health window, ending now. */
  sinceMs: number;
  /** The clock; default the current time. */
  now?: Date;
  /** Also read the daily success rate of the last 7 UTC days (the morning report's chart). */
  daily?: boolean;
  /** Requests in flight at once; default 16. */
  concurrency?: number;
  /** A schedule slot is expected to have run only once it is this old; default 10 minutes. */
  graceMs?: number;
  /** Failed executions listed per tenant at most (the counts stay exact); default 500. */
  maxFailuresPerTenant?: number;
}

const SCHEDULE_TYPE = /(^|\.)Schedule$/;
const DAY_MS = 86_400_000;

/**
 * Sync and health of every tenant of one environment. Sync reuses deploy's plan (desired rendered
 * flows vs live flows: one paged search and one export per 2,500 flows). Health costs, per tenant
 * namespace root, one `size=1` count of everything in the window (§4.3 of KESTRA-EXECUTIONS.md)
 * and, when anything ran, one page listing the runs that did not succeed (SUCCESS is the rest);
 * past 500 of those, exact `size=1` counts per state bucket instead. Missed schedules cost one paged trigger search, one `executions/latest`
 * per 500 scheduled flows and one search per schedule whose latest run is missing. Requests grow
 * with tenants, schedules and failures, never with the number of executions.
 */
export async function collectStatus(options: CollectStatusOptions): Promise<StatusResult> {
  const { repository, env, client } = options;
  const now = options.now ?? new Date();
  const window: TimeWindow = { from: new Date(now.getTime() - options.sinceMs), to: now };
  const requestsBefore = client.requestCount;
  const run = limiter(options.concurrency ?? 16);
  const notes: string[] = [];

  const inputs = deployInputs(repository, env);
  const selected = options.tenants && options.tenants.length > 0 ? new Set<string | null>(options.tenants) : undefined;
  const keep = (tenant: string | null) => !selected || selected.has(tenant);
  const desired = inputs.desired.filter((flow) => keep(flow.tenant));
  const scopes = inputs.scopes.filter((scope) => keep(scope.tenant));
  const deployPlan = await plan({ env, desired, client, policy: inputs.policy, scopes, problems: inputs.problems });
  const info = await client.serverInfo();

  const tenantCodes = tenantsOf(repository, env, deployPlan).filter(keep);
  const generalProblems = inputs.problems.filter((p) => p.tenant === undefined);
  const unknownTenants = new Set<string | null>();
  for (const problem of inputs.problems) {
    if (problem.tenant !== undefined) unknownTenants.add(problem.tenant);
  }
  if (generalProblems.length > 0) {
    for (const tenant of tenantCodes) unknownTenants.add(tenant);
    notes.push(`sync is unknown: the repository has ${generalProblems.length} problem(s), e.g. ${generalProblems[0]!.file}:${generalProblems[0]!.line}:${generalProblems[0]!.column}: ${generalProblems[0]!.message}`);
  }
  for (const problem of inputs.problems.filter((p) => p.tenant !== undefined && keep(p.tenant)).slice(0, 5)) {
    notes.push(`sync of tenant ${problem.tenant} is unknown: ${problem.file}:${problem.line}:${problem.column}: ${problem.message}`);
  }

  const rootsOf = (tenant: string | null) => scopes.filter((scope) => scope.tenant === tenant).map((scope) => scope.root);
  const health = await Promise.all(tenantCodes.map((tenant) => tenantHealth(client, info, rootsOf(tenant), window, run, options.maxFailuresPerTenant ?? 500)));
  const missed = await missedSchedules(client, scopes, desired, window, now, options.graceMs ?? 10 * 60_000, run);

  const tenants: TenantStatus[] = tenantCodes.map((tenant, index) => {
    const flows = flowCounts(deployPlan, tenant);
    const { executions, failures, complete } = health[index]!;
    if (!complete) notes.push(`tenant ${String(tenant)}: only the newest ${failures.length} of ${executions.failed + executions.killed + executions.cancelled} failed executions are listed`);
    return {
      tenant,
      sync: syncOf(flows, unknownTenants.has(tenant)),
      flows,
      executions,
      successRate: successRate(executions),
      failures,
      missedSchedules: missed.get(tenant) ?? [],
    };
  });
  tenants.sort((a, b) => String(a.tenant).localeCompare(String(b.tenant)));

  const result: StatusResult = {
    report: {
      env,
      kestra: { url: client.url, version: info.version },
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      tenants,
      summary: summarize(tenants),
    },
    notes,
    requests: 0,
  };
  if (options.daily) {
    const prefixes = searchPrefixes(scopes);
    if (prefixes.includes(undefined)) notes.push(`the daily chart counts every namespace of Kestra tenant '${client.tenant}': the tenants share no namespace root`);
    result.daily = await dailyRates(client, prefixes, now, run);
  }
  result.requests = client.requestCount - requestsBefore;
  return result;
}

/** Tenants deployed to `env` (every tenant in a plain repository: `null`), plus tenants that still have managed flows there. */
function tenantsOf(repository: FlowRepository, env: string, deployPlan: DeployPlan): (string | null)[] {
  const tenants = new Set<string | null>();
  if (repository.mode === "plain") tenants.add(null);
  for (const tenant of repository.tenants) {
    if (!tenant.environments || tenant.environments.includes(env)) tenants.add(tenant.code);
  }
  for (const flow of deployPlan.flows) tenants.add(flow.tenant);
  return [...tenants];
}

function flowCounts(deployPlan: DeployPlan, tenant: string | null): FlowCounts {
  const planned = deployPlan.flows.filter((flow) => flow.tenant === tenant);
  const unmanaged = deployPlan.unmanaged.filter((flow) => flow.tenant === tenant).length;
  const count = (...actions: string[]) => planned.filter((flow) => actions.includes(flow.action)).length;
  return {
    desired: planned.filter((flow) => flow.desired !== undefined).length,
    live: count("update", "unchanged", "delete") + unmanaged,
    missing: count("create"),
    drifted: count("update", "delete"),
    unmanaged,
  };
}

interface TenantHealth {
  executions: ExecutionCounts;
  failures: FailedExecution[];
  complete: boolean;
}

async function tenantHealth(client: KestraClient, info: KestraServerInfo, roots: readonly string[], window: TimeWindow, run: Limiter, maxFailures: number): Promise<TenantHealth> {
  const executions: ExecutionCounts = { total: 0, success: 0, warning: 0, failed: 0, killed: 0, cancelled: 0, running: 0 };
  const failures: FailedExecution[] = [];
  let complete = true;
  await Promise.all(
    roots.map(async (root) => {
      const query = (states?: readonly string[]): ExecutionQuery => ({ window, namespacePrefix: root, ...(states ? { states } : {}) });
      const total = await run(() => countExecutions(client, query()));
      executions.total += total;
      // A quiet tenant costs one request.
      if (total === 0) return;
      const classes = EXECUTION_STATE_CLASSES;
      const maxPages = Math.max(1, Math.ceil(maxFailures / 100));
      const failedStates = new Set<string>(classes.failed);
      if (info.supportsQueryFilters) {
        // Usually one more request: every run that did not simply succeed, listed; SUCCESS is the rest.
        const others = await run(() => listExecutions(client, { ...query(), notState: "SUCCESS" }, { pageSize: 100, maxPages }));
        if (others.complete) {
          executions.success += Math.max(0, total - others.total);
          for (const execution of others.executions) {
            if (execution.state === "WARNING") executions.warning++;
            else if (execution.state === "FAILED") executions.failed++;
            else if (execution.state === "KILLED") executions.killed++;
            else if (execution.state === "CANCELLED") executions.cancelled++;
            else if ((classes.inFlight as readonly string[]).includes(execution.state)) executions.running++;
            if (failedStates.has(execution.state)) failures.push(failureOf(client, info, execution));
          }
          return;
        }
      }
      // Many runs that did not succeed (or no filters on this server): one exact count per bucket.
      const [success, warning, running, failed] = await Promise.all([
        run(() => countExecutions(client, query(classes.success))),
        run(() => countExecutions(client, query(classes.warning))),
        run(() => countExecutions(client, query(classes.inFlight))),
        run(() => listExecutions(client, query(classes.failed), { pageSize: 100, maxPages })),
      ]);
      executions.success += success;
      executions.warning += warning;
      executions.running += running;
      if (failed.complete) {
        for (const execution of failed.executions) {
          if (execution.state === "FAILED") executions.failed++;
          else if (execution.state === "KILLED") executions.killed++;
          else if (execution.state === "CANCELLED") executions.cancelled++;
        }
      } else {
        complete = false;
        const [f, k, c] = await Promise.all(["FAILED", "KILLED", "CANCELLED"].map((state) => run(() => countExecutions(client, query([state])))));
        executions.failed += f!;
        executions.killed += k!;
        executions.cancelled += c!;
      }
      for (const execution of failed.executions) failures.push(failureOf(client, info, execution));
    }),
  );
  failures.sort((a, b) => parseKestraInstant(b.startDate) - parseKestraInstant(a.startDate) || a.executionId.localeCompare(b.executionId));
  return { executions, failures, complete };
}

function failureOf(client: KestraClient, info: KestraServerInfo, execution: ExecutionSummary): FailedExecution {
  return { namespace: execution.namespace, flowId: execution.flowId, executionId: execution.id, state: execution.state, startDate: execution.startDate, url: executionUiUrl(client, info, execution) };
}

/**
 * Schedule triggers whose cron expected a run in the window (until `now − grace`) with no
 * execution of the flow started near it. Every schedule's latest slot is checked against
 * `executions/latest`; a schedule whose latest slot has no run there (a run still in progress is
 * not in it) is searched for its executions in the window, and each of its slots is checked.
 */
async function missedSchedules(
  client: KestraClient,
  scopes: readonly NamespaceScope[],
  desired: readonly { namespace: string; id: string; document: unknown }[],
  window: TimeWindow,
  now: Date,
  graceMs: number,
  run: Limiter,
): Promise<Map<string | null, MissedSchedule[]>> {
  const tenantOf = (namespace: string): NamespaceScope | undefined => {
    let best: NamespaceScope | undefined;
    for (const scope of scopes) if (inNamespaceTree(namespace, scope.root) && (!best || scope.root.length > best.root.length)) best = scope;
    return best;
  };
  const disabledFlows = new Set(desired.filter((flow) => (flow.document as { disabled?: unknown } | null)?.disabled === true).map((flow) => `${flow.namespace}/${flow.id}`));
  const triggers: TriggerState[] = [];
  for (const prefix of searchPrefixes(scopes)) {
    const listed = await run(() => listTriggers(client, prefix === undefined ? {} : { namespacePrefix: prefix }));
    triggers.push(...listed.triggers);
  }
  const until = new Date(now.getTime() - graceMs);
  const watched: { trigger: TriggerState; tenant: string | null; slots: Date[] }[] = [];
  const slotsByCron = new Map<string, Date[] | undefined>();
  for (const trigger of triggers) {
    const scope = tenantOf(trigger.namespace);
    if (!scope || trigger.type === undefined || !SCHEDULE_TYPE.test(trigger.type) || trigger.cron === undefined) continue;
    if (trigger.disabled || trigger.backfilling || disabledFlows.has(`${trigger.namespace}/${trigger.flowId}`)) continue;
    // Tenants share few distinct crons: each is parsed and walked once.
    const slotKey = `${trigger.cron}\u0000${trigger.timezone ?? ""}`;
    if (!slotsByCron.has(slotKey)) slotsByCron.set(slotKey, expectedSlots({ cron: trigger.cron, ...(trigger.timezone ? { timezone: trigger.timezone } : {}) }, window.from, until));
    const slots = slotsByCron.get(slotKey);
    if (slots && slots.length > 0) watched.push({ trigger, tenant: scope.tenant, slots });
  }
  const flows = [...new Map(watched.map(({ trigger }) => [`${trigger.namespace}/${trigger.flowId}`, { namespace: trigger.namespace, id: trigger.flowId }])).values()];
  const latest = flows.length > 0 ? await run(() => latestExecutions(client, flows)) : new Map();
  const missed = new Map<string | null, MissedSchedule[]>();
  const startsByFlow = new Map<string, Promise<{ starts: number[]; complete: boolean }>>();
  await Promise.all(
    watched.map(async ({ trigger, tenant, slots }) => {
      const key = `${trigger.namespace}/${trigger.flowId}`;
      const last = slots.at(-1)!;
      const newest = latest?.get(key);
      if (newest && parseKestraInstant(newest.startDate) >= last.getTime() - SLOT_TOLERANCE_MS) return;
      if (trigger.executionId !== undefined) return;
      let found = startsByFlow.get(key);
      if (!found) {
        const query: ExecutionQuery = { window: { from: new Date(slots[0]!.getTime() - SLOT_TOLERANCE_MS), to: now }, namespace: trigger.namespace, flowId: trigger.flowId };
        found = run(() => listExecutions(client, query, { pageSize: 100, maxPages: 1 })).then((list) => ({ starts: list.executions.map((e) => parseKestraInstant(e.startDate)), complete: list.complete }));
        startsByFlow.set(key, found);
      }
      const { starts, complete } = await found;
      // Only the newest 100 runs were read: slots older than them are not judged.
      const oldest = complete ? Number.NEGATIVE_INFINITY : Math.min(...starts);
      const judged = slots.filter((slot) => slot.getTime() >= oldest);
      for (const slot of slotsWithoutRun(judged, starts, now.getTime())) {
        const list = missed.get(tenant) ?? [];
        list.push({ namespace: trigger.namespace, flowId: trigger.flowId, triggerId: trigger.triggerId, expectedAt: slot.toISOString() });
        missed.set(tenant, list);
      }
    }),
  );
  for (const list of missed.values()) list.sort((a, b) => a.expectedAt.localeCompare(b.expectedAt) || a.namespace.localeCompare(b.namespace) || a.flowId.localeCompare(b.flowId) || a.triggerId.localeCompare(b.triggerId));
  return missed;
}

/** Success rate per UTC day over the last 7 days (today so far included): two counts per day and namespace group. */
async function dailyRates(client: KestraClient, prefixes: readonly (string | undefined)[], now: Date, run: Limiter): Promise<DailyRate[]> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Array.from({ length: 7 }, (_, index) => today - (6 - index) * DAY_MS);
  return Promise.all(
    days.map(async (start) => {
      const window: TimeWindow = { from: new Date(start), to: new Date(Math.min(start + DAY_MS, now.getTime())) };
      let ok = 0;
      let bad = 0;
      await Promise.all(
        prefixes.map(async (prefix) => {
          const base: ExecutionQuery = { window, ...(prefix === undefined ? {} : { namespacePrefix: prefix }) };
          const [good, failed] = await Promise.all([
            run(() => countExecutions(client, { ...base, states: [...EXECUTION_STATE_CLASSES.success, ...EXECUTION_STATE_CLASSES.warning] })),
            run(() => countExecutions(client, { ...base, states: EXECUTION_STATE_CLASSES.failed })),
          ]);
          ok += good;
          bad += failed;
        }),
      );
      return { day: new Date(start).toISOString().slice(0, 10), successRate: ok + bad === 0 ? null : ok / (ok + bad), terminated: ok + bad };
    }),
  );
}

type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs at most `size` tasks at once, in the order they were asked for. */
function limiter(size: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
