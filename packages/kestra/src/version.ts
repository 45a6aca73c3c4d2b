/** A parsed `major.minor.patch` version; a suffix such as `-SNAPSHOT` is ignored. */
export interface KestraVersion {
  major: number;
  minor: number;
  patch: number;
}

/** Parses `1.0.3`, `v0.22.6`, `2.0.0-SNAPSHOT`; undefined for anything else. */
export function parseKestraVersion(text: string): KestraVersion | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** True when `version` is at least `major.minor`. */
export function isAtLeast(version: KestraVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/**
 * The path prefix of tenant-scoped endpoints (KESTRA-API.md §1.1): `/api/v1` up to 0.22,
 * `/api/v1/<tenant>` from 0.23 (`main` in OSS).
 */
export function apiBaseFor(version: KestraVersion, tenant: string): string {
  return isAtLeast(version, 0, 23) ? `/api/v1/${encodeURIComponent(tenant)}` : "/api/v1";
}
