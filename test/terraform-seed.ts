/**
 * A Terraform set-up modelled on the seed story: one kestra_flow resource per customer, each flow
 * from `flows/tenant/<layer>/<id>.yaml.tftpl` through templatefile(), `%{ if src_cloud_* == 1 }`
 * blocks around tasks, preconditions and keys.
 */
function customer(name: string, code: string, options: { aws: number; gcp: number; azure: number; schedule: string; warehouse: string; budget: number; files?: string }): string {
  return `resource "kestra_flow" "${name}" {
  for_each  = fileset("\${path.module}/flows/tenant", "${options.files ?? "**/*.yaml.tftpl"}")
  namespace = format("%s.%s", "${code}", dirname(each.value))
  flow_id   = trimsuffix(basename(each.value), ".yaml.tftpl")
  content = templatefile("\${path.module}/flows/tenant/\${each.value}", {
    tenant_code      = "${code}"
    src_cloud_aws    = ${options.aws}
    src_cloud_gcp    = ${options.gcp}
    src_cloud_azure  = ${options.azure}
    default_schedule = "${options.schedule}"
    warehouse        = "${options.warehouse}"
    monthly_budget   = ${options.budget}
  })
}
`;
}

const bronze = (source: string, image: string) => `# Bronze: ${source} billing export for one customer.
id: ${source}_costs
namespace: \${tenant_code}.bronze
labels:
  layer: bronze
  tenant: \${tenant_code}
tasks:
%{ if src_cloud_${source} == 1 }
  - id: extract
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: ${image}
    commands:
      - extract --tenant \${tenant_code} --out s3://lake/\${tenant_code}/bronze/${source}
%{ endif }
  - id: log_done
    type: io.kestra.plugin.core.log.Log
    message: "${source} for \${tenant_code}: {{ execution.id }}"
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "\${default_schedule}"
`;

export const TERRAFORM_SEED: Record<string, string> = {
  "main.tf": `terraform {
  required_providers {
    kestra = {
      source  = "kestra-io/kestra"
      version = "~> 0.22"
    }
  }
}

provider "kestra" {
  url = "http://localhost:8080"
}

${customer("customer_1", "customer_1", { aws: 1, gcp: 1, azure: 0, schedule: "30 0 * * *", warehouse: "cust1_dw", budget: 50000 })}
${customer("customer_2", "customer_2", { aws: 0, gcp: 1, azure: 1, schedule: "0 2 * * *", warehouse: "cust2_dw", budget: 12000, files: "{bronze,silver}/*.yaml.tftpl" })}`,
  "customer_3.tf": customer("customer_3", "customer_3", { aws: 1, gcp: 0, azure: 1, schedule: "15 1 * * 1-5", warehouse: "cust3_dw", budget: 90000 }),
  "flows/tenant/bronze/aws_costs.yaml.tftpl": bronze("aws", "ghcr.io/acme/aws-cur:2.1.0"),
  "flows/tenant/bronze/gcp_costs.yaml.tftpl": bronze("gcp", "ghcr.io/acme/gcp-billing:1.4.2"),
  "flows/tenant/bronze/azure_costs.yaml.tftpl": bronze("azure", "ghcr.io/acme/azure-cost:3.0.1"),
  "flows/tenant/silver/costs_focus.yaml.tftpl": `# Silver: every source's bill in FOCUS 1.1, once the sources the customer has are in.
id: costs_focus
namespace: \${tenant_code}.silver
tasks:
  - id: transform
    type: io.kestra.plugin.jdbc.clickhouse.Query
    sql: INSERT INTO \${warehouse}.focus_costs SELECT * FROM staging_costs
triggers:
  - id: on_bronze
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: bronze_done
      flows:
%{ if src_cloud_aws == 1 }
        - namespace: \${tenant_code}.bronze
          flowId: aws_costs
          states: [SUCCESS]
%{ endif }
%{ if src_cloud_gcp == 1 }
        - namespace: \${tenant_code}.bronze
          flowId: gcp_costs
          states: [SUCCESS]
%{ endif }
%{ if src_cloud_azure == 1 }
        - namespace: \${tenant_code}.bronze
          flowId: azure_costs
          states: [SUCCESS]
%{ endif }
`,
  "flows/tenant/silver/usage_daily.yaml.tftpl": `id: usage_daily
namespace: \${tenant_code}.silver
variables:
  warehouse: \${warehouse}
  aws_enabled: \${src_cloud_aws}
tasks:
  - id: aggregate
    type: io.kestra.plugin.jdbc.clickhouse.Query
    # A shell-style $\${...} stays literal for Kestra.
    sql: "SELECT '$\${not_a_var}' AS marker FROM \${warehouse}.usage"
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "\${default_schedule}"
`,
  "flows/tenant/gold/cost_allocation.yaml.tftpl": `id: cost_allocation
namespace: \${tenant_code}.gold
variables:
  budget: \${monthly_budget}
tasks:
  - id: allocate
    type: io.kestra.plugin.jdbc.clickhouse.Query
    sql: CALL allocate('\${warehouse}')
%{ if src_cloud_aws == 1 }
# Only one allocation at a time where the AWS export lands late.
concurrency:
  limit: 1
  behavior: QUEUE
%{ endif }
pluginDefaults:
  - type: io.kestra.plugin.jdbc.clickhouse
    values:
      url: jdbc:clickhouse://warehouse:8123/\${warehouse}
`,
  "flows/tenant/gold/cost_forecast.yaml.tftpl": `id: cost_forecast
namespace: \${tenant_code}.gold
tasks:
  - id: forecast
    type: io.kestra.plugin.scripts.python.Script
    containerImage: ghcr.io/acme/forecast:0.3.0
    script: |
      import os
      print("forecast for \${tenant_code} in \${warehouse}")
triggers:
  - id: after_allocation
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: allocated
      flows:
        - namespace: \${tenant_code}.gold
          flowId: cost_allocation
          states: [SUCCESS]
`,
  "flows/tenant/gold/budget_alerts.yaml.tftpl": `id: budget_alerts
namespace: \${tenant_code}.gold
tasks:
%{ if monthly_budget == 90000 }
  - id: page_finance
    type: io.kestra.plugin.core.log.Log
    message: large budget
%{ else }
  - id: mail_finance
    type: io.kestra.plugin.core.log.Log
    message: small budget
%{ endif }
  - id: check
    type: io.kestra.plugin.core.log.Log
    message: "budget \${monthly_budget}"
`,
};
