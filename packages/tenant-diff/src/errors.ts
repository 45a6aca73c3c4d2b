/**
 * An impact that cannot be computed honestly: an unreadable ref, no merge base, a render problem
 * on either side. The CLI maps it to exit code 2 (usage, configuration or repository error).
 */
export class ImpactError extends Error {
  readonly exitCode = 2;
  override readonly name = "ImpactError";
  constructor(
    message: string,
    readonly details: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(details.length > 0 ? `${message}\n${details.map((line) => `  ${line}`).join("\n")}` : message, options);
  }
}
