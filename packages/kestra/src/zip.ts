import { inflateRawSync } from "node:zlib";

/** A problem reading a zip archive. */
export class ZipFormatError extends Error {
  override readonly name = "ZipFormatError";
}

/**
 * Reads the entries of a zip archive (what Kestra's `flows/export/...` answers: Java's
 * ZipOutputStream, stored or deflated entries) into a map of name → bytes, without copying
 * stored entries. Zip64 and encryption are not supported; Kestra's flow exports need neither.
 */
export function readZipEntries(archive: Uint8Array): Map<string, Uint8Array> {
  const bytes = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  const end = findEndOfCentralDirectory(bytes);
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  const entries = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (bytes.readUInt32LE(at) !== 0x02014b50) throw new ZipFormatError(`zip central directory entry ${i} is damaged`);
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const compressedSize = bytes.readUInt32LE(at + 20);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const localHeader = bytes.readUInt32LE(at + 42);
    const name = bytes.toString(flags & 0x0800 ? "utf8" : "latin1", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (bytes.readUInt32LE(localHeader) !== 0x04034b50) throw new ZipFormatError(`zip entry ${name} has no local header`);
    const dataStart = localHeader + 30 + bytes.readUInt16LE(localHeader + 26) + bytes.readUInt16LE(localHeader + 28);
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    if (method === 0) entries.set(name, data);
    else if (method === 8) entries.set(name, inflateRawSync(data));
    else throw new ZipFormatError(`zip entry ${name} uses compression method ${method}, which is not supported`);
  }
  return entries;
}

function findEndOfCentralDirectory(bytes: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  if (bytes.length < 22) throw new ZipFormatError("not a zip archive (too short)");
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) === 0x06054b50) return at;
  }
  throw new ZipFormatError("not a zip archive (no end of central directory record)");
}
