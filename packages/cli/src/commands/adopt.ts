import { parseArgs } from "node:util";
import { adoptEnvironment, DeployRefusedError, formatAdoptionText } from "@flowops/deploy";
import { withUsage } from "../args.js";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "../io.js";
import { kestraClientFor, reportKestraApiError } from "../kestra-connection.js";
import { loadSelection } from "../selection.js";
import { ADOPT_USAGE } from "../usage.js";

/** `flowops adopt`: show, and with --yes carry out, the take-over of unlabelled flows Git renders. */
export async function adoptCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(
    () =>
      parseArgs({
        args: argv,
        options: {
          cwd: { type: "string" },
          env: { type: "string" },
          "kestra-url": { type: "string" },
          yes: { type: "boolean", default: false },
          format: { type: "string", default: "text" },
        },
        strict: true,
        allowPositionals: false,
      }),
    ADOPT_USAGE,
  );
  if (values.format !== "text" && values.format !== "json") throw new UsageError(`unknown format "${values.format}"; expected text or json\n\nusage: ${ADOPT_USAGE}`);
  const { repository, envs } = await loadSelection(values, io);
  const env = envs[0]!;
  try {
    const report = await adoptEnvironment({
      repository,
      env,
      kestra: (environment) => kestraClientFor(environment, values["kestra-url"], io),
      write: values.yes,
    });
    io.stdout(values.format === "json" ? JSON.stringify(report, null, 2) + "\n" : formatAdoptionText(report, values.yes));
    return report.summary.failed > 0 ? EXIT_FINDINGS : EXIT_OK;
  } catch (error) {
    if (error instanceof DeployRefusedError) {
      io.stderr(`flowops adopt: ${error.message}\nNothing was written.\n`);
      return EXIT_USAGE;
    }
    const exitCode = reportKestraApiError(error, "adopt", io);
    if (exitCode !== undefined) return exitCode;
    throw error;
  }
}
