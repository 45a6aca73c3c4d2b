import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import { readRepository, render } from "@flowops/render";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseDocument } from "yaml";
import { editConfig, editTemplate, editTenant, generatePlatform, runGenerateCli, type GeneratedPlatform } from "./generate.js";
import { layerCounts } from "./platform-templates.js";

const scratch = mkdtempSync(join(tmpdir(), "flowops-bench-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const newDir = () => join(scratch, `platform-${counter++}`);

function yamlFiles(dir: string, folder: string): string[] {
  return readdirSync(join(dir, folder), { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".yaml"))
    .map((path) => `${folder}/${path.split("\\").join("/")}`)
    .sort();
}

function parseYaml(dir: string, file: string): Record<string, unknown> {
  const doc = parseDocument(readFileSync(join(dir, file), "utf8"), { uniqueKeys: true });
  expect(doc.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
  return doc.toJS() as Record<string, unknown>;
}

interface Upstream {
  $when?: string;
  namespace: string;
  flowId: string;
}

function flowTriggerUpstreams(template: Record<string, unknown>): Upstream[] {
  const triggers = (template.triggers ?? []) as { type: string; preconditions?: { flows: Upstream[] } }[];
  return triggers.filter((t) => t.type === "io.kestra.plugin.core.trigger.Flow").flatMap((t) => t.preconditions?.flows ?? []);
}

function allTasks(tasks: unknown): Record<string, unknown>[] {
  if (!Array.isArray(tasks)) return [];
  return tasks.flatMap((task: Record<string, unknown>) => [
    task,
    ...allTasks(task.tasks),
    ...allTasks(task.then),
    ...allTasks(task.else),
    ...allTasks(task.errors),
    ...allTasks(task.defaults),
    ...Object.values((task.cases ?? {}) as Record<string, unknown>).flatMap((c) => allTasks(c)),
  ]);
}

describe("generatePlatform", () => {
  let platform: GeneratedPlatform;
  beforeAll(async () => {
    platform = await generatePlatform({ dir: newDir(), tenants: 30, templates: 40, seed: 7 });
  });

  it("writes the requested numbers of templates and tenants, spread over the layers", () => {
    const templates = yamlFiles(platform.dir, "flows");
    expect(templates).toHaveLength(40);
    expect(platform.templateKeys).toEqual(templates.map((f) => f.slice("flows/".length, -".yaml".length)));
    const counts = layerCounts(39);
    for (const layer of ["bronze", "silver", "gold", "platinum"] as const) {
      expect(templates.filter((f) => f.startsWith(`flows/${layer}/`))).toHaveLength(counts[layer]);
      expect(counts[layer]).toBeGreaterThan(0);
    }
    expect(templates).toContain("flows/shared/notify.yaml");
    expect(yamlFiles(platform.dir, "tenants")).toHaveLength(30);
    expect(platform.tenantCodes).toHaveLength(30);
  });

  it("writes valid YAML everywhere, with a staging and a production environment", () => {
    const config = parseYaml(platform.dir, "flowops.config.yaml");
    expect(Object.keys(config.environments as object)).toEqual(["staging", "production"]);
    for (const file of [...yamlFiles(platform.dir, "flows"), ...yamlFiles(platform.dir, "tenants")]) parseYaml(platform.dir, file);
  });

  it("commits everything on main in a fresh Git repository", async () => {
    const git = simpleGit(platform.dir);
    const log = await git.log();
    expect(log.total).toBe(1);
    expect(log.latest?.hash).toBe(platform.commit);
    expect((await git.status()).isClean()).toBe(true);
    expect((await git.branchLocal()).current).toBe("main");
    expect(await git.raw(["ls-files"])).toContain("flows/bronze/aws_extract_000.yaml");
  });

  it("gives bronze flows a source $when and the tenant's schedule, and upper flows Flow triggers on templates that exist", () => {
    const templates = new Map(platform.templateKeys.map((key) => [key, parseYaml(platform.dir, `flows/${key}.yaml`)]));
    for (const [key, template] of templates) {
      const [folder] = key.split("/");
      if (folder === "bronze") {
        expect(template.$when).toMatch(/^tenant\.sources\.(aws|gcp|azure|oci)$/);
        expect(template.triggers).toEqual([expect.objectContaining({ cron: "${tenant.schedule}" })]);
      }
      if (folder === "silver" || folder === "gold" || folder === "platinum") {
        const upstreams = flowTriggerUpstreams(template);
        expect(upstreams.length, key).toBeGreaterThan(0);
        for (const upstream of upstreams) {
          const upstreamKey = `${upstream.namespace.replace("${tenant.code}.", "")}/${upstream.flowId}`;
          const target = templates.get(upstreamKey);
          expect(target, `${key} -> ${upstreamKey}`).toBeDefined();
          // The upstream is rendered for every tenant this item is rendered for.
          const itemWhen = upstream.$when ?? template.$when;
          expect(itemWhen === target!.$when || target!.$when === undefined, `${key} -> ${upstreamKey}`).toBe(true);
        }
      }
    }
  });

  it("nests tasks, calls the shared subflow, and puts $when on some tasks", () => {
    const tasks = platform.templateKeys.flatMap((key) => {
      const template = parseYaml(platform.dir, `flows/${key}.yaml`);
      return [...allTasks(template.tasks), ...allTasks(template.errors)];
    });
    const types = new Set(tasks.map((t) => t.type));
    for (const type of ["io.kestra.plugin.core.flow.Parallel", "io.kestra.plugin.core.flow.If", "io.kestra.plugin.core.flow.Subflow"]) {
      expect(types).toContain(type);
    }
    expect(tasks.filter((t) => t.type === "io.kestra.plugin.core.flow.Subflow").every((t) => t.flowId === "notify")).toBe(true);
    expect(tasks.some((t) => typeof t.$when === "string")).toBe(true);
  });

  it("gives tenants varied sources and switches off only flows nothing depends on", () => {
    const tenants = yamlFiles(platform.dir, "tenants").map((file) => parseYaml(platform.dir, file));
    const mixes = new Set(tenants.map((t) => JSON.stringify(t.sources)));
    expect(mixes.size).toBeGreaterThan(3);
    expect(tenants.every((t) => Object.values(t.sources as object).some(Boolean))).toBe(true);
    expect(tenants.some((t) => (t.environments as string[]).length === 1)).toBe(true);
    const depended = new Set(
      platform.templateKeys.flatMap((key) =>
        flowTriggerUpstreams(parseYaml(platform.dir, `flows/${key}.yaml`)).map((u) => `${u.namespace.split(".")[1]}/${u.flowId}`),
      ),
    );
    for (const tenant of tenants) {
      for (const [key, flowSwitch] of Object.entries((tenant.flows ?? {}) as Record<string, { enabled?: boolean }>)) {
        expect(platform.templateKeys).toContain(key);
        if (flowSwitch.enabled === false) expect(depended.has(key), key).toBe(false);
      }
    }
  });

  it("renders for every tenant without problems, and every Flow trigger and Subflow finds its target", async () => {
    const repo = await readRepository({ cwd: platform.dir });
    expect(repo.problems).toEqual([]);
    const { flows, problems } = render(repo);
    expect(problems).toEqual([]);
    const rendered = new Set(flows.map((f) => `${f.env}/${f.namespace}/${f.id}`));
    expect(new Set(flows.map((f) => f.tenant))).toEqual(new Set(platform.tenantCodes));
    for (const flow of flows) {
      const doc = flow.document as Record<string, unknown>;
      const targets = [
        ...flowTriggerUpstreams(doc),
        ...allTasks(doc.tasks).concat(allTasks(doc.errors)).filter((t) => t.type === "io.kestra.plugin.core.flow.Subflow"),
      ] as unknown as Upstream[];
      for (const target of targets) {
        expect(target.namespace.startsWith(`${flow.tenant}.`), `${flow.namespace}/${flow.id}`).toBe(true);
        expect(rendered.has(`${flow.env}/${target.namespace}/${target.flowId}`), `${flow.env}/${flow.namespace}/${flow.id} -> ${target.flowId}`).toBe(true);
      }
    }
  });

  it("is deterministic for a seed and differs between seeds", async () => {
    const again = await generatePlatform({ dir: newDir(), tenants: 30, templates: 40, seed: 7 });
    expect(again.commit).toBe(platform.commit);
    const other = await generatePlatform({ dir: newDir(), tenants: 30, templates: 40, seed: 8 });
    expect(other.commit).not.toBe(platform.commit);
  });

  it("handles tiny platforms (no shared subflow below five templates)", async () => {
    for (const templates of [1, 2, 4, 5]) {
      const tiny = await generatePlatform({ dir: newDir(), tenants: 2, templates, seed: 1 });
      const files = yamlFiles(tiny.dir, "flows");
      expect(files).toHaveLength(templates);
      for (const file of files) parseYaml(tiny.dir, file);
      expect(render(await readRepository({ cwd: tiny.dir })).problems).toEqual([]);
    }
  });

  it("with envReads: false reads nothing from env.*, and renders every tenant alike in both environments", async () => {
    const constant = await generatePlatform({ dir: newDir(), tenants: 30, templates: 40, seed: 7, envReads: false });
    const files = yamlFiles(constant.dir, "flows");
    expect(files).toEqual(yamlFiles(platform.dir, "flows"));
    for (const file of files) {
      const text = readFileSync(join(constant.dir, file), "utf8");
      expect(text, file).not.toMatch(/\benv\./);
      // Same platform otherwise: the same templates, task ids and tenant files.
      const ids = (t: string) => [...t.matchAll(/^\s*-? *id: (\S+)$/gm)].map((m) => m[1]);
      expect(ids(text), file).toEqual(ids(readFileSync(join(platform.dir, file), "utf8")));
    }
    for (const file of yamlFiles(constant.dir, "tenants")) expect(readFileSync(join(constant.dir, file), "utf8")).toBe(readFileSync(join(platform.dir, file), "utf8"));
    // The paging task, guarded by `$when: env.vars.paging` with env reads, is now in every notify flow.
    expect(readFileSync(join(constant.dir, "flows/shared/notify.yaml"), "utf8")).toContain("        - id: page_oncall\n          type: io.kestra.plugin.core.log.Log\n");
    const { flows, problems } = render(await readRepository({ cwd: constant.dir }));
    expect(problems).toEqual([]);
    const sourceOf = new Map(flows.filter((f) => f.env === "staging").map((f) => [`${f.namespace}/${f.id}`, f.source]));
    const production = flows.filter((f) => f.env === "production");
    expect(production.length).toBeGreaterThan(100);
    for (const flow of production) expect(flow.source, `${flow.namespace}/${flow.id}`).toBe(sourceOf.get(`${flow.namespace}/${flow.id}`));
    // With env reads, the two environments differ (the test above would fail there).
    const withReads = render(await readRepository({ cwd: platform.dir })).flows;
    const staging = new Map(withReads.filter((f) => f.env === "staging").map((f) => [`${f.namespace}/${f.id}`, f.source]));
    expect(withReads.filter((f) => f.env === "production").every((f) => f.source === staging.get(`${f.namespace}/${f.id}`))).toBe(false);
  });

  it("refuses a non-empty folder and counts that are not positive integers", async () => {
    const dir = newDir();
    await generatePlatform({ dir, tenants: 1, templates: 1 });
    await expect(generatePlatform({ dir, tenants: 1, templates: 1 })).rejects.toThrow(/not empty/);
    await expect(generatePlatform({ dir: newDir(), tenants: 0, templates: 1 })).rejects.toThrow(/tenants must be a positive integer/);
    await expect(generatePlatform({ dir: newDir(), tenants: 1, templates: 1.5 })).rejects.toThrow(/templates must be a positive integer/);
  });
});

describe("edit helpers", () => {
  let platform: GeneratedPlatform;
  beforeAll(async () => {
    platform = await generatePlatform({ dir: newDir(), tenants: 5, templates: 12, seed: 3 });
  });

  const read = (file: string) => readFileSync(join(platform.dir, file), "utf8");

  it("editTemplate bumps the description's revision in the working tree, then in a commit", async () => {
    const git = simpleGit(platform.dir);
    const first = await editTemplate(platform.dir, 3);
    expect(first.commit).toBeUndefined();
    expect(first.files).toEqual([`flows/${platform.templateKeys[3]}.yaml`]);
    expect(read(first.files[0]!)).toContain("(revision 1)");
    expect((await git.status()).modified).toEqual(first.files);

    const second = await editTemplate(platform.dir, 3 + platform.templateKeys.length, { commit: true });
    expect(second.files).toEqual(first.files);
    expect(read(first.files[0]!)).toContain("(revision 2)");
    expect(second.commit).toBe((await git.revparse(["HEAD"])).trim());
    expect((await git.status()).isClean()).toBe(true);
    expect(await git.raw(["diff", "--name-only", "HEAD~1", "HEAD"])).toBe(`${first.files[0]}\n`);
  });

  it("editTemplate with cosmetic: true changes only the leading comment", async () => {
    const { files } = await editTemplate(platform.dir, 0, { cosmetic: true, commit: "cosmetic edit" });
    const before = await simpleGit(platform.dir).show([`HEAD~1:${files[0]}`]);
    const after = read(files[0]!);
    const changed = after.split("\n").filter((line, i) => line !== before.split("\n")[i]);
    expect(changed).toEqual([expect.stringMatching(/^# Synthetic .* \(edit 1\)$/)]);
    expect((await simpleGit(platform.dir).log()).latest?.message).toBe("cosmetic edit");
  });

  it("editTenant moves the tenant's schedule by one minute", async () => {
    const file = `tenants/${platform.tenantCodes[2]}.yaml`;
    const minute = (text: string) => Number(/^schedule: "(\d+) /m.exec(text)![1]);
    const before = minute(read(file));
    const result = await editTenant(platform.dir, 2);
    expect(result.files).toEqual([file]);
    expect(minute(read(file))).toBe((before + 1) % 60);
  });

  it("editTenant with change: name renames the tenant, each time to a new name", async () => {
    const file = `tenants/${platform.tenantCodes[4]}.yaml`;
    const name = (text: string) => (parseDocument(text).toJS() as { name: string }).name;
    const before = name(read(file));
    await editTenant(platform.dir, 4, { change: "name" });
    expect(name(read(file))).toBe(`${before} r2`);
    await editTenant(platform.dir, 4, { change: "name", commit: true });
    expect(name(read(file))).toBe(`${before} r3`);
  });

  it("editConfig changes the staging lake bucket, each time to a new value", async () => {
    await editConfig(platform.dir);
    expect(read("flowops.config.yaml")).toContain("lakeBucket: s3://bench-lake-staging-v2");
    const { commit } = await editConfig(platform.dir, { commit: true });
    expect(read("flowops.config.yaml")).toContain("lakeBucket: s3://bench-lake-staging-v3");
    expect(read("flowops.config.yaml")).toContain("lakeBucket: s3://bench-lake-production\n");
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it("says what is wrong when a file has nothing it can edit", async () => {
    const dir = newDir();
    const tiny = await generatePlatform({ dir, tenants: 1, templates: 1 });
    writeFileSync(join(dir, "flows", `${tiny.templateKeys[0]}.yaml`), "id: x\n");
    await expect(editTemplate(dir, 0)).rejects.toThrow(/nothing to edit/);
  });
});

describe("generate command line", () => {
  it("generates a platform and prints what it made", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const dir = newDir();
    try {
      expect(await runGenerateCli(["--tenants", "3", "--templates", "6", "--out", dir, "--seed", "5"])).toBe(0);
      expect(log.mock.calls[0]?.[0]).toMatch(/^generated 3 tenants x 6 templates in .+ \(commit [0-9a-f]{12}\) in \d+\.\d\d s$/);
    } finally {
      log.mockRestore();
    }
    expect(yamlFiles(dir, "flows")).toHaveLength(6);
  });

  it("exits with 2 and the usage on missing or bad arguments, and on a non-empty folder", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(await runGenerateCli(["--tenants", "3", "--out", newDir()])).toBe(2);
      expect(await runGenerateCli(["--tenants", "x", "--templates", "2", "--out", newDir()])).toBe(2);
      expect(await runGenerateCli(["--tenants", "1", "--templates", "1", "--out", newDir(), "--verbose"])).toBe(2);
      expect(error.mock.calls.map((c) => String(c[0])).every((m) => m.includes("usage: node bench/dist/generate.js"))).toBe(true);
      expect(await runGenerateCli(["--tenants", "1", "--templates", "1", "--out", scratch])).toBe(2);
      expect(String(error.mock.calls.at(-1)?.[0])).toMatch(/not empty/);
    } finally {
      error.mockRestore();
    }
  });
});
