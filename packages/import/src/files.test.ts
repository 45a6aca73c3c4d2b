import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFlowFolder } from "./files.js";

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "flowops-import-files-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("readFlowFolder", () => {
  it("reads the YAML files in path order and reports links instead of following them", async () => {
    const dir = folder({ "b/f.yaml": "id: f\n", "a/g.yml": "id: g\n", "a/notes.txt": "x" });
    symlinkSync("/etc/hostname", join(dir, "a", "link.yaml"));
    const { files, problems } = await readFlowFolder(dir, undefined, dir);
    expect(files.map((f) => f.file)).toEqual(["a/g.yml", "b/f.yaml"]);
    expect(problems).toEqual([expect.objectContaining({ file: "a/link.yaml", message: expect.stringContaining("symbolic link not followed") })]);
  });

  it("refuses a folder whose files pass the byte budget, naming the folder", async () => {
    const dir = folder({ "a.yaml": "x".repeat(600), "b.yaml": "y".repeat(600) });
    await expect(readFlowFolder(dir, undefined, dir, 1000)).rejects.toThrow(/pass 1000 bytes in all/);
    expect((await readFlowFolder(dir, undefined, dir, 2000)).files).toHaveLength(2);
  });
});
