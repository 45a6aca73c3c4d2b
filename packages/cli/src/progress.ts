import type { KestraRetryEvent } from "@flowops/kestra";
import type { CommandIO } from "./io.js";

/**
 * On a terminal, a line on stderr for each retry of a Kestra request: what is waited for (method
 * and path, never credentials), which try comes next, and the time spent against the limit.
 * Elsewhere (CI logs, pipes) nothing: the final error says it all.
 */
export function kestraRetryProgress(io: CommandIO): { onRetry?: (event: KestraRetryEvent) => void } {
  if (!io.isTTY) return {};
  return {
    onRetry: (event) =>
      io.stderr(
        `waiting for Kestra: ${event.method} ${event.path}: ${event.reason}; try ${event.attempt + 1} of ${event.maxAttempts} in ${seconds(event.waitMs)} (${seconds(event.elapsedMs)} spent, at most ${seconds(event.totalTimeoutMs)})\n`,
      ),
  };
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
