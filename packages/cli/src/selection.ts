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
