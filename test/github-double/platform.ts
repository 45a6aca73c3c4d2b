import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import type { GitHubDouble } from "./index.js";

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

/**
 * A flow platform repository hosted on the GitHub double, and a developer's clone of it to
 * commit and push from (real Git in temp folders).
 */
export class Platform {
  private constructor(
    readonly double: GitHubDouble,
    readonly owner: string,
    readonly name: string,
    readonly dev: SimpleGit,
    readonly devDir: string,
  ) {}

  static async create(double: GitHubDouble, owner = "acme", name = "flows"): Promise<Platform> {
    const { bare } = await double.createRepository(owner, name);
    const devDir = await mkdtemp(join(tmpdir(), "flowops-dev-"));
    const dev = simpleGit(devDir);
    await dev.init(["--initial-branch=main"]);
    await dev.addConfig("user.name", "Dev").addConfig("user.email", "dev@example.com").addConfig("commit.gpgsign", "false");
    await dev.addRemote("origin", bare);
    const platform = new Platform(double, owner, name, dev, devDir);
    await platform.commit("main", "Initial platform", {
      "flowops.config.yaml": CONFIG,
      "tenants/customer_1.yaml": "code: customer_1\nname: Customer One\n",
      "tenants/customer_2.yaml": "code: customer_2\nname: Customer Two\n",
      "flows/bronze/aws_costs.yaml": AWS_COSTS,
    });
    return platform;
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  /** Commits `files` (path → text) on `branch` (created from main when new) and pushes it. */
  async commit(branch: string, message: string, files: Record<string, string>): Promise<string> {
    const branches = await this.dev.branchLocal();
    if (branches.all.includes(branch)) await this.dev.checkout(branch);
    else if (branches.all.length === 0) await this.dev.checkout(["-B", branch]);
    else await this.dev.checkout(["-b", branch, "main"]);
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(this.devDir, path)), { recursive: true });
      await writeFile(join(this.devDir, path), text);
    }
    await this.dev.add(Object.keys(files));
    await this.dev.commit(message);
    await this.dev.push("origin", branch, ["--force"]);
    return (await this.dev.revparse(["HEAD"])).trim();
  }

  /** Brings the developer's main up to date with the remote (after merges). */
  async pullMain(): Promise<void> {
    await this.dev.checkout("main");
    await this.dev.fetch("origin");
    await this.dev.reset(["--hard", "origin/main"]);
  }

  async dispose(): Promise<void> {
    await rm(this.devDir, { recursive: true, force: true });
  }
}
