/**
 * A map for the few entries one flow holds: keys in a list scanned in order (by identity, no
 * hashing) up to `maxListed` entries, a `Map` beyond. Per-flow rule state is made for every flow
 * and mostly holds a handful of entries, where a `Map` costs more than the scan.
 */
export class SmallMap<K, V> {
  private readonly keys: K[] = [];
  private readonly values: V[] = [];
  private map: Map<K, V> | undefined;

  constructor(private readonly maxListed: number) {}

  get(key: K): V | undefined {
    if (this.map) return this.map.get(key);
    const at = this.keys.indexOf(key);
    return at === -1 ? undefined : this.values[at];
  }

  set(key: K, value: V): void {
    if (this.map) {
      this.map.set(key, value);
      return;
    }
    const at = this.keys.indexOf(key);
    if (at !== -1) this.values[at] = value;
    else this.add(key, value);
  }

  /** The value `key` holds, or undefined after giving it `value` (one scan either way). */
  firstOrAdd(key: K, value: V): V | undefined {
    if (this.map) {
      const first = this.map.get(key);
      if (first === undefined) this.map.set(key, value);
      return first;
    }
    const at = this.keys.indexOf(key);
    if (at !== -1) return this.values[at];
    this.add(key, value);
    return undefined;
  }

  private add(key: K, value: V): void {
    this.keys.push(key);
    this.values.push(value);
    if (this.keys.length > this.maxListed) this.map = new Map(this.keys.map((known, index) => [known, this.values[index]!]));
  }
}
