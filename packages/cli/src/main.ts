import { redact, registerSecretsFromEnvironment } from "@flowops/redact";
import { commandHelp, wantsHelp, type Command } from "./args.js";
import { EXIT_USAGE, processIO, UsageError, type CommandIO } from "./io.js";
import {
  ADOPT_USAGE,
  BOT_USAGE,
  CI_USAGE,
  DEPLOY_USAGE,
  GRAPH_USAGE,
  IMPACT_USAGE,
  IMPORT_FLOWS_USAGE,
  IMPORT_TERRAFORM_USAGE,
  LINT_USAGE,
  PLAN_USAGE,
  RENDER_USAGE,
  SCHEMA_USAGE,
  START_USAGE,
  STATUS_USAGE,
  TENANT_USAGE,
} from "./usage.js";

/**
 * Every command, in the order `flowops --help` lists them. Each is loaded only when it runs: a
 * command's module pulls in its packages (the bot's octokit, deploy's HTTP client, ...), and
 * `flowops lint` should not pay for those at every start.
 */
const COMMANDS: Record<string, Command> = {
  lint: { run: async (argv, io) => (await import("./commands/lint.js")).lintCommand(argv, io), usage: LINT_USAGE, summary: "Lint every flow every tenant would get, offline; each problem once, at its template line, with the tenants it affects. Exit 1 on errors." },
  render: { run: async (argv, io) => (await import("./commands/render.js")).renderCommand(argv, io), usage: RENDER_USAGE, summary: "Write DIR/<env>/<namespace>/<id>.yaml, exactly the source that would be deployed; nothing at all when any file has a problem." },
  impact: { run: async (argv, io) => (await import("./commands/impact.js")).impactCommand(argv, io), usage: IMPACT_USAGE, summary: "Per tenant, the deployed flows a change touches against the merge base of --base, why, and the flows downstream. Exit 1 when a side has render problems (the report still shows what renders)." },
  graph: { run: async (argv, io) => (await import("./commands/graph.js")).graphCommand(argv, io), usage: GRAPH_USAGE, summary: "A tenant's flows and the Flow-trigger and Subflow edges between them." },
  plan: { run: async (argv, io) => (await import("./commands/deploy.js")).planCommand(argv, io), usage: PLAN_USAGE, summary: "What a deploy of one environment would do, read from Kestra; writes nothing. --baseline REF (the commit last deployed) shows flows changed outside Git as drift." },
  deploy: { run: async (argv, io) => (await import("./commands/deploy.js")).deployCommand(argv, io), usage: DEPLOY_USAGE, summary: "Make Kestra hold exactly what Git renders for one environment; --baseline REF as for plan." },
  adopt: { run: async (argv, io) => (await import("./commands/adopt.js")).adoptCommand(argv, io), usage: ADOPT_USAGE, summary: "Hand flows Kestra holds without the ownership label, and that Git renders, over to flowops: the diff per flow, written with --yes." },
  status: { run: async (argv, io) => (await import("./commands/status.js")).statusCommand(argv, io), usage: STATUS_USAGE, summary: "Per tenant: sync with Git (missing, drifted, unmanaged flows) and the health of recent executions; --format markdown is the morning report. Exit 1 when a tenant is out of sync or an execution failed." },
  schema: { run: async (argv, io) => (await import("./commands/schema.js")).schemaCommand(argv, io), usage: SCHEMA_USAGE, summary: "Export JSON Schemas for editors, or pull a Kestra server's flow schema for offline, exact linting." },
  ci: { run: async (argv, io) => (await import("./commands/bot.js")).ciCommand(argv, io), usage: CI_USAGE, summary: "The sync bot inside GitHub Actions, reading the GITHUB_* variables: check a pull request, or deploy after a merge." },
  bot: { run: async (argv, io) => (await import("./commands/bot.js")).botCommand(argv, io), usage: BOT_USAGE, summary: "The sync bot as a GitHub App webhook server; serves until SIGTERM or SIGINT." },
  start: { run: async (argv, io) => (await import("./commands/start.js")).startCommand(argv, io), usage: START_USAGE, summary: "The main job on a platform: render every tenant for every environment, lint, summarise per tenant, and show the impact of the working tree against HEAD." },
  tenant: {
    run: async (argv, io) => (await import("./commands/tenant.js")).tenantCommand(argv, io),
    usage: TENANT_USAGE,
    summary: "Write tenants/CODE.yaml from flags (or prompts on a terminal) for what the tenant schema and the platform's vars schema require, validate it, and print the flows the tenant will get.",
  },
  import: {
    run: async (argv, io) => (await import("./commands/import.js")).importCommand(argv, io),
    usage: `${IMPORT_FLOWS_USAGE}\n${IMPORT_TERRAFORM_USAGE}`,
    summary: "Factor per-tenant flows (an exported folder, a live Kestra, or a Terraform templatefile set-up) into templates and tenant files, and prove it by rendering them back equal.",
  },
};

const HELP = `flowops: GitOps for multi-tenant Kestra data platforms

usage:
${Object.values(COMMANDS)
  .flatMap((command) => command.usage.split("\n").filter((line) => line.trim().startsWith("flowops ")).map((line) => `  ${line.trim()}`))
  .join("\n")}

\`flowops <command> --help\` describes one command.

Kestra credentials: KESTRA_USERNAME + KESTRA_PASSWORD, or KESTRA_TOKEN (or the variables the
config names per environment); --kestra-url overrides the configured URL.

Exit codes: 0 success, 1 findings, 2 usage, configuration or repository errors.
`;

/** Runs one flowops command and returns its exit code; never throws for user errors. */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h") {
    io.stdout(HELP);
    return command ? 0 : EXIT_USAGE;
  }
  const helpFor = command === "help" ? rest[0] : undefined;
  const spec = Object.hasOwn(COMMANDS, helpFor ?? command) ? COMMANDS[helpFor ?? command] : undefined;
  if (command === "help" && helpFor === undefined) {
    io.stdout(HELP);
    return 0;
  }
  if (!spec) {
    io.stderr(`flowops: unknown command "${helpFor ?? command}"\n\n${HELP}`);
    return EXIT_USAGE;
  }
  // Every secret-named variable's value is scrubbed from whatever flowops prints from now on.
  registerSecretsFromEnvironment(io.env);
  if (helpFor !== undefined || wantsHelp(rest)) {
    io.stdout(commandHelp(helpFor ?? command, spec));
    return 0;
  }
  try {
    return await spec.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && (await isRepositoryError(error)))) {
      io.stderr(`flowops ${command}: ${redact(error.message)}\n`);
      return EXIT_USAGE;
    }
    // An unexpected error: its text (and stack) can hold what a library put there, a header value included.
    io.stderr(`flowops ${command}: ${redact(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    return EXIT_USAGE;
  }
}

/** A repository problem (exit 2, no stack); @flowops/render is loaded here only when something failed. */
async function isRepositoryError(error: Error): Promise<boolean> {
  const { RepositoryError } = await import("@flowops/render");
  return error instanceof RepositoryError;
}

export { COMMANDS };
export type { CommandIO };
