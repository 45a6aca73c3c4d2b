import { crc32, deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ZipFormatError, readZipEntries } from "./zip.js";

/** A zip as Java's ZipOutputStream writes it: local headers, data, central directory, end record. */
function zip(files: [name: string, text: string, deflate: boolean][], comment = ""): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text, deflate] of files) {
    const raw = Buffer.from(text);
    const data = deflate ? deflateRawSync(raw) : raw;
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(raw), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(deflate ? 8 : 0, 10);
    entry.writeUInt32LE(crc32(raw), 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(raw.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, data);
    central.push(entry, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(Buffer.byteLength(comment), 20);
  return Buffer.concat([...parts, directory, end, Buffer.from(comment)]);
}

describe("readZipEntries", () => {
  it("reads stored and deflated entries with UTF-8 names, past an archive comment", () => {
    const source = "id: café\nnamespace: acme\n# ünïcode comment\n";
    const entries = readZipEntries(zip([["acme.café.yml", source, true], ["acme.b.yml", "id: b\n", false]], "exported by Kestra"));
    expect([...entries.keys()]).toEqual(["acme.café.yml", "acme.b.yml"]);
    expect(Buffer.from(entries.get("acme.café.yml")!).toString("utf8")).toBe(source);
    expect(Buffer.from(entries.get("acme.b.yml")!).toString("utf8")).toBe("id: b\n");
  });

  it("reads an empty archive and rejects what is not a zip", () => {
    expect(readZipEntries(zip([])).size).toBe(0);
    expect(() => readZipEntries(Buffer.from("{\"message\":\"Not Found\"}"))).toThrow(ZipFormatError);
    expect(() => readZipEntries(Buffer.from("PK"))).toThrow(ZipFormatError);
  });
});
