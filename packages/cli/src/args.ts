import { UsageError } from "./io.js";

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
