/**
 * Deep freezing: events are facts, and facts do not change after they are recorded.
 * Creating an event copies its payload and freezes the copy in one pass (`frozenCopy`):
 * walking the copy a second time to freeze it took a third of `create`'s time.
 */

export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key of Reflect.ownKeys(value)) {
    const item = (value as Record<PropertyKey, unknown>)[key];
    // Checked here, not in the call: most envelope fields are strings.
    if (typeof item === 'object' && item !== null && !Object.isFrozen(item)) deepFreeze(item);
  }
  return Object.freeze(value);
}

/**
 * Freezes, in place, a value fresh from `JSON.parse` that nobody else holds: only plain
 * objects and arrays can be in it (no symbols, accessors or prototypes other than
 * Object's and Array's), so it skips `deepFreeze`'s generic checks, about half its cost on a
 * stored payload. Anything else must go through `deepFreeze`.
 */
export function freezeParsedJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeParsedJson(value[i]);
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) freezeParsedJson(record[key]);
  }
  return Object.freeze(value);
}

/**
 * A deep copy of validated payload data, each copied object frozen as it is made, so
 * freezing never touches the caller's objects. Plain objects and arrays are copied directly
 * (several times faster than structuredClone, which dominated event creation); anything
 * else structured (Date, Map…) still goes through structuredClone.
 */
export function frozenCopy<T>(value: T): T {
  return typeof value === 'object' && value !== null ? (copyObject(value) as T) : value;
}

// Primitives are checked before the call, not inside it: most payload fields are strings
// and numbers, and a call per field was a measurable part of the copy.
function copyObject(value: object): unknown {
  if (Array.isArray(value)) {
    const length = value.length;
    const items = new Array(length);
    for (let i = 0; i < length; i++) {
      const item: unknown = value[i];
      items[i] = typeof item === 'object' && item !== null ? copyObject(item) : item;
    }
    return Object.freeze(items);
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return deepFreeze(structuredClone(value));
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const field = (value as Record<string, unknown>)[key];
    const item = typeof field === 'object' && field !== null ? copyObject(field) : field;
    // A "__proto__" key must stay data: assigning it would set the copy's prototype.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    } else out[key] = item;
  }
  return Object.freeze(out);
}
