import { readRepository, type FlowRepository, type RenderOptions } from "@flowops/render";
import { UsageError, type CommandIO } from "./io.js";
import { resolve } from "node:path";

export interface Selection {
  repository: FlowRepository;
  envs: string[];
  options: RenderOptions;
}

/** Reads the repository named by --cwd/--ref and checks --env and --tenant against it. */
export async function loadSelection(values: { cwd?: string; ref?: string; env?: string; tenant?: string[] }, io: CommandIO): Promise<Selection> {
  const repository = await readRepository({ cwd: resolve(io.cwd, values.cwd ?? "."), ...(values.ref ? { ref: values.ref } : {}) });
  if (repository.templates.length === 0 && repository.problems.length === 0) {
    // Never "No problems found" for a repository where nothing was looked at.
    throw new UsageError(
      repository.mode === "plain"
        ? `0 flows found in ${repository.root}: a plain Kestra repository's flows are YAML files with id, namespace and tasks at the top (searched everywhere but node_modules, .git and dot-folders); pass --cwd with the repository folder`
        : `0 flow templates found in ${repository.root}/${repository.config.flowsDir}/; put the templates there (or point \`flows:\` in flowops.config.yaml at their folder)`,
    );
  }
  const known = repository.config.environments.map((e) => e.name);
  if (values.env && !known.includes(values.env)) {
    throw new UsageError(`unknown environment "${values.env}"; the repository defines: ${known.join(", ")}`);
  }
  const tenants = values.tenant ?? [];
  const missing = tenants.filter((code) => !repository.tenants.some((t) => t.code === code));
  if (missing.length > 0 && repository.problems.every((p) => p.code !== "tenant-schema")) {
    throw new UsageError(`unknown tenant(s): ${missing.join(", ")}; the repository has: ${repository.tenants.map((t) => t.code).join(", ") || "none"}`);
  }
  const envs = values.env ? [values.env] : known;
  return { repository, envs, options: { envs, ...(tenants.length ? { tenants } : {}) } };
}
