import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { git, type GitHubDouble } from "./index.js";

export const CONFIG = `environments:
  staging:
    kestra: { url: http://127.0.0.1:1 }
  production:
    kestra: { url: http://127.0.0.1:2 }
deploy:
  branch: main
  approvals: 1
  allowedPushers: [release-bot]
`;

export const AWS_COSTS = `id: aws_costs
tasks:
  - id: extract
    type: io.kestra.plugin.scripts.shell.Commands
    containerImage: "ubuntu:24.04"
    commands:
      - echo extract
`;

const INITIAL_FILES: Record<string, string> = {
  "flowops.config.yaml": CONFIG,
  "tenants/customer_1.yaml": "code: customer_1\nname: Customer One\n",
  "tenants/customer_2.yaml": "code: customer_2\nname: Customer Two\n",
  "flows/bronze/aws_costs.yaml": AWS_COSTS,
};

const AUTHOR = { GIT_AUTHOR_NAME: "Dev", GIT_AUTHOR_EMAIL: "dev@example.com", GIT_COMMITTER_NAME: "Dev", GIT_COMMITTER_EMAIL: "dev@example.com" };

let seed: Promise<string> | null = null;

/** The initial platform as a bare repository, made once per test worker and copied for each test. */
function seedRepository(): Promise<string> {
  seed ??= (async () => {
    const root = await mkdtemp(join(tmpdir(), "flowops-seed-"));
    const work = join(root, "work");
    await mkdir(work);
    await git(work, ["init", "--quiet", "--initial-branch=main"]);
    for (const [path, text] of Object.entries(INITIAL_FILES)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), text);
    }
    await git(work, ["add", "-A"]);
    await git(work, ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "Initial platform"]);
    await git(root, ["clone", "--quiet", "--bare", work, "seed.git"]);
    return join(root, "seed.git");
  })();
  return seed;
}

/**
 * A flow platform repository hosted on the GitHub double (config, two tenants, one flow on main),
 * and a developer's clone of it to commit and push from (real Git in temp folders).
 */
export class Platform {
  private readonly branches = new Set<string>(["main"]);

  private constructor(
    readonly double: GitHubDouble,
    readonly owner: string,
    readonly name: string,
    readonly bare: string,
    readonly dev: SimpleGit,
    readonly devDir: string,
  ) {}

  static async create(double: GitHubDouble, owner = "acme", name = "flows"): Promise<Platform> {
    const { bare } = await double.createRepository(owner, name, { seed: await seedRepository() });
    const devDir = await mkdtemp(join(tmpdir(), "flowops-dev-"));
    await git(devDir, ["clone", "--quiet", bare, "."]);
    const dev = simpleGit(devDir).env({ PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? tmpdir(), ...AUTHOR });
    return new Platform(double, owner, name, bare, dev, devDir);
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  /** Commits `files` (path → text) on `branch` (created from main when new) and pushes it; returns the commit. */
  async commit(branch: string, message: string, files: Record<string, string>): Promise<string> {
    await this.dev.raw(["checkout", "--quiet", "-B", branch, this.branches.has(branch) ? branch : "main"]);
    this.branches.add(branch);
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(this.devDir, path)), { recursive: true });
      await writeFile(join(this.devDir, path), text);
    }
    await this.dev.raw(["add", "-A", "--", ...Object.keys(files)]);
    await this.dev.raw(["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", message]);
    await this.dev.raw(["push", "--quiet", "--force", "origin", branch]);
    return (await this.dev.revparse(["HEAD"])).trim();
  }

  /** Brings the developer's main up to date with the remote (after merges). */
  async pullMain(): Promise<void> {
    await this.dev.raw(["fetch", "--quiet", "origin", "main"]);
    await this.dev.raw(["checkout", "--quiet", "-B", "main", "FETCH_HEAD"]);
  }

  /** A workspace as actions/checkout with fetch-depth 0 leaves it: full history, `sha` checked out. */
  async checkout(sha: string, dir: string): Promise<string> {
    await git(dirname(dir), ["clone", "--quiet", "--no-checkout", this.bare, dir]);
    await git(dir, ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", sha]);
    return dir;
  }

  async dispose(): Promise<void> {
    await rm(this.devDir, { recursive: true, force: true });
  }
}
