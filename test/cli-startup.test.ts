import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { gitRepo, repoRoot, tempDir } from "./support.js";

// Every module URL a `flowops` process resolves, recorded by a module resolve hook registered
// before the CLI starts (`node --import`): what really loads, transitive imports included.
const HOOKS = `import { appendFileSync } from "node:fs";
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + "\\n");
  return result;
}
`;

async function modulesLoadedBy(argv: string[]): Promise<{ code: number | null; stdout: string; modules: string[] }> {
  const dir = tempDir("flowops-startup-");
  const log = join(dir, "modules.log");
  writeFileSync(log, "");
  writeFileSync(join(dir, "hooks.mjs"), HOOKS);
  writeFileSync(
    join(dir, "register.mjs"),
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)}, { data: { log: ${JSON.stringify(log)} } });\n`,
  );
  const child = spawn(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, join(repoRoot, "packages/cli/bin/flowops.js"), ...argv], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(stderr).toBe("");
  const modules = [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))].map((url) => url.replaceAll("\\", "/"));
  return { code, stdout, modules };
}

/** Modules of the commands that talk to Kestra or GitHub, and the HTTP and GitHub clients they pull in. */
const FOREIGN_TO_LINT = /\/packages\/cli\/dist\/commands\/(?!lint\.js$)|\/packages\/(sync-bot|deploy|status|kestra|import|tenant-diff)\/|\/node_modules\/(@octokit|octokit|undici)\//;

describe("flowops start-up loads only the command that runs", () => {
  it("`flowops lint` loads the lint command, and no other command or its packages", async () => {
    const { dir } = await gitRepo({
      "flowops.config.yaml": "environments:\n  staging: {}\n",
      "tenants/acme.yaml": "code: acme\n",
      "flows/bronze/hello.yaml": "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    });
    const { code, stdout, modules } = await modulesLoadedBy(["lint", "--format", "json", "--cwd", dir]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ diagnostics: [], errorCount: 0 });
    // The recorder sees the command itself: a run that loaded nothing would not pass.
    expect(modules.some((url) => url.endsWith("/packages/cli/dist/commands/lint.js"))).toBe(true);
    expect(modules.filter((url) => FOREIGN_TO_LINT.test(url))).toEqual([]);
    // The schemas' plain copies stand in for TypeBox's at run time (its ~200 modules cost ~0.15 s).
    expect(modules.some((url) => url.includes("/packages/schemas/dist/json-schemas.js"))).toBe(true);
    expect(modules.filter((url) => url.includes("/@sinclair/typebox/"))).toEqual([]);
    expect(modules.some((url) => url.includes("/packages/schemas/dist/validators.js"))).toBe(true);
    // A working tree is read without Git: simple-git loads only for --ref, impact and the like.
    expect(modules.filter((url) => url.includes("/node_modules/simple-git/"))).toEqual([]);
  });

  it("`flowops --help` loads no command module and none of the packages that read a repository", async () => {
    const { code, stdout, modules } = await modulesLoadedBy(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("flowops lint");
    expect(modules.some((url) => url.endsWith("/packages/cli/dist/main.js"))).toBe(true);
    expect(modules.filter((url) => /\/packages\/cli\/dist\/commands\/|\/packages\/(render|lint|schemas|flow-model)\//.test(url))).toEqual([]);
  });
});

describe("the built-in schema validators", () => {
  it("validate with ajv's pre-generated code: ajv's compiler is loaded only for a platform's own schema", () => {
    // ajv is CommonJS, so require's cache shows whether it was loaded.
    const script = `
      import { createRequire } from "node:module";
      import { compileJsonSchema, validatorFor } from "@flowops/schemas";
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => /[\\/]ajv[\\/]dist[\\/]ajv\.js$/.test(file));
      const violations = validatorFor("flow")({ id: "a", namespace: "Bad", tasks: [] });
      const before = loaded();
      compileJsonSchema({ type: "object" });
      console.log(JSON.stringify({ violations: violations.length, before, after: loaded() }));
    `;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: join(repoRoot, "packages/cli"), encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({ violations: 2, before: false, after: true });
  });
});
