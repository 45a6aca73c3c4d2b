import { KestraApiError, KestraConfigError, kestraClientFromEnvironment, type KestraClient, type KestraEnvironmentConfig } from "@flowops/kestra";
import { EXIT_FINDINGS, UsageError, type CommandIO } from "./io.js";
import { kestraRetryProgress } from "./progress.js";

/**
 * The Kestra client a command talks to: `--kestra-url` (when given) over the environment's url,
 * credentials from the operator's environment variables. A setting that cannot make a client
 * (KestraConfigError, or the TypeError of a malformed URL) is a usage error, exit 2.
 */
export function kestraClientFor(
  environment: KestraEnvironmentConfig,
  kestraUrl: string | undefined,
  io: CommandIO,
  options: { retryProgress?: boolean } = {},
): KestraClient {
  try {
    return kestraClientFromEnvironment(environment, { ...(kestraUrl ? { url: kestraUrl } : {}), variables: io.env, ...(options.retryProgress ? kestraRetryProgress(io) : {}) });
  } catch (error) {
    if (error instanceof KestraConfigError || error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
}

/** Kestra answered with an error: `flowops <command>: <message>` on stderr and exit 1; undefined for any other error. */
export function reportKestraApiError(error: unknown, command: string, io: CommandIO): number | undefined {
  if (!(error instanceof KestraApiError)) return undefined;
  io.stderr(`flowops ${command}: ${error.message}\n`);
  return EXIT_FINDINGS;
}
