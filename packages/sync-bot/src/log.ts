import { redact } from "@flowops/redact";
import type { BotLogger } from "./types.js";

/** `log` with every message scrubbed of credentials (header values, known secrets, URL user info). */
export function scrubbingLogger(log: BotLogger): BotLogger {
  return {
    info: (message) => log.info(redact(message)),
    warn: (message) => log.warn(redact(message)),
    error: (message) => log.error(redact(message)),
  };
}
