import { execFile } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot, tempDir, writeFiles } from "./support.js";

/**
 * What `npm publish` would ship: every public workspace package (found from the root `workspaces`
 * list, so new packages are covered without editing this file) packed with `npm pack`, installed
 * from the tarballs into a fresh project outside the monorepo (third-party dependencies from the
 * npm registry), and the installed `flowops` run on a plain Kestra repository.
 */
const run = promisify(execFile);

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  files?: string[];
  bin?: Record<string, string>;
  exports?: unknown;
  repository?: { type?: string; url?: string; directory?: string };
  publishConfig?: { access?: string; provenance?: boolean };
  dependencies?: Record<string, string>;
}

const rootPackage = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { workspaces: string[]; scripts: Record<string, string> };
const workspaces = rootPackage.workspaces.map((folder) => ({ folder, pkg: JSON.parse(readFileSync(join(repoRoot, folder, "package.json"), "utf8")) as PackageJson }));
const publicPackages = workspaces.filter(({ pkg }) => !pkg.private);
const workspaceVersions = new Map(workspaces.map(({ pkg }) => [pkg.name, pkg.version]));

/** npm's environment without what an `npm run`/`npm test` parent passes down (workspace, prefix, lifecycle). */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_(config|package|lifecycle)_/i.test(name) && name !== "INIT_CWD") env[name] = value;
  }
  return { ...env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
}

describe("the public packages' metadata", () => {
  it("finds the public packages from the workspaces list, the CLI among them", () => {
    expect(publicPackages.map(({ pkg }) => pkg.name)).toContain("@flowops/cli");
    expect(publicPackages.length).toBeGreaterThan(1);
  });

  it.each(publicPackages.map(({ folder, pkg }) => [pkg.name, folder, pkg] as const))("%s can be published on its own", (_name, folder, pkg) => {
    expect(pkg.license).toBe("Apache-2.0");
    expect(pkg.repository).toMatchObject({ type: "git", url: expect.stringMatching(/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/), directory: folder });
    expect(pkg.publishConfig).toEqual({ access: "public", provenance: true });
    expect(pkg.files).toContain("dist");
    expect(pkg.exports).toBeDefined();
    for (const [dependency, range] of Object.entries(pkg.dependencies ?? {})) {
      expect(range, `${pkg.name} → ${dependency}`).not.toMatch(/^(workspace|file|link):/);
      // A flowops package a public package needs at run time must be published too, at this version.
      if (workspaceVersions.has(dependency)) {
        expect(publicPackages.some((p) => p.pkg.name === dependency), `${pkg.name} depends on the private ${dependency}`).toBe(true);
        expect(range, `${pkg.name} → ${dependency}`).toBe(workspaceVersions.get(dependency));
      }
    }
  });

  it("the CLI ships the flowops binary", () => {
    const cli = publicPackages.find(({ pkg }) => pkg.name === "@flowops/cli")!.pkg;
    expect(cli.bin).toEqual({ flowops: "./bin/flowops.js" });
    expect(cli.files).toContain("bin");
    expect(readFileSync(join(repoRoot, "packages", "cli", "bin", "flowops.js"), "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
  });
});

describe("changesets", () => {
  const config = JSON.parse(readFileSync(join(repoRoot, ".changeset", "config.json"), "utf8")) as { access: string; baseBranch: string; privatePackages?: { version: boolean; tag: boolean } };

  it("publishes publicly, never versions or tags private packages, and the root scripts version and release", () => {
    expect(config).toMatchObject({ access: "public", baseBranch: "main", privatePackages: { version: false, tag: false } });
    expect(rootPackage.scripts["version"]).toMatch(/^changeset version && npm install --package-lock-only\b/);
    expect(rootPackage.scripts["release"]).toMatch(/changeset publish$/);
  });

  it("every pending changeset names only public packages", () => {
    const names = new Set(publicPackages.map(({ pkg }) => pkg.name));
    for (const file of readdirSync(join(repoRoot, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md")) {
      const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(repoRoot, ".changeset", file), "utf8"));
      expect(front, file).not.toBeNull();
      for (const name of Object.keys((parse(front![1]!) as Record<string, string> | null) ?? {})) expect(names.has(name), `${file}: ${name}`).toBe(true);
    }
  });

  it("`changeset version` on a copy applies them: bumped versions, a CHANGELOG.md per package, dependents in step", { timeout: 120_000 }, async () => {
    const copy = tempDir("flowops-version-");
    try {
      cpSync(join(repoRoot, ".changeset"), join(copy, ".changeset"), { recursive: true });
      for (const file of ["package.json", ...workspaces.map(({ folder }) => `${folder}/package.json`)]) {
        mkdirSync(join(copy, file, ".."), { recursive: true });
        cpSync(join(repoRoot, file), join(copy, file));
      }
      const pending = readdirSync(join(copy, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md");
      await run("git", ["init", "--quiet", "-b", "main"], { cwd: copy });
      await run("git", ["add", "-A"], { cwd: copy });
      await run("git", ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "pending changesets"], { cwd: copy });
      await run(process.execPath, [join(repoRoot, "node_modules", "@changesets", "cli", "bin.js"), "version"], { cwd: copy, env: npmEnv() });

      const after = new Map(workspaces.map(({ folder }) => [folder, JSON.parse(readFileSync(join(copy, folder, "package.json"), "utf8")) as PackageJson]));
      if (pending.length > 0) {
        expect(readdirSync(join(copy, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md")).toEqual([]);
        const bumped = publicPackages.filter(({ folder, pkg }) => after.get(folder)!.version !== pkg.version);
        expect(bumped.length).toBeGreaterThan(0);
        for (const { folder } of bumped) {
          const changelog = readFileSync(join(copy, folder, "CHANGELOG.md"), "utf8");
          expect(changelog).toContain(`## ${after.get(folder)!.version}`);
        }
      }
      // Every flowops dependency, public or private, points at the version its package now has.
      const versions = new Map([...after.values()].map((pkg) => [pkg.name, pkg.version]));
      for (const pkg of after.values()) {
        for (const [dependency, range] of Object.entries(pkg.dependencies ?? {})) {
          if (versions.has(dependency)) expect(range, `${pkg.name} → ${dependency}`).toBe(versions.get(dependency));
        }
      }
      for (const { folder, pkg } of workspaces.filter(({ pkg }) => pkg.private)) expect(after.get(folder)!.version, pkg.name).toBe(pkg.version);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe("the packed packages installed outside the monorepo", () => {
  let scratch: string;
  let project: string;
  let tarballs: { name: string; filename: string; files: { path: string }[] }[];

  beforeAll(async () => {
    scratch = tempDir("flowops-pack-");
    const packs = join(scratch, "tarballs");
    mkdirSync(packs);
    const args = ["pack", "--json", "--pack-destination", packs, ...publicPackages.map(({ folder }) => `--workspace=${folder}`)];
    const { stdout } = await run("npm", args, { cwd: repoRoot, env: npmEnv(), maxBuffer: 64 * 1024 * 1024 });
    tarballs = JSON.parse(stdout) as typeof tarballs;

    project = join(scratch, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "a-kestra-team", version: "1.0.0", private: true }, null, 2));
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs.map((t) => join(packs, t.filename))], { cwd: project, env: npmEnv(), maxBuffer: 64 * 1024 * 1024 });
  }, 600_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  it("packs every public package with its build and without sources, tests or build info", () => {
    expect(tarballs.map((t) => t.name).sort()).toEqual(publicPackages.map(({ pkg }) => pkg.name).sort());
    for (const tarball of tarballs) {
      const paths = tarball.files.map((f) => f.path);
      expect(paths, tarball.name).toContain("dist/index.js");
      expect(paths, tarball.name).toContain("dist/index.d.ts");
      expect(paths.filter((p) => p.startsWith("src/") || /\.test\.|tsbuildinfo|tsconfig/.test(p)), tarball.name).toEqual([]);
    }
    expect(tarballs.find((t) => t.name === "@flowops/cli")!.files.map((f) => f.path)).toContain("bin/flowops.js");
  });

  it("installs real copies, not links into the monorepo", () => {
    for (const { pkg } of publicPackages) {
      const installed = join(project, "node_modules", ...pkg.name.split("/"));
      expect(lstatSync(installed).isSymbolicLink(), pkg.name).toBe(false);
      expect(realpathSync(installed).startsWith(realpathSync(scratch)), pkg.name).toBe(true);
    }
  });

  it("`npx flowops lint` and `flowops render` work on a plain Kestra repository", { timeout: 300_000 }, async () => {
    const kestra = join(scratch, "kestra-repo");
    const hello = "id: hello\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hello\n";
    writeFiles(kestra, { "flows/hello.yaml": hello });
    const flowops = (args: string[]) => run("npx", ["--no-install", "flowops", ...args], { cwd: project, env: npmEnv() });

    const lint = await flowops(["lint", "--cwd", kestra, "--format", "json"]);
    expect(JSON.parse(lint.stdout)).toMatchObject({ diagnostics: [], errorCount: 0 });

    const out = join(scratch, "rendered");
    await run(join(project, "node_modules", ".bin", "flowops"), ["render", "--cwd", kestra, "--out", out], { cwd: project, env: npmEnv() });
    const rendered = readdirSync(out, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(rendered.map((entry) => entry.name)).toEqual(["hello.yaml"]);
    const [file] = rendered;
    // The flow as written, with flowops's ownership labels.
    expect(parse(readFileSync(join(file!.parentPath, file!.name), "utf8"))).toEqual({ ...(parse(hello) as object), labels: expect.objectContaining({ "managed-by": "flowops" }) });

    // A broken flow: exit 1 with the file, line and column.
    writeFiles(kestra, { "flows/broken.yaml": "id: broken\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Logg\n" });
    const failed = await flowops(["lint", "--cwd", kestra]).then(
      () => ({ code: 0, stdout: "" }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/flows\/broken\.yaml:5:\d+/);
    expect(existsSync(join(project, "node_modules", "@flowops", "cli", "bin", "flowops.js"))).toBe(true);
  });
});
