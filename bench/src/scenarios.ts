import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apply, deployInputs, KestraClient, plan } from "@flowops/deploy";
import { importFlows, readFlowFolder, writeFiles } from "@flowops/import";
import { startKestraDouble } from "@flowops/kestra-double";
import { lintRepository } from "@flowops/lint";
import { readRepository, render } from "@flowops/render";
import { loadavg } from "node:os";
import { collectStatus } from "@flowops/status";
import { impactOfRefs } from "@flowops/tenant-diff";
import { simpleGit } from "simple-git";
import { costScenario } from "./cost.js";
import { editConfig, editTemplate, editTenant } from "./generate.js";
import { webhookFloodScenario } from "./webhook-flood.js";

/** One timed figure of a scenario, printed with the size it ran at. */
export interface Figure {
  name: string;
  value: number;
  unit: "ms" | "MB" | "count" | "ratio";
  /** The target from the issue, if any (same unit). */
  target?: number;
  /** The value may equal the target ("at most"); default: it must stay below it. */
  atMost?: boolean;
}

export interface ScenarioContext {
  /** A generated platform (Git repository) at the scenario's size. */
  dir: string;
  tenants: number;
  templates: number;
}

/** What a scenario prints: lines of its own (a table) above its figures. */
export interface ScenarioReport {
  lines: string[];
  figures: Figure[];
}

export interface Scenario {
  name: string;
  description: string;
  run(context: ScenarioContext): Promise<Figure[] | ScenarioReport>;
}

export function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Rendering a whole platform to memory: read (parse each template once), then render every tenant. */
export const renderScenario: Scenario = {
  name: "render",
  description: "read the repository and render every tenant's flows for the first environment, to memory",
  async run({ dir }) {
    const started = performance.now();
    const repository = await readRepository({ cwd: dir });
    const read = elapsed(started);
    const renderStarted = performance.now();
    const env = repository.config.environments[0]!.name;
    const { flows, problems } = render(repository, { envs: [env] });
    const rendered = elapsed(renderStarted);
    if (problems.length > 0) throw new Error(`the bench platform has render problems: ${problems[0]!.message}`);
    const allStarted = performance.now();
    const all = render(repository);
    const allEnvs = elapsed(allStarted);
    return [
      { name: `flows rendered (${env})`, value: flows.length, unit: "count" },
      { name: "read + parse templates and tenants", value: read, unit: "ms" },
      { name: `render ${env}`, value: rendered, unit: "ms" },
      { name: "read + render total", value: Math.round((read + rendered) * 10) / 10, unit: "ms", target: 2000 },
      { name: `render all environments (${all.flows.length} flows)`, value: allEnvs, unit: "ms" },
      { name: "peak memory (RSS)", value: peakRssMb(), unit: "MB", target: 1024 },
    ];
  },
};

export const scenarios: Scenario[] = [renderScenario];

/** Lint of the whole platform (first environment), split into render, schema and the other rules. */
export const lintScenario: Scenario = {
  name: "lint",
  description: "read, render and lint every tenant's flows for the first environment",
  async run({ dir }) {
    const started = performance.now();
    const repository = await readRepository({ cwd: dir });
    const env = repository.config.environments[0]!.name;
    const rendered = render(repository, { envs: [env] });
    const renderDone = performance.now();
    const result = lintRepository(repository, rendered);
    const lintDone = performance.now();
    const schema = result.timings["flow-schema"] ?? 0;
    const rules = Object.entries(result.timings).filter(([key]) => key !== "flow-schema").reduce((sum, [, ms]) => sum + ms, 0);
    const slowest = Object.entries(result.timings).filter(([key]) => key !== "flow-schema").sort((a, b) => b[1] - a[1]).slice(0, 3);
    return [
      { name: `flows linted (${env})`, value: rendered.flows.length, unit: "count" },
      { name: "diagnostics", value: result.diagnostics.length, unit: "count" },
      { name: "read + render", value: Math.round(renderDone - started), unit: "ms" },
      { name: "flow-schema rule", value: Math.round(schema), unit: "ms" },
      { name: "other rules", value: Math.round(rules), unit: "ms" },
      ...slowest.map(([key, ms]) => ({ name: `  of which ${key}`, value: Math.round(ms), unit: "ms" as const })),
      { name: "lint total (read + render + rules)", value: Math.round(lintDone - started), unit: "ms", target: 5000 },
      { name: "peak memory (RSS)", value: peakRssMb(), unit: "MB", target: 1536 },
    ];
  },
};

const DEPLOY_LATENCY_MS = 20;

/**
 * Deploys to the Kestra double with 20 ms added to every answer: (a) first deploy, (b) one template
 * changed, (c) no-op; then what one GET per flow costs (the Terraform provider's plan). The double
 * runs in this process, so its CPU time is in the wall times.
 */
export const deployScenario: Scenario = {
  name: "deploy",
  description: `plan and deploy the first environment to the Kestra double (${DEPLOY_LATENCY_MS} ms per answer, 32 writes at once)`,
  async run({ dir }) {
    const double = await startKestraDouble({ latencyMs: DEPLOY_LATENCY_MS });
    const figures: Figure[] = [];
    try {
      const deployOnce = async (label: string) => {
        const repository = await readRepository({ cwd: dir });
        const env = repository.config.environments[0]!.name;
        const inputs = deployInputs(repository, env);
        const client = new KestraClient({ url: double.url });
        double.resetRequests();
        const started = performance.now();
        const deployPlan = await plan({ env, desired: inputs.desired, client, scopes: inputs.scopes, problems: inputs.problems, policy: inputs.policy });
        const planRequests = double.requests.length;
        const planned = elapsed(started);
        const report = await apply(deployPlan, { client, concurrency: 32 });
        if (report.summary.failed > 0) throw new Error(`${label}: ${report.summary.failed} flows failed`);
        figures.push(
          { name: `${label}: plan requests`, value: planRequests, unit: "count" },
          { name: `${label}: plan time`, value: planned, unit: "ms" },
          { name: `${label}: writes`, value: report.summary.writes, unit: "count" },
          { name: `${label}: requests in all`, value: double.requests.length, unit: "count" },
          { name: `${label}: wall time (plan + apply)`, value: elapsed(started), unit: "ms" },
        );
        return { flows: inputs.desired, requests: double.requests.length, time: elapsed(started) };
      };
      await deployOnce("(a) first deploy");
      await editTemplate(dir, 3);
      const changed = await deployOnce("(b) one template changed");
      const noop = await deployOnce("(c) no-op");
      const client = new KestraClient({ url: double.url });
      await client.serverInfo();
      double.resetRequests();
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (next < noop.flows.length) {
            const flow = noop.flows[next++]!;
            await client.getFlow(flow.namespace, flow.id, { source: true });
          }
        }),
      );
      const perFlow = { requests: double.requests.length, time: elapsed(started) };
      figures.push(
        { name: "one GET per flow (10 at once): requests", value: perFlow.requests, unit: "count" },
        { name: "one GET per flow (10 at once): wall time", value: perFlow.time, unit: "ms" },
        { name: "(b) vs one GET per flow: requests ratio", value: Math.round(perFlow.requests / changed.requests), unit: "ratio" },
        { name: "(b) vs one GET per flow: time ratio", value: Math.round((perFlow.time / changed.time) * 10) / 10, unit: "ratio" },
        { name: "(c) vs one GET per flow: requests ratio", value: Math.round(perFlow.requests / noop.requests), unit: "ratio" },
        { name: "(c) vs one GET per flow: time ratio", value: Math.round((perFlow.time / noop.time) * 10) / 10, unit: "ratio" },
      );
      return figures;
    } finally {
      await double.close();
    }
  },
};

scenarios.push(lintScenario, deployScenario);

/**
 * Impact of the working tree against `main` (both sides read from Git, planned, rendered, diffed)
 * for a one-template, a one-tenant and a config change, each incremental and full. Median of 3.
 */
export const impactScenario: Scenario = {
  name: "impact",
  description: "impact of a one-template, a one-tenant and a config change against main (median of 3 runs)",
  async run({ dir }) {
    const git = simpleGit({ baseDir: dir });
    const templateKeys = (await git.raw(["ls-files", "flows"])).split("\n").filter(Boolean).sort();
    const bronze = templateKeys.findIndex((path) => path.startsWith("flows/bronze/"));
    const changes: [string, () => Promise<unknown>][] = [
      ["one template", () => editTemplate(dir, bronze)],
      ["one tenant", () => editTenant(dir, 3)],
      ["config", () => editConfig(dir)],
    ];
    const figures: Figure[] = [];
    for (const [name, edit] of changes) {
      await git.checkout(["--", "."]);
      await edit();
      const median = async (incremental: boolean) => {
        const times: number[] = [];
        let changed = 0;
        for (let run = 0; run < 3; run++) {
          const started = performance.now();
          const { report } = await impactOfRefs({ cwd: dir, base: "main", incremental });
          times.push(performance.now() - started);
          changed = report.changes.length;
        }
        return { ms: Math.round(times.sort((a, b) => a - b)[1]!), changed };
      };
      const incremental = await median(true);
      const full = await median(false);
      figures.push(
        { name: `${name}: flows changed`, value: incremental.changed, unit: "count" },
        { name: `${name}: incremental`, value: incremental.ms, unit: "ms", ...(name === "config" ? {} : { target: 1000 }) },
        { name: `${name}: full render`, value: full.ms, unit: "ms" },
        { name: `${name}: incremental / full`, value: Math.round((incremental.ms / full.ms) * 100) / 100, unit: "ratio", ...(name === "config" ? {} : { target: 0.1 }) },
      );
    }
    await git.checkout(["--", "."]);
    return figures;
  },
};

scenarios.push(impactScenario);

const STATUS_LATENCY_MS = 20;
const EXECUTIONS_PER_DAY = 6200;
const HISTORY_DAYS = 7;

/**
 * `flowops status` on a deployed platform with a week of history at 6,200 executions a day (about
 * 0.5% failed, a few schedules missed last night), the double answering in 20 ms. Then the
 * history is doubled and status runs again: the requests must not follow the executions.
 */
export const statusScenario: Scenario = {
  name: "status",
  description: `flowops status over a deployed platform with ${HISTORY_DAYS} days of history at ${EXECUTIONS_PER_DAY.toLocaleString("en")} executions a day (${STATUS_LATENCY_MS} ms per answer)`,
  async run({ dir }) {
    const double = await startKestraDouble();
    try {
      const repository = await readRepository({ cwd: dir });
      const env = repository.config.environments[0]!.name;
      const inputs = deployInputs(repository, env);
      const client = new KestraClient({ url: double.url });
      const deployed = await apply(await plan({ env, desired: inputs.desired, client, scopes: inputs.scopes, problems: inputs.problems, policy: inputs.policy }), { client, concurrency: 32 });
      if (deployed.summary.failed > 0) throw new Error(`deploy before status: ${deployed.summary.failed} flows failed`);
      const now = new Date();
      const seeded = seedWeek(double, inputs.desired, new Date(now.getTime() - HISTORY_DAYS * 86_400_000), now);
      const measure = async (label: string) => {
        double.setLatency(STATUS_LATENCY_MS);
        // What sync alone costs (deploy's render and plan, which status reuses), for the breakdown.
        const syncStarted = performance.now();
        const syncInputs = deployInputs(repository, env);
        await plan({ env, desired: syncInputs.desired, client: new KestraClient({ url: double.url }), scopes: syncInputs.scopes, problems: syncInputs.problems, policy: syncInputs.policy });
        const syncTime = elapsed(syncStarted);
        double.resetRequests();
        const started = performance.now();
        const result = await collectStatus({ repository, env, client: new KestraClient({ url: double.url }), sinceMs: 86_400_000, daily: true, now: new Date() });
        const time = elapsed(started);
        double.setLatency(0);
        const missed = result.report.tenants.reduce((sum, t) => sum + t.missedSchedules.length, 0);
        return [
          { name: `${label}: executions in Kestra`, value: double.executionCount(), unit: "count" as const },
          { name: `${label}: failures in the last 24h`, value: result.report.summary.failures, unit: "count" as const },
          { name: `${label}: missed schedules found`, value: missed, unit: "count" as const },
          { name: `${label}: requests`, value: double.requests.length, unit: "count" as const },
          { name: `${label}: wall time`, value: time, unit: "ms" as const, target: 10_000 },
          { name: `${label}: of which render + plan (measured alone)`, value: syncTime, unit: "ms" as const },
          // The double and flowops share this process and the machine: a busy machine shows here.
          { name: `${label}: machine load average (1 min)`, value: Math.round(loadavg()[0]! * 10) / 10, unit: "ratio" as const },
        ];
      };
      const figures: Figure[] = [
        { name: "tenants x flows deployed", value: inputs.desired.length, unit: "count" },
        { name: "executions seeded per day", value: Math.round(seeded / HISTORY_DAYS), unit: "count" },
        ...(await measure("(a) one week")),
      ];
      // Twice the executions (a second run of every flow each day, all successful).
      seedWeek(double, inputs.desired, new Date(now.getTime() - HISTORY_DAYS * 86_400_000), now, { shiftMinutes: 7, allSucceed: true });
      figures.push(...(await measure("(b) twice the executions")));
      return figures;
    } finally {
      await double.close();
    }
  },
};

/** `flowops import flows` on the platform's own rendered output: read, factor, verify, write. */
export const importScenario: Scenario = {
  name: "import",
  description: "write the first environment's rendered flows to a folder, then import them back into a new repository (flowops import flows)",
  async run({ dir }) {
    const repository = await readRepository({ cwd: dir });
    const env = repository.config.environments[0]!.name;
    const { flows } = render(repository, { envs: [env] });
    const work = mkdtempSync(join(tmpdir(), "flowops-bench-import-"));
    try {
      const from = join(work, "rendered");
      for (const flow of flows) {
        mkdirSync(join(from, flow.namespace), { recursive: true });
        writeFileSync(join(from, flow.namespace, `${flow.id}.yaml`), flow.source);
      }
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const read = await readFlowFolder(from);
      const readDone = elapsed(started);
      const importStarted = performance.now();
      const { result, problems } = importFlows(read.files, { env, source: from });
      const imported = elapsed(importStarted);
      if (!result) throw new Error(`import refused the rendered platform: ${problems[0]?.message}`);
      const writeStarted = performance.now();
      await writeFiles(join(work, "imported"), result.files);
      const written = elapsed(writeStarted);
      const cpu = process.cpuUsage(cpuBefore);
      return [
        { name: `flows imported (${env})`, value: result.report.verification.flows, unit: "count" },
        { name: "rendered back equal", value: result.report.verification.equal, unit: "count" },
        { name: "templates", value: result.report.templates.length, unit: "count" },
        { name: "tenant-only templates", value: result.report.tenantOnly.length, unit: "count" },
        { name: "read the folder", value: readDone, unit: "ms" },
        { name: "factor + round trip", value: imported, unit: "ms" },
        { name: "write the repository", value: written, unit: "ms" },
        { name: "import total (read + factor + verify + write)", value: Math.round(readDone + imported + written), unit: "ms", target: 30000 },
        // On a shared machine wall time includes waiting for a core; CPU time is the work done.
        { name: "  of which CPU time (user + system)", value: Math.round((cpu.user + cpu.system) / 1000), unit: "ms" },
        { name: "peak memory (RSS)", value: peakRssMb(), unit: "MB", target: 2048 },
      ];
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};

/**
 * A week of history: each scheduled flow runs at its cron (a few runs missing last night), the
 * other flows share what is left of 6,200 runs a day, spread over the day; about 0.5% fail.
 */
function seedWeek(double: Awaited<ReturnType<typeof startKestraDouble>>, desired: readonly { namespace: string; id: string; document: unknown }[], from: Date, to: Date, options: { shiftMinutes?: number; allSucceed?: boolean } = {}): number {
  const scheduled: { namespace: string; flowId: string; cron: string; timezone?: string; triggerId: string }[] = [];
  const others: { namespace: string; flowId: string }[] = [];
  for (const flow of desired) {
    const triggers = ((flow.document as { triggers?: { id?: unknown; type?: unknown; cron?: unknown; timezone?: unknown }[] }).triggers ?? []).filter((t) => typeof t.type === "string" && t.type.endsWith(".Schedule") && typeof t.cron === "string");
    const trigger = triggers[0];
    if (trigger) scheduled.push({ namespace: flow.namespace, flowId: flow.id, cron: String(trigger.cron), triggerId: String(trigger.id), ...(typeof trigger.timezone === "string" ? { timezone: trigger.timezone } : {}) });
    else others.push({ namespace: flow.namespace, flowId: flow.id });
  }
  const lastNight = to.getTime() - 86_400_000;
  const outcome = (index: number) => (options.allSucceed ? "SUCCESS" : index % 217 === 0 ? "FAILED" : index % 50 === 0 ? "WARNING" : "SUCCESS");
  let count = double.seedHistory({
    flows: scheduled,
    from,
    to,
    delaySeconds: 1 + (options.shiftMinutes ?? 0) * 60,
    outcome: (_flow, slot, index) => (!options.allSucceed && slot.getTime() > lastNight && index % 997 === 0 ? undefined : outcome(index)),
  });
  const days = Math.round((to.getTime() - from.getTime()) / 86_400_000);
  const perDay = Math.max(0, EXECUTIONS_PER_DAY - Math.round(count / days));
  const executions = [];
  for (let day = 0; day < days && others.length > 0; day++) {
    for (let n = 0; n < perDay; n++) {
      const flow = others[(n + day) % others.length]!;
      const start = from.getTime() + day * 86_400_000 + Math.floor((n * 86_400_000) / perDay) + (options.shiftMinutes ?? 0) * 60_000;
      if (start >= to.getTime()) continue;
      executions.push({ namespace: flow.namespace, flowId: flow.flowId, state: outcome(n + day * perDay), startDate: new Date(start) });
    }
  }
  double.seedExecutions(executions);
  count += executions.length;
  return count;
}

scenarios.push(statusScenario);
scenarios.push(webhookFloodScenario);
scenarios.push(importScenario);
scenarios.push(costScenario);
