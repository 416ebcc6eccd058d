import type { Key, KeyRange } from './store';

/** IndexedDB's order of key types: numbers, then Dates, then strings, then arrays. */
function typeRank(key: Key): number {
  if (typeof key === 'number') return 0;
  if (key instanceof Date) return 1;
  if (typeof key === 'string') return 2;
  return 3;
}

/**
 * Compares two valid keys as IndexedDB does: by type (number < Date < string < array), then
 * numbers numerically, Dates by time, strings by UTF-16 code units, arrays element by element
 * and then by length. Returns a negative number, 0 or a positive number.
 */
export function compareKeys(a: Key, b: Key): number {
  const rankA = typeRank(a);
  const rankB = typeRank(b);
  if (rankA !== rankB) return rankA - rankB;
  if (Array.isArray(a) && Array.isArray(b)) {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
      const order = compareKeys(a[i] as Key, b[i] as Key);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  }
  const left = a instanceof Date ? a.getTime() : a;
  const right = b instanceof Date ? b.getTime() : b;
  if (left < right) return -1;
  return left > right ? 1 : 0;
}

function isValid(value: unknown, seen: Set<unknown>): boolean {
  if (typeof value === 'number') return !Number.isNaN(value);
  if (typeof value === 'string') return true;
  if (value instanceof Date) return !Number.isNaN(value.getTime());
  if (!Array.isArray(value) || seen.has(value)) return false;
  seen.add(value);
  for (let i = 0; i < value.length; i++) {
    if (!(i in value) || !isValid(value[i], seen)) return false;
  }
  return true;
}

/**
 * Whether IndexedDB accepts `value` as a key: a number other than NaN, a Date with a time, a
 * string, or a dense array of keys in which no array occurs twice. Booleans, null, undefined
 * and other objects are not keys.
 */
export function isValidKey(value: unknown): value is Key {
  return isValid(value, new Set());
}

/** The value at a dotted key path ('' is the value itself); undefined when a step is missing. */
export function readKeyPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let current = value;
  for (const step of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, step)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/**
 * The key of `value` at `keyPath` (an array of paths gives a compound key), or undefined when
 * any part of it is missing or not a valid key. The result may share Dates and arrays with `value`.
 */
export function keyOf(value: object, keyPath: string | string[]): Key | undefined {
  if (typeof keyPath === 'string') {
    const key = readKeyPath(value, keyPath);
    return isValidKey(key) ? key : undefined;
  }
  const parts: Key[] = [];
  for (const path of keyPath) {
    const part = readKeyPath(value, path);
    if (!isValidKey(part)) return undefined;
    parts.push(part);
  }
  return parts;
}

/** Whether `key` lies in `range`; no range (or one without bounds) holds every key. */
export function inRange(key: Key, range?: KeyRange): boolean {
  if (range === undefined) return true;
  if (range.lower !== undefined) {
    const order = compareKeys(key, range.lower);
    if (order < 0 || (order === 0 && range.lowerOpen === true)) return false;
  }
  if (range.upper !== undefined) {
    const order = compareKeys(key, range.upper);
    if (order > 0 || (order === 0 && range.upperOpen === true)) return false;
  }
  return true;
}

/** Whether no key can lie in `range` (lower above upper, or equal bounds with one open). */
export function isEmptyRange(range: KeyRange): boolean {
  if (range.lower === undefined || range.upper === undefined) return false;
  const order = compareKeys(range.lower, range.upper);
  return order > 0 || (order === 0 && (range.lowerOpen === true || range.upperOpen === true));
}

/** Whether two key paths are the same (a one-element array differs from a plain string). */
export function sameKeyPath(a: string | readonly string[], b: string | readonly string[]): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((path, i) => path === b[i]);
}
