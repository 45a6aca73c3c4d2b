import { UsageError, type CommandIO } from "./io.js";

/**
 * One `flowops` command. `usage` is its synopsis (one line per form), printed by
 * `flowops <command> --help` (or `-h`, or `flowops help <command>`) and in `flowops --help`;
 * `summary` says in one sentence what it does. A new command adds its synopsis to usage.ts and one
 * entry to `COMMANDS` in main.ts (its `run` importing the command module, so no other command pays
 * for loading it) and gets its help for free; `test/cli-help.test.ts` checks every entry.
 */
export interface Command {
  usage: string;
  summary: string;
  run: (argv: string[], io: CommandIO) => Promise<number>;
}

/** Whether the arguments ask for help (`--help` or `-h` anywhere before a `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

/** What `flowops <name> --help` prints. */
export function commandHelp(name: string, command: Command): string {
  return `usage: ${command.usage}\n\n${command.summary}\n\nExit codes: 0 success, 1 findings, 2 usage, configuration or repository errors.\nAll commands: flowops --help. This one: flowops ${name} --help.\n`;
}

/** Runs node's strict flag parser; an unknown flag or a missing value becomes a usage error. */
export function withUsage<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\nusage: ${usage}`);
  }
}

export const repositoryFlags = {
  cwd: { type: "string" },
  ref: { type: "string" },
  env: { type: "string" },
  tenant: { type: "string", multiple: true },
} as const;
