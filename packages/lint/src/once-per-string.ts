import type { ValuePath } from "@flowops/flow-model";

/** Strings tracked in a list scanned by identity, up to this many; beyond it, in a map. */
const MAX_LISTED = 16;

/**
 * Which ids a rule has already looked at in each string of a flow, the string known by its path
 * array (every Pebble reference of one string shares it). A flow's references come string by
 * string and few strings hold any: the ids of the current string are a short list, the earlier
 * strings' lists are kept in order (a map only for a flow with many), with no hashing of paths.
 */
export class OncePerString {
  private path: ValuePath | undefined;
  private ids: string[] = [];
  private earlierPaths: ValuePath[] | undefined;
  private earlierIds: string[][] | undefined;
  private earlierMap: Map<ValuePath, string[]> | undefined;

  /** True the first time `id` is asked for in the string at `path`. */
  first(path: ValuePath, id: string): boolean {
    if (path !== this.path) this.switchTo(path);
    if (this.ids.includes(id)) return false;
    this.ids.push(id);
    return true;
  }

  private switchTo(path: ValuePath): void {
    if (this.path !== undefined) this.keep(this.path, this.ids);
    this.path = path;
    this.ids = this.earlier(path) ?? [];
  }

  private keep(path: ValuePath, ids: string[]): void {
    if (this.earlierMap) {
      this.earlierMap.set(path, ids);
      return;
    }
    const paths = (this.earlierPaths ??= []);
    const lists = (this.earlierIds ??= []);
    const at = paths.indexOf(path);
    if (at !== -1) lists[at] = ids;
    else if (paths.length < MAX_LISTED) {
      paths.push(path);
      lists.push(ids);
    } else {
      this.earlierMap = new Map(paths.map((earlier, index) => [earlier, lists[index]!]));
      this.earlierMap.set(path, ids);
    }
  }

  private earlier(path: ValuePath): string[] | undefined {
    if (this.earlierMap) return this.earlierMap.get(path);
    const at = this.earlierPaths?.indexOf(path) ?? -1;
    return at === -1 ? undefined : this.earlierIds![at];
  }
}
