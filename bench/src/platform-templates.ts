import type { SeededRandom } from "./random.js";

export const SOURCES = ["aws", "gcp", "azure", "oci"] as const;
export type Source = (typeof SOURCES)[number];
export type Layer = "bronze" | "silver" | "gold" | "platinum";
export const LAYERS: readonly Layer[] = ["bronze", "silver", "gold", "platinum"];

/** Where a synthetic template sits in the platform and what it depends on. */
export interface TemplatePlan {
  /** Template key: path under `flows/` without extension, e.g. `bronze/aws_extract_003`. */
  key: string;
  folder: Layer | "shared";
  id: string;
  /** Root `$when` expression; undefined: rendered for every tenant. */
  when?: string;
  /** Flows of the layer below whose success triggers this one (empty for bronze and shared). */
  upstreams: TemplatePlan[];
  /** The source a bronze or silver flow reads. */
  source?: Source;
}

/** Id and folder of the shared notification subflow every flow's `errors` branch calls. */
export const NOTIFY_KEY = "shared/notify";

const LAYER_WEIGHTS: Record<Layer, number> = { bronze: 0.35, silver: 0.3, gold: 0.2, platinum: 0.15 };

/** How many templates each layer gets; every layer gets at least one once there are four. */
export function layerCounts(total: number): Record<Layer, number> {
  const counts = Object.fromEntries(LAYERS.map((layer) => [layer, Math.floor(total * LAYER_WEIGHTS[layer])])) as Record<Layer, number>;
  let assigned = LAYERS.reduce((sum, layer) => sum + counts[layer], 0);
  for (let i = 0; assigned < total; i++, assigned++) counts[LAYERS[i % LAYERS.length]!]++;
  for (const layer of LAYERS) {
    if (counts[layer] > 0 || total < LAYERS.length) continue;
    const largest = [...LAYERS].sort((a, b) => counts[b] - counts[a])[0]!;
    counts[largest]--;
    counts[layer]++;
  }
  return counts;
}

const pad = (n: number) => String(n).padStart(3, "0");

/**
 * Plans `total` templates: one shared notification subflow (from 5 templates on), the rest spread
 * over the four layers. Bronze flows read one source each and carry `$when: tenant.sources.<s>`;
 * each upper flow is triggered by flows of the layer below and is rendered for a tenant only when
 * at least one of them is, so a Flow trigger never points at a flow the tenant lacks.
 */
export function planTemplates(total: number, random: SeededRandom): TemplatePlan[] {
  const plans: TemplatePlan[] = [];
  const withShared = total >= 5;
  if (withShared) plans.push({ key: NOTIFY_KEY, folder: "shared", id: "notify", upstreams: [] });
  const counts = layerCounts(total - (withShared ? 1 : 0));

  const bronze: TemplatePlan[] = [];
  for (let i = 0; i < counts.bronze; i++) {
    const source = SOURCES[i % SOURCES.length]!;
    const id = `${source}_extract_${pad(i)}`;
    bronze.push({ key: `bronze/${id}`, folder: "bronze", id, when: `tenant.sources.${source}`, upstreams: [], source });
  }
  const silver: TemplatePlan[] = [];
  for (let i = 0; i < counts.silver; i++) {
    const upstream = bronze[i % bronze.length]!;
    const source = upstream.source!;
    const id = `${source}_normalize_${pad(i)}`;
    // Every third silver flow is for carbon-reporting tenants only: stricter than its upstream.
    const when = i % 3 === 2 ? `${upstream.when} && tenant.vars.carbonReporting == true` : upstream.when;
    silver.push({ key: `silver/${id}`, folder: "silver", id, when, upstreams: [upstream], source });
  }
  const gold: TemplatePlan[] = [];
  for (let i = 0; i < counts.gold; i++) {
    const upstreams = silver.length > 0 ? random.sample(silver, random.int(1, Math.min(3, silver.length))) : [];
    const id = `mart_${pad(i)}`;
    gold.push({ key: `gold/${id}`, folder: "gold", id, when: anyOf(upstreams), upstreams });
  }
  const platinum: TemplatePlan[] = [];
  for (let i = 0; i < counts.platinum; i++) {
    const upstream = gold.length > 0 ? gold[i % gold.length] : undefined;
    const id = `report_${pad(i)}`;
    const upstreams = upstream ? [upstream] : [];
    platinum.push({ key: `platinum/${id}`, folder: "platinum", id, when: anyOf(upstreams), upstreams });
  }
  return [...plans, ...bronze, ...silver, ...gold, ...platinum];
}

function anyOf(upstreams: readonly TemplatePlan[]): string | undefined {
  const whens = [...new Set(upstreams.map((u) => u.when))];
  if (whens.length === 0 || whens.includes(undefined)) return undefined;
  return whens.length === 1 ? whens[0] : whens.map((w) => `(${w})`).join(" || ");
}

/** Template keys that no other template triggers or calls: safe targets for `enabled: false`. */
export function leafKeys(plans: readonly TemplatePlan[]): string[] {
  const used = new Set<string>([NOTIFY_KEY]);
  for (const plan of plans) for (const upstream of plan.upstreams) used.add(upstream.key);
  return plans.filter((plan) => !used.has(plan.key)).map((plan) => plan.key);
}

interface TextContext {
  random: SeededRandom;
  withShared: boolean;
  position: number;
  total: number;
}

/** The YAML text of one template. Every template starts with a `(revision 0)` description that edits bump. */
export function templateText(plan: TemplatePlan, ctx: TextContext): string {
  const lines: string[] = [];
  lines.push(`# Synthetic ${plan.folder} flow ${ctx.position + 1} of ${ctx.total}, generated by @flowops/bench.`);
  if (plan.when) lines.push(`$when: ${yamlString(plan.when)}`);
  lines.push(`id: ${plan.id}`);
  lines.push(`description: "${describe(plan)} for \${tenant.name} (revision 0)"`);
  lines.push("labels:", `  layer: ${plan.folder}`, "  tenant: ${tenant.code}");
  if (plan.source) lines.push(`  source: ${plan.source}`);
  switch (plan.folder) {
    case "shared":
      lines.push(...notifyBody());
      break;
    case "bronze":
      lines.push(...bronzeBody(plan, ctx));
      break;
    case "silver":
      lines.push(...silverBody(plan, ctx));
      break;
    case "gold":
      lines.push(...goldBody(plan, ctx));
      break;
    case "platinum":
      lines.push(...platinumBody(plan, ctx));
      break;
  }
  return lines.join("\n") + "\n";
}

function describe(plan: TemplatePlan): string {
  switch (plan.folder) {
    case "shared":
      return "Notify the team";
    case "bronze":
      return `Extract ${plan.source} billing data`;
    case "silver":
      return `Normalise ${plan.source} costs to FOCUS`;
    case "gold":
      return "Build a cost mart";
    case "platinum":
      return "Publish a report";
  }
}

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
function yamlString(value: string): string {
  return JSON.stringify(value);
}

function notifyBody(): string[] {
  return [
    "inputs:",
    "  - id: message",
    "    type: STRING",
    "  - id: severity",
    "    type: SELECT",
    "    values: [INFO, WARNING, ERROR]",
    "    defaults: INFO",
    "tasks:",
    "  - id: route",
    "    type: io.kestra.plugin.core.flow.Switch",
    '    value: "{{ inputs.severity }}"',
    "    cases:",
    "      ERROR:",
    "        - id: post_error",
    "          type: io.kestra.plugin.core.http.Request",
    "          uri: \"{{ secret('SLACK_WEBHOOK_URL') }}\"",
    "          method: POST",
    "          contentType: application/json",
    "          body: \"{{ {'text': inputs.message} | toJson }}\"",
    "        - $when: env.vars.paging",
    "          id: page_oncall",
    "          type: io.kestra.plugin.core.log.Log",
    "          level: ERROR",
    '          message: "Paging on-call: {{ inputs.message }}"',
    "    defaults:",
    "      - id: post_message",
    "        type: io.kestra.plugin.core.log.Log",
    '        message: "[{{ inputs.severity }}] {{ inputs.message }}"',
  ];
}

function errorsBlock(plan: TemplatePlan, ctx: TextContext): string[] {
  if (!ctx.withShared) {
    return ["errors:", "  - id: log_failure", "    type: io.kestra.plugin.core.log.Log", "    level: ERROR", '    message: "{{ flow.id }} failed"'];
  }
  return [
    "errors:",
    "  - id: notify_failure",
    "    type: io.kestra.plugin.core.flow.Subflow",
    "    namespace: ${tenant.code}.shared",
    "    flowId: notify",
    "    wait: false",
    "    inputs:",
    "      severity: ERROR",
    `      message: "${plan.id} failed (execution {{ execution.id }})"`,
  ];
}

function flowTrigger(plan: TemplatePlan): string[] {
  if (plan.upstreams.length === 0) return [];
  const lines = [
    "triggers:",
    "  - id: on_upstream",
    "    type: io.kestra.plugin.core.trigger.Flow",
    "    preconditions:",
    `      id: upstream_of_${plan.id}`,
    "      flows:",
  ];
  for (const upstream of plan.upstreams) {
    // An upstream narrower than this flow is listed only for the tenants that get it.
    if (upstream.when !== undefined && upstream.when !== plan.when) {
      lines.push(`        - $when: ${yamlString(upstream.when)}`, `          namespace: \${tenant.code}.${upstream.folder}`);
    } else {
      lines.push(`        - namespace: \${tenant.code}.${upstream.folder}`);
    }
    lines.push(`          flowId: ${upstream.id}`, "          states: [SUCCESS]");
  }
  return lines;
}

/** A few independent Log tasks so flows vary in size like real ones do. */
function fillerTasks(ctx: TextContext, prefix: string): string[] {
  const lines: string[] = [];
  const count = ctx.random.int(0, 4);
  for (let i = 0; i < count; i++) {
    lines.push(
      `  - id: ${prefix}_step_${i}`,
      "    type: io.kestra.plugin.core.log.Log",
      `    message: "Step ${i} of \${flow.id} for \${tenant.code} in \${env.name}"`,
    );
  }
  return lines;
}

function bronzeBody(plan: TemplatePlan, ctx: TextContext): string[] {
  const source = plan.source!;
  const minor = ctx.random.int(0, 30);
  const lines = [
    "inputs:",
    "  - id: lookback_days",
    "    type: INT",
    "    defaults: ${tenant.vars.lookbackDays}",
    "concurrency:",
    "  limit: 1",
    "tasks:",
    "  - id: extract",
    "    type: io.kestra.plugin.kubernetes.core.PodCreate",
    "    namespace: ${env.vars.k8sNamespace}",
    "    waitUntilRunning: PT10M",
    "    spec:",
    "      restartPolicy: Never",
    "      containers:",
    "        - name: extractor",
    `          image: ghcr.io/flowops-bench/${source}-extractor:1.${minor}.0`,
    "          args:",
    `            - --account=\${tenant.vars.accounts.${source}}`,
    "            - --out=${env.vars.lakeBucket}/${tenant.code}/bronze/${flow.id}",
    '            - "--lookback={{ inputs.lookback_days }}"',
    "          env:",
    `            - name: ${source.toUpperCase()}_TOKEN`,
    `              value: "{{ secret('${source.toUpperCase()}_READER_TOKEN') }}"`,
    "  - id: check_rows",
    "    type: io.kestra.plugin.core.flow.If",
    '    condition: "{{ outputs.extract.vars.rows > 0 }}"',
    "    then:",
    "      - id: log_rows",
    "        type: io.kestra.plugin.core.log.Log",
    '        message: "{{ outputs.extract.vars.rows }} rows landed"',
    "    else:",
    "      - id: warn_empty",
    "        type: io.kestra.plugin.core.log.Log",
    "        level: WARN",
    "        message: Nothing new since the last run",
  ];
  if (ctx.random.chance(0.5)) {
    lines.push(
      "  - $when: tenant.vars.carbonReporting == true",
      "    id: extract_emissions",
      "    type: io.kestra.plugin.kubernetes.core.PodCreate",
      "    namespace: ${env.vars.k8sNamespace}",
      "    spec:",
      "      restartPolicy: Never",
      "      containers:",
      "        - name: emissions",
      `          image: ghcr.io/flowops-bench/${source}-emissions@sha256:${"0123456789abcdef".repeat(4)}`,
      "          args:",
      "            - --out=${env.vars.lakeBucket}/${tenant.code}/bronze/emissions",
    );
  }
  lines.push(...fillerTasks(ctx, "bronze"));
  lines.push(...errorsBlock(plan, ctx));
  lines.push(
    "triggers:",
    "  - id: on_schedule",
    "    type: io.kestra.plugin.core.trigger.Schedule",
    "    cron: ${tenant.schedule}",
    "    timezone: ${tenant.timezone}",
  );
  return lines;
}

function silverBody(plan: TemplatePlan, ctx: TextContext): string[] {
  const branches = ctx.random.int(2, 4);
  const lines = ["tasks:", "  - id: normalize", "    type: io.kestra.plugin.core.flow.Parallel", "    tasks:"];
  for (let i = 0; i < branches; i++) {
    lines.push(
      `      - id: normalize_part_${i}`,
      "        type: io.kestra.plugin.scripts.python.Script",
      "        containerImage: ghcr.io/flowops-bench/focus-toolkit:2.1.0",
      "        env:",
      "          LAKE_URI: ${env.vars.lakeBucket}/${tenant.code}",
      `          PART: "${i}"`,
      "        script: |",
      "          from kestra import Kestra",
      `          Kestra.outputs({"rows": ${i + 1} * 1000})`,
    );
  }
  lines.push(
    "    errors:",
    "      - id: log_partial_failure",
    "        type: io.kestra.plugin.core.log.Log",
    "        level: WARN",
    "        message: A normalisation part failed",
    "  - id: check_quality",
    "    type: io.kestra.plugin.core.flow.If",
    '    condition: "{{ outputs.normalize_part_0.vars.rows == 0 }}"',
    "    then:",
    "      - id: fail_empty",
    "        type: io.kestra.plugin.core.execution.Fail",
    "        errorMessage: No rows after normalisation",
  );
  lines.push(...fillerTasks(ctx, "silver"));
  lines.push(...errorsBlock(plan, ctx));
  lines.push(...flowTrigger(plan));
  return lines;
}

function goldBody(plan: TemplatePlan, ctx: TextContext): string[] {
  const lines = [
    "variables:",
    "  budget: ${tenant.vars.monthlyBudget}",
    "tasks:",
    "  - id: build",
    "    type: io.kestra.plugin.core.flow.Parallel",
    "    tasks:",
    "      - id: by_team",
    "        type: io.kestra.plugin.jdbc.clickhouse.Query",
    "        url: jdbc:clickhouse://${env.vars.warehouseHost}:8443/${tenant.vars.warehouse}",
    "        username: \"{{ secret('CLICKHOUSE_USER') }}\"",
    "        password: \"{{ secret('CLICKHOUSE_PASSWORD') }}\"",
    `        sql: SELECT team, sum(cost) AS cost FROM focus_costs GROUP BY team`,
    "        fetchType: STORE",
    "      - id: tier_specific",
    "        type: io.kestra.plugin.core.flow.Switch",
    "        value: ${tenant.vars.tier}",
    "        cases:",
    "          gold:",
    "            - id: premium_views",
    "              type: io.kestra.plugin.core.log.Log",
    "              message: Building premium views",
    "        defaults:",
    "          - id: standard_views",
    "            type: io.kestra.plugin.core.log.Log",
    "            message: Building standard views",
    "  - id: over_budget",
    "    type: io.kestra.plugin.core.flow.If",
    '    condition: "{{ outputs.by_team.size > vars.budget }}"',
    "    then:",
    "      - id: log_over_budget",
    "        type: io.kestra.plugin.core.log.Log",
    '        message: "Over budget: {{ outputs.by_team.size }}"',
  ];
  lines.push(...fillerTasks(ctx, "gold"));
  lines.push(...errorsBlock(plan, ctx));
  lines.push(...flowTrigger(plan));
  return lines;
}

function platinumBody(plan: TemplatePlan, ctx: TextContext): string[] {
  const lines = [
    "inputs:",
    "  - id: regions",
    "    type: ARRAY",
    "    itemType: STRING",
    "    defaults: ${tenant.vars.regions}",
    "tasks:",
    "  - id: refresh_dashboard",
    "    type: io.kestra.plugin.core.http.Request",
    "    uri: ${env.vars.biUrl}/api/dashboards/${tenant.code}-${flow.id}/refresh",
    "    method: POST",
    "    headers:",
    "      Authorization: \"Bearer {{ secret('BI_TOKEN') }}\"",
  ];
  if (ctx.withShared) {
    lines.push(
      "  - id: announce",
      "    type: io.kestra.plugin.core.flow.Subflow",
      "    namespace: ${tenant.code}.shared",
      "    flowId: notify",
      "    wait: true",
      "    inputs:",
      '      message: "Report ${flow.id} refreshed for {{ inputs.regions | join(\', \') }} (HTTP {{ outputs.refresh_dashboard.code }})"',
    );
  }
  lines.push(...fillerTasks(ctx, "platinum"));
  lines.push(...errorsBlock(plan, ctx));
  lines.push(...flowTrigger(plan));
  return lines;
}
