import type { ValuePath } from "@flowops/flow-model";
import { SmallMap } from "./small-map.js";

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
  private earlier: SmallMap<ValuePath, string[]> | undefined;

  /** True the first time `id` is asked for in the string at `path`. */
  first(path: ValuePath, id: string): boolean {
    if (path !== this.path) this.switchTo(path);
    if (this.ids.includes(id)) return false;
    this.ids.push(id);
    return true;
  }

  private switchTo(path: ValuePath): void {
    if (this.path !== undefined) (this.earlier ??= new SmallMap(MAX_LISTED)).set(this.path, this.ids);
    this.path = path;
    this.ids = this.earlier?.get(path) ?? [];
  }
}
