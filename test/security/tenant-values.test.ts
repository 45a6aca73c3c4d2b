// Issue 9, item 8 (tenant part): tenant values are data, never expressions. A tenant file whose
// value holds Pebble (`{{ secret('X') }}`) would have Kestra evaluate it inside the tenant's flow,
// reading secrets of the namespace; flowops must refuse it at the tenant file's line and column.
// And the namespace-pattern message names the tenant, not the literal `${tenant.code}`.
import { main } from "@flowops/cli";
import { readRepository, render } from "@flowops/render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startKestraDouble, type KestraDouble } from "../kestra-double/index.js";
import { captureIO, gitRepo, tempDir } from "../support.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const CREDENTIALS = { KESTRA_USERNAME: "deployer@example.com", KESTRA_PASSWORD: "Pl4tform-Secret-9" };

const PLATFORM: Record<string, string> = {
  "flowops.config.yaml": "environments:\n  staging:\n    kestra: { url: https://kestra.staging.example.invalid }\n",
  "flows/bronze/usage.yaml": `tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "usage of \${tenant.name} with \${tenant.vars.token}"
`,
  "tenants/globex.yaml": "code: globex\nname: Globex\nvars: { token: plain }\n",
};

const doubles: KestraDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

async function flowops(dir: string, ...argv: string[]): Promise<{ code: number; output: string }> {
  const io = captureIO(dir, CREDENTIALS);
  const code = await main(argv, io);
  return { code, output: io.out() + io.err() };
}

describe("Pebble in a tenant value is refused as a tenant-schema error", () => {
  it.each([
    ["a secret() call in vars", "code: acme\nname: Acme\nvars:\n  token: \"{{ secret('AWS_SECRET_KEY') }}\"\n", 4, 10, "vars.token: value"],
    ["a tag in the name", "code: acme\nname: \"{% for x in range(1, 9) %}{{ x }}{% endfor %}\"\n", 2, 7, "name: value"],
    ["a comment in a label", "code: acme\nlabels: { team: \"data {# hidden #}\" }\n", 2, 17, "labels.team: value"],
    ["an expression deep in a list", "code: acme\nvars:\n  hosts:\n    - db1\n    - \"{{ kv('HOST') }}\"\n", 5, 7, "vars.hosts.1: value"],
    ["an expression as a key", "code: acme\nvars:\n  \"{{ secret('K') }}\": 1\n", 3, 24, "vars.{{ secret('K') }}: key"],
  ])("%s", async (_name, tenant, line, column, where) => {
    const { dir } = await gitRepo({ ...PLATFORM, "tenants/acme.yaml": tenant });
    const repository = await readRepository({ cwd: dir });
    expect(repository.tenants.map((t) => t.code)).toEqual(["globex"]);
    expect(repository.problems).toEqual([
      expect.objectContaining({ code: "tenant-schema", file: "tenants/acme.yaml", line, column, message: expect.stringContaining(`${where} `) }),
    ]);
    expect(repository.problems[0]!.message).toContain("tenant values are data, never expressions");

    const lint = await flowops(dir, "lint");
    expect(lint.code).toBe(1);
    expect(lint.output).toContain(`tenants/acme.yaml:${line}:${column}`);

    const out = tempDir();
    const rendered = await flowops(dir, "render", "--out", out);
    expect(rendered.code).not.toBe(0);

    const double = await startKestraDouble({ basicAuth: { username: CREDENTIALS.KESTRA_USERNAME, password: CREDENTIALS.KESTRA_PASSWORD } });
    doubles.push(double);
    const deployed = await flowops(dir, "deploy", "--env", "staging", "--kestra-url", double.url);
    expect(deployed.code).toBe(2);
    expect(double.writeCount()).toBe(0);
  });

  it("plain values (braces that are not Pebble, placeholders of other tools) still render", async () => {
    const { dir } = await gitRepo({ ...PLATFORM, "tenants/acme.yaml": "code: acme\nname: \"Acme {inc}\"\nvars: { token: \"{ a: 1 }\" }\n" });
    const repository = await readRepository({ cwd: dir });
    expect(repository.problems).toEqual([]);
    expect(render(repository).flows.map((f) => f.tenant)).toEqual(["acme", "globex"]);
  });
});

describe("the namespace-pattern message names the tenant", () => {
  it("prints the tenant's code, never the literal ${tenant.code}", async () => {
    const { dir } = await gitRepo({ ...PLATFORM, "flows/bronze/shared.yaml": "namespace: shared.bronze\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n" });
    const lint = await flowops(dir, "lint");
    expect(lint.code).toBe(1);
    expect(lint.output).toContain(`namespace "shared.bronze" of bronze/shared is outside tenant globex's namespaces (globex and below)`);
    expect(lint.output).not.toContain("${tenant.code}");
  });
});
