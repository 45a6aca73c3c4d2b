/**
 * The deploy benchmark of issue 5 (not part of `npm test`; it takes minutes):
 *
 *   npx tsc -b packages/deploy && FLOWOPS_BENCH=1 npx vitest run test/deploy-bench.test.ts
 *
 * Generates the bench platform (FLOWOPS_BENCH_TENANTS x FLOWOPS_BENCH_TEMPLATES, default
 * 200 x 150), renders its first environment, and deploys it to the Kestra double with 20 ms added
 * to every answer: (a) first deploy, (b) one template changed, (c) no-op, then the cost of reading
 * every flow with one `GET ?source=true` (what the Terraform provider does on every plan).
 * The double runs in the same process as the client, so wall times include its CPU time.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRepository } from "@flowops/render";
import { KestraClient, apply, deployInputs, plan } from "@flowops/deploy";
import { editTemplate, generatePlatform } from "../bench/src/generate.js";
import { startKestraDouble } from "./kestra-double/index.js";

const TENANTS = Number(process.env.FLOWOPS_BENCH_TENANTS ?? 200);
const TEMPLATES = Number(process.env.FLOWOPS_BENCH_TEMPLATES ?? 150);
const LATENCY_MS = 20;

describe.runIf(process.env.FLOWOPS_BENCH === "1")("deploy benchmark", () => {
  it(`plans and deploys ${TENANTS} x ${TEMPLATES} against the double with ${LATENCY_MS} ms latency`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-deploy-bench-"));
    const double = await startKestraDouble({ latencyMs: LATENCY_MS });
    const rows: string[] = [];
    try {
      const generated = await generatePlatform({ dir: join(dir, "platform"), tenants: TENANTS, templates: TEMPLATES });
      const deployOnce = async (label: string) => {
        const started = performance.now();
        const repository = await readRepository({ cwd: generated.dir });
        const env = repository.config.environments[0]!.name;
        const inputs = deployInputs(repository, env);
        const rendered = performance.now();
        const client = new KestraClient({ url: double.url });
        double.resetRequests();
        const thePlan = await plan({ env, desired: inputs.desired, client, scopes: inputs.scopes, problems: inputs.problems, policy: inputs.policy });
        const planned = performance.now();
        const report = await apply(thePlan, { client, concurrency: 32 });
        const done = performance.now();
        expect(report.summary.failed).toBe(0);
        const s = report.summary;
        rows.push(
          `| ${label} | ${inputs.desired.length} | ${thePlan.requests} | ${(planned - rendered).toFixed(0)} ms | ${s.writes} | ${(done - planned).toFixed(0)} ms | ${double.requests.length} | ${(rendered - started).toFixed(0)} ms | c${s.create} u${s.update} =${s.unchanged} |`,
        );
        return inputs.desired;
      };
      await deployOnce("(a) first deploy");
      await editTemplate(generated.dir, 3);
      await deployOnce("(b) one template changed");
      const flows = await deployOnce("(c) no-op");

      const client = new KestraClient({ url: double.url });
      await client.serverInfo();
      double.resetRequests();
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (next < flows.length) {
            const flow = flows[next++]!;
            await client.getFlow(flow.namespace, flow.id, { source: true });
          }
        }),
      );
      rows.push(`| one GET ?source=true per flow (parallelism 10) | ${flows.length} | ${double.requests.length} | ${(performance.now() - started).toFixed(0)} ms | | | | | |`);
      console.log(
        [
          `Deploy benchmark: ${TENANTS} tenants x ${TEMPLATES} templates, ${LATENCY_MS} ms per answer, apply concurrency 32`,
          "| scenario | flows | plan requests | plan time | writes | apply time | all requests | read+render | actions |",
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
          ...rows,
        ].join("\n"),
      );
    } finally {
      await double.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 1_800_000);
});
