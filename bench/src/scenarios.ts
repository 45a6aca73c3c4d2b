import { readRepository, render } from "@flowops/render";

/** One timed figure of a scenario, printed with the size it ran at. */
export interface Figure {
  name: string;
  value: number;
  unit: "ms" | "MB" | "count" | "ratio";
  /** The target from the issue, if any (same unit). */
  target?: number;
}

export interface ScenarioContext {
  /** A generated platform (Git repository) at the scenario's size. */
  dir: string;
  tenants: number;
  templates: number;
}

export interface Scenario {
  name: string;
  description: string;
  run(context: ScenarioContext): Promise<Figure[]>;
}

export function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Rendering a whole platform to memory: read (parse each template once), then render every tenant. */
export const renderScenario: Scenario = {
  name: "render",
  description: "read the repository and render every tenant's flows for the first environment, to memory",
  async run({ dir }) {
    const started = performance.now();
    const repository = await readRepository({ cwd: dir });
    const read = elapsed(started);
    const renderStarted = performance.now();
    const env = repository.config.environments[0]!.name;
    const { flows, problems } = render(repository, { envs: [env] });
    const rendered = elapsed(renderStarted);
    if (problems.length > 0) throw new Error(`the bench platform has render problems: ${problems[0]!.message}`);
    const allStarted = performance.now();
    const all = render(repository);
    const allEnvs = elapsed(allStarted);
    return [
      { name: `flows rendered (${env})`, value: flows.length, unit: "count" },
      { name: "read + parse templates and tenants", value: read, unit: "ms" },
      { name: `render ${env}`, value: rendered, unit: "ms" },
      { name: "read + render total", value: Math.round((read + rendered) * 10) / 10, unit: "ms", target: 2000 },
      { name: `render all environments (${all.flows.length} flows)`, value: allEnvs, unit: "ms" },
      { name: "peak memory (RSS)", value: peakRssMb(), unit: "MB", target: 1024 },
    ];
  },
};

export const scenarios: Scenario[] = [renderScenario];
