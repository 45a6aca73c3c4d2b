import { RepositoryError } from "@flowops/render";
import { botCommand, ciCommand } from "./commands/bot.js";
import { deployCommand, planCommand } from "./commands/deploy.js";
import { graphCommand } from "./commands/graph.js";
import { impactCommand } from "./commands/impact.js";
import { lintCommand } from "./commands/lint.js";
import { renderCommand } from "./commands/render.js";
import { schemaCommand } from "./commands/schema.js";
import { startCommand } from "./commands/start.js";
import { EXIT_USAGE, processIO, UsageError, type CommandIO } from "./io.js";

const COMMANDS: Record<string, (argv: string[], io: CommandIO) => Promise<number>> = {
  lint: lintCommand,
  impact: impactCommand,
  graph: graphCommand,
  ci: ciCommand,
  bot: botCommand,
  render: renderCommand,
  plan: planCommand,
  deploy: deployCommand,
  schema: schemaCommand,
  start: startCommand,
  // Loaded on use: the importers' parsers are not needed by the other commands.
  import: async (argv, io) => (await import("./commands/import.js")).importCommand(argv, io),
  tenant: async (argv, io) => (await import("./commands/tenant.js")).tenantCommand(argv, io),
};

const HELP = `flowops: GitOps for multi-tenant Kestra data platforms

usage:
  flowops lint    [--cwd DIR] [--ref REF] [--env ENV] [--tenant CODE]... [--format text|json|github|sarif]
  flowops render  [--cwd DIR] [--ref REF] [--env ENV] [--tenant CODE]... --out DIR
  flowops impact  --base REF [--head REF] [--cwd DIR] [--env ENV|all] [--format text|json|markdown]
  flowops graph   --tenant CODE [--env ENV] [--format mermaid|dot|json]
  flowops plan    --env ENV [--cwd DIR] [--kestra-url URL] [--format text|json]
  flowops deploy  --env ENV [--cwd DIR] [--kestra-url URL] [--prune] [--force] [--format text|json]
  flowops schema  export --out DIR
  flowops schema  pull --kestra-url URL [--cwd DIR]
  flowops ci      pr | deploy --env ENV      (inside GitHub Actions; GITHUB_* variables)
  flowops bot     serve [--port N]           (GitHub App webhook server)
  flowops start   [--cwd DIR]      the main job on a platform (render, lint and summarise)
  flowops tenant  add CODE [--name NAME] [--source NAME]... [--env ENV]... [--set PATH=VALUE]...
  flowops import  flows --from DIR|--kestra-url URL [--env ENV] --out DIR [--namespace-pattern P]
  flowops import  terraform DIR --out DIR [--env ENV]

Kestra credentials: KESTRA_USERNAME + KESTRA_PASSWORD, or KESTRA_TOKEN (or the variables the
config names per environment); --kestra-url overrides the configured URL.

Exit codes: 0 success, 1 findings, 2 usage, configuration or repository errors.
`;

/** Runs one flowops command and returns its exit code; never throws for user errors. */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    io.stdout(HELP);
    return command ? 0 : EXIT_USAGE;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr(`flowops: unknown command "${command}"\n\n${HELP}`);
    return EXIT_USAGE;
  }
  try {
    return await run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RepositoryError) {
      io.stderr(`flowops ${command}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

export { COMMANDS };
export type { CommandIO };
