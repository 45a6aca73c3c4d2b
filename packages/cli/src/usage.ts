// Every command's synopsis, apart from the command modules: `flowops --help`, `flowops <command> --help`
// and main's command table read these without loading any command (and the packages it pulls in).

export const LINT_USAGE = "flowops lint [--cwd DIR] [--ref REF] [--env ENV] [--tenant CODE]... [--format text|json|github|sarif]";
export const RENDER_USAGE = "flowops render [--cwd DIR] [--ref REF] [--env ENV] [--tenant CODE]... --out DIR";
export const IMPACT_USAGE = "flowops impact --base REF [--head REF] [--cwd DIR] [--env ENV|all] [--format text|json|markdown]";
export const GRAPH_USAGE = "flowops graph --tenant CODE [--env ENV] [--cwd DIR] [--ref REF] [--format mermaid|dot|json]";
export const PLAN_USAGE = `flowops plan --env ENV [--cwd DIR] [--kestra-url URL] [--baseline REF] [--prune] [--force] [--diff] [--format text|json]

  Reads Kestra and writes nothing: shows exactly what \`flowops deploy\` with the same flags would do
  (and exits as it would: 1 when it would be refused or a flow is blocked, 2 on repository problems).
  --prune     include deletes of managed flows Git no longer renders (a deleted tenant's too)
  --force     as deploy --force: go past the deploy.maxDeleteShare guard
  --diff      a unified diff (live -> Git) under every update
  --baseline  the commit last deployed: flows changed in Kestra since then show as drift`;
export const DEPLOY_USAGE = `flowops deploy --env ENV [--cwd DIR] [--kestra-url URL] [--baseline REF] [--prune] [--force] [--concurrency N] [--format text|json]

  Makes Kestra hold exactly what Git renders for ENV. Flows without the ownership label are never
  changed: hand them over with \`flowops adopt\`. Preview with \`flowops plan\` and the same flags.
  --prune     delete managed flows Git no longer renders (a deleted tenant's, a removed template's)
  --force     go past the deploy.maxDeleteShare guard (never past render problems)`;
export const ADOPT_USAGE = `flowops adopt --env ENV [--cwd DIR] [--kestra-url URL] [--yes] [--format text|json]

  Hands flows that Kestra holds without the ownership label (made by hand, by Terraform, by another
  tool) over to flowops, for those whose namespace and id Git renders in ENV. Shows, per flow, the
  diff from the live to the rendered source; writes nothing without --yes.
  --yes       write Git's rendered source, ownership labels included (a flow that differs only in
              its labels keeps everything else as it is)`;
export const STATUS_USAGE = "flowops status --env ENV [--cwd DIR] [--ref REF] [--kestra-url URL] [--since 24h|90m|7d] [--tenant CODE]... [--format text|json|markdown]";
export const SCHEMA_USAGE = "flowops schema export --out DIR | flowops schema pull --kestra-url URL [--cwd DIR]";
export const CI_USAGE = "flowops ci pr | flowops ci deploy --env ENV   (inside GitHub Actions)";
export const BOT_USAGE = "flowops bot serve [--port N]   (GitHub App webhook server)";
export const START_USAGE = "flowops start [--cwd DIR]";
export const TENANT_USAGE = "flowops tenant add CODE [--cwd DIR] [--name NAME] [--source NAME]... [--env ENV]... [--set PATH=VALUE]...";
export const IMPORT_FLOWS_USAGE = "flowops import flows --from DIR | --kestra-url URL [--env ENV] --out DIR [--namespace-pattern P] [--format text|json]";
export const IMPORT_TERRAFORM_USAGE = "flowops import terraform DIR --out DIR [--env ENV] [--format text|json]";
