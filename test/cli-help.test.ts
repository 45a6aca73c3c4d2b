import { spawn } from "node:child_process";
import { join } from "node:path";
import { COMMANDS, main } from "@flowops/cli";
import { describe, expect, it } from "vitest";
import { captureIO, gitRepo, repoRoot } from "./support.js";

const names = Object.keys(COMMANDS);

describe("flowops --help", () => {
  it("knows every command", () => {
    expect(names).toEqual(expect.arrayContaining(["lint", "render", "impact", "graph", "plan", "deploy", "schema", "ci", "bot", "start"]));
  });

  it.each(names.flatMap((name) => [[name, "--help"], [name, "-h"]]))("flowops %s %s prints its own usage and exits 0", async (name, flag) => {
    const io = captureIO(repoRoot);
    expect(await main([name, flag], io)).toBe(0);
    expect(io.out().startsWith(`usage: ${COMMANDS[name]!.usage}\n`)).toBe(true);
    expect(io.err()).toBe("");
  });

  it("answers help after other flags and actions, and `flowops help <command>`", async () => {
    for (const argv of [["lint", "--format", "json", "--help"], ["ci", "pr", "--help"], ["schema", "pull", "-h"], ["help", "impact"]]) {
      const io = captureIO(repoRoot);
      expect(await main(argv, io), argv.join(" ")).toBe(0);
      expect(io.out()).toContain(`usage: flowops ${argv[0] === "help" ? argv[1] : argv[0]}`);
    }
    const unknown = captureIO(repoRoot);
    expect(await main(["help", "nope"], unknown)).toBe(2);
    expect(unknown.err()).toContain('unknown command "nope"');
  });

  it("lists every command's usage in the top-level help, --baseline included", async () => {
    const io = captureIO(repoRoot);
    expect(await main(["--help"], io)).toBe(0);
    // Each synopsis line (a usage may add lines that explain its flags; those are for `<command> --help`).
    for (const command of Object.values(COMMANDS)) {
      for (const line of command.usage.split("\n").filter((l) => l.trim().startsWith("flowops "))) expect(io.out()).toContain(line.trim());
    }
    expect(io.out()).toMatch(/flowops plan .*--baseline REF/);
    expect(io.out()).toMatch(/flowops deploy .*--baseline REF/);
  });
});

describe("a closed stdout", () => {
  it("ends `flowops start | head -1` quietly: no EPIPE, no stack trace", async () => {
    // Enough output to outlast the pipe: several tenants and templates.
    const files: Record<string, string> = { "flowops.config.yaml": "environments:\n  staging: {}\n" };
    for (let t = 0; t < 30; t++) files[`tenants/t${t}.yaml`] = `code: t${t}\n`;
    for (let f = 0; f < 10; f++) files[`flows/bronze/f${f}.yaml`] = "tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
    const { dir } = await gitRepo(files);
    const child = spawn(process.execPath, [join(repoRoot, "packages/cli/bin/flowops.js"), "start", "--cwd", dir], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // Read the first chunk, then close the pipe like `head -1` does.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(0);
  });
});
