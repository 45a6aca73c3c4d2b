// `node bench/dist/measure.js RESULT_FILE SCRIPT [ARG]...` runs SCRIPT in this process as if node
// had been started on it (`process.argv` as a user's command line gives it), and on exit writes
// `{ "peakRssKb": N, "cpuUs": N }` to RESULT_FILE: the process's peak resident memory, portably
// (`process.resourceUsage().maxRSS`), at the very end, which polling /proc can miss, and the CPU
// time it used (user + system), which a busy machine disturbs less than wall time.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [resultFile, script, ...args] = process.argv.slice(2);
if (!resultFile || !script) {
  console.error("usage: node bench/dist/measure.js RESULT_FILE SCRIPT [ARG]...");
  process.exit(2);
}
process.argv = [process.argv[0]!, resolve(script), ...args];
process.on("exit", () => {
  const usage = process.resourceUsage();
  writeFileSync(resultFile, JSON.stringify({ peakRssKb: usage.maxRSS, cpuUs: usage.userCPUTime + usage.systemCPUTime }));
});
await import(pathToFileURL(resolve(script)).href);
