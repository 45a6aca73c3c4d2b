/**
 * True when a value can never change: a primitive, or a frozen plain object or array whose own
 * properties are all data properties holding values that can never change. The generated task
 * validator remembers such values once they are valid (validators.ts): render shares a template's
 * constant parts, deep-frozen, between every tenant's flows, so each is checked once per run.
 */
export function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  if (!Object.isFrozen(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== Array.prototype) return false;
  for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(value))) {
    if (!("value" in descriptor) || !isDeepFrozen(descriptor.value)) return false;
  }
  return true;
}

/** What the generated validators ask of a `pattern`: RegExp's `test`. */
export interface PatternTest {
  test(value: string): boolean;
}

/** Strings longer than this are tested every time: the answers kept stay small. */
const LONGEST_REMEMBERED = 256;

/**
 * A pattern that remembers its answers (up to `maxEntries` strings, then it starts over): a
 * platform's flows repeat the same task types, ids and label keys thousands of times, and a map
 * lookup costs a fraction of a match. Only for patterns whose answer depends on the string alone.
 */
export function rememberedPattern(pattern: RegExp, maxEntries = 20_000): PatternTest {
  if (pattern.global || pattern.sticky) throw new Error(`rememberedPattern: /${pattern.source}/${pattern.flags} depends on lastIndex`);
  const answers = new Map<string, boolean>();
  return {
    test(value) {
      let answer = answers.get(value);
      if (answer === undefined) {
        answer = pattern.test(value);
        if (value.length <= LONGEST_REMEMBERED) {
          if (answers.size >= maxEntries) answers.clear();
          answers.set(value, answer);
        }
      }
      return answer;
    },
  };
}
