import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BotLogger } from "@flowops/sync-bot";
import { GitHubDouble } from "./index.js";
import { Platform } from "./platform.js";

/** A started GitHub double with a platform repository on it, a scratch folder and a logger that records its lines. */
export interface BotPlatform {
  github: GitHubDouble;
  platform: Platform;
  scratch: string;
  logLines: string[];
  log: BotLogger;
}

/** The set-up shared by the bot tests that run the real packages; the caller stops and removes what it returns. */
export async function startBotPlatform(scratchPrefix: string): Promise<BotPlatform> {
  const github = await GitHubDouble.start();
  const platform = await Platform.create(github);
  const scratch = await mkdtemp(join(tmpdir(), scratchPrefix));
  const logLines: string[] = [];
  const log: BotLogger = { info: (m) => logLines.push(`info ${m}`), warn: (m) => logLines.push(`warn ${m}`), error: (m) => logLines.push(`error ${m}`) };
  return { github, platform, scratch, logLines, log };
}
