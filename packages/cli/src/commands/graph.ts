import { parseArgs } from "node:util";
import { render } from "@flowops/render";
import { formatGraphDot, formatGraphJson, formatGraphMermaid, graph } from "@flowops/tenant-diff";
import { withUsage } from "../args.js";
import { EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "../io.js";
import { printProblems } from "../problems.js";
import { loadSelection } from "../selection.js";
import { GRAPH_USAGE as USAGE } from "../usage.js";

const FORMATS = { mermaid: formatGraphMermaid, dot: formatGraphDot, json: formatGraphJson } as const;

/** `flowops graph`: a tenant's flows and the Flow-trigger and Subflow edges between them. */
export async function graphCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = withUsage(
    () =>
      parseArgs({
        args: argv,
        options: { tenant: { type: "string" }, env: { type: "string" }, cwd: { type: "string" }, ref: { type: "string" }, format: { type: "string", default: "mermaid" } },
        strict: true,
        allowPositionals: false,
      }),
    USAGE,
  );
  if (!values.tenant) throw new UsageError(`--tenant is required\n\nusage: ${USAGE}`);
  if (!Object.hasOwn(FORMATS, values.format)) throw new UsageError(`unknown format "${values.format}"; expected mermaid, dot or json\n\nusage: ${USAGE}`);
  const selection = await loadSelection({ ...values, tenant: [values.tenant] }, io);
  const env = values.env ?? selection.envs[0]!;
  const result = render(selection.repository, { envs: [env], tenants: [values.tenant] });
  const problems = [...selection.repository.problems, ...result.problems];
  if (problems.length > 0) {
    printProblems(problems, io.stderr);
    return EXIT_USAGE;
  }
  const flowGraph = graph(result.flows, { tenant: values.tenant, env });
  io.stdout(FORMATS[values.format as keyof typeof FORMATS](flowGraph));
  return EXIT_OK;
}
