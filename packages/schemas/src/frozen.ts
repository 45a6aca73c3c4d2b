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
