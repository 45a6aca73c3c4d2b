import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readRepository, render } from "@flowops/render";
import { afterAll, describe, expect, it } from "vitest";
import { renderFloor, runFloorCli } from "./floor.js";
import { generatePlatform } from "./generate.js";

const scratch = mkdtempSync(join(tmpdir(), "flowops-bench-floor-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function written(out: string): Map<string, string> {
  return new Map(
    readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .map((path) => [path.slice(out.length + 1).split("\\").join("/"), readFileSync(path, "utf8")]),
  );
}

/** What flowops renders, as `flowops render --out` lays it out. */
async function flowopsRender(dir: string, envs?: string[]): Promise<Map<string, string>> {
  const result = render(await readRepository({ cwd: dir }), envs ? { envs } : {});
  expect(result.problems).toEqual([]);
  return new Map(result.flows.map((flow) => [`${flow.env}/${flow.namespace}/${flow.id}.yaml`, flow.source]));
}

describe("the render floor", () => {
  it("writes what flowops renders for a template without $when: placeholders plain, quoted and whole, header and labels", async () => {
    const dir = join(scratch, "tiny");
    writeFiles(dir, {
      "flowops.config.yaml": "environments:\n  staging:\n    vars: { bucket: s3://stg, retries: 2 }\n  production:\n    vars: { bucket: s3://prd, retries: 5 }\n",
      "flows/silver/load.yaml": [
        "# Loads the tenant's data",
        "id: load",
        'description: "Load for ${tenant.name} in ${env.name}"',
        "labels:",
        "  owner: data",
        "variables:",
        "  retries: ${env.vars.retries}",
        "  regions: ${tenant.vars.regions}",
        "  target: ${env.vars.bucket}/${tenant.code}/${flow.id}",
        "  schedule: ${tenant.vars.cron}",
        "tasks:",
        "  - id: log",
        "    type: io.kestra.plugin.core.log.Log",
        "    message: Loading into ${flow.namespace}",
        "",
      ].join("\n"),
      "flows/gold/plain.yaml": "tasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
      "tenants/acme.yaml": 'code: acme\nname: "Acme: \\"the\\" company"\nvars:\n  regions: [eu-west-1, us-east-1]\n  cron: "0 2 * * *"\n',
      "tenants/beta.yaml": "code: beta\nname: Beta\nenvironments: [staging]\nvars:\n  regions: []\n  cron: 30 1 * * *\n",
    });
    const out = join(scratch, "tiny-out");
    expect(renderFloor({ dir, out })).toEqual({ flows: 6, templates: 2, tenants: 2, envs: ["staging", "production"] });
    const floor = written(out);
    expect([...floor.keys()].sort()).toEqual(["production/acme.gold/plain.yaml", "production/acme.silver/load.yaml", "staging/acme.gold/plain.yaml", "staging/acme.silver/load.yaml", "staging/beta.gold/plain.yaml", "staging/beta.silver/load.yaml"].sort());
    expect(floor).toEqual(await flowopsRender(dir));
    expect(floor.get("production/acme.silver/load.yaml")).toContain('  regions: ["eu-west-1", "us-east-1"]\n  target: s3://prd/acme/load\n  schedule: "0 2 * * *"\n');
  });

  it("writes what flowops renders for a whole generated platform, `$when`s included, one environment or both", { timeout: 120_000 }, async () => {
    const { dir } = await generatePlatform({ dir: join(scratch, "generated"), tenants: 6, templates: 20, seed: 3 });
    const both = join(scratch, "generated-out");
    const result = renderFloor({ dir, out: both });
    const expected = await flowopsRender(dir);
    expect(result.flows).toBe(expected.size);
    expect(written(both)).toEqual(expected);
    const staging = join(scratch, "generated-staging");
    renderFloor({ dir, out: staging, envs: ["staging"] });
    expect(written(staging)).toEqual(await flowopsRender(dir, ["staging"]));
  });

  it("runs as a command that prints what it did as JSON, and says how to call it", async () => {
    const dir = join(scratch, "cli");
    writeFiles(dir, { "flowops.config.yaml": "environments:\n  staging: {}\n", "flows/one.yaml": "tasks: []\n", "tenants/acme.yaml": "code: acme\nname: Acme\n" });
    let printed = "";
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
    try {
      expect(runFloorCli(["--dir", dir, "--out", join(scratch, "cli-out")])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(JSON.parse(printed)).toMatchObject({ flows: 1, templates: 1, tenants: 1, envs: ["staging"] });
    expect(written(join(scratch, "cli-out"))).toEqual(await flowopsRender(dir));
    const errors: string[] = [];
    const error = console.error;
    console.error = (text: string) => void errors.push(text);
    try {
      expect(runFloorCli(["--dir", dir])).toBe(2);
      expect(runFloorCli(["--nope"])).toBe(2);
    } finally {
      console.error = error;
    }
    expect(errors.every((text) => text.includes("usage: node bench/dist/floor.js"))).toBe(true);
  });
});
