import { compareKeys, inRange, isValidKey, keyOf, readKeyPath, sameKeyPath } from './keys';
import type {
  CollectionLayout,
  Key,
  QueryOptions,
  ReadTransaction,
  StoreDriver,
  StoreLayout,
  WriteTransaction,
} from './store';
import { StoreError } from './store';

interface Entry {
  key: Key;
  value: object;
}

/** A collection's committed state; a write transaction changes a copy and swaps it in. */
interface Collection {
  layout: CollectionLayout;
  /** Sorted by key. */
  entries: Entry[];
  /** The key generator: never goes back, except when the transaction that moved it fails. */
  nextKey: number;
}

type Data = Map<string, Collection>;

const MAX_GENERATED_KEY = 2 ** 53;

/** The position of `key` in sorted entries: where it is, or where it would go. */
function search(entries: readonly Entry[], key: Key): { index: number; found: boolean } {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareKeys((entries[middle] as Entry).key, key);
    if (order === 0) return { index: middle, found: true };
    if (order < 0) low = middle + 1;
    else high = middle;
  }
  return { index: low, found: false };
}

function clone<T>(value: T, what: string): T {
  try {
    return structuredClone(value);
  } catch (error) {
    throw new StoreError(`${what}: the value cannot be stored (structured clone failed)`, {
      cause: error,
    });
  }
}

function checkKey(key: unknown, what: string): Key {
  if (!isValidKey(key)) throw new StoreError(`${what}: not a valid key`);
  return key;
}

function setKeyPath(value: object, path: string, key: number, what: string): void {
  const steps = path.split('.');
  const last = steps.pop() as string;
  let target = value as Record<string, unknown>;
  for (const step of steps) {
    if (!Object.hasOwn(target, step)) target[step] = {};
    const next = target[step];
    if (typeof next !== 'object' || next === null) {
      throw new StoreError(`${what}: cannot set the generated key at keyPath "${path}"`);
    }
    target = next as Record<string, unknown>;
  }
  target[last] = key;
}

/** Stores a value the caller no longer holds into a collection being written. */
function putInto(target: Collection, value: object, name: string): Key {
  const { keyPath, autoIncrement } = target.layout;
  const what = `put into "${name}"`;
  let key = keyOf(value, keyPath);
  if (key === undefined) {
    const generate =
      autoIncrement === true &&
      typeof keyPath === 'string' &&
      readKeyPath(value, keyPath) === undefined;
    if (!generate) {
      throw new StoreError(
        `${what}: the value has no valid key at keyPath ${JSON.stringify(keyPath)}`,
      );
    }
    if (target.nextKey > MAX_GENERATED_KEY)
      throw new StoreError(`${what}: key generator exhausted`);
    key = target.nextKey;
    setKeyPath(value, keyPath, key, what);
  }
  if (autoIncrement === true && typeof key === 'number' && key >= target.nextKey) {
    target.nextKey = Math.min(Math.floor(key) + 1, MAX_GENERATED_KEY + 1);
  }
  const { index, found } = search(target.entries, key);
  target.entries.splice(index, found ? 1 : 0, { key, value });
  return key;
}

/** The entries a query selects, in its order: by index key then primary key for an index. */
function select(collection: Collection, name: string, query: QueryOptions): Entry[] {
  const { index, range, direction, limit } = query;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new StoreError(`query on "${name}": limit must be a whole number >= 0`);
  }
  if (range?.lower !== undefined) checkKey(range.lower, `query on "${name}": lower bound`);
  if (range?.upper !== undefined) checkKey(range.upper, `query on "${name}": upper bound`);
  let rows: Entry[];
  if (index === undefined) {
    rows = collection.entries.filter((entry) => inRange(entry.key, range));
  } else {
    const layout = collection.layout.indexes.find((candidate) => candidate.name === index);
    if (!layout) throw new StoreError(`unknown index "${index}" on collection "${name}"`);
    rows = collection.entries
      .flatMap((entry) => {
        const key = keyOf(entry.value, layout.keyPath);
        return key !== undefined && inRange(key, range) ? [{ key, entry }] : [];
      })
      .sort((a, b) => compareKeys(a.key, b.key) || compareKeys(a.entry.key, b.entry.key))
      .map((row) => row.entry);
  }
  if (direction === 'prev') rows.reverse();
  return limit === undefined ? rows : rows.slice(0, limit);
}

function createTransaction(data: Data, scope: ReadonlySet<string>) {
  const working: Data = new Map();
  let active = true;
  const use = (name: string): Collection => {
    if (!active) throw new StoreError(`"${name}": the transaction has already finished`);
    if (!scope.has(name)) throw new StoreError(`collection "${name}" is not in the transaction`);
    const collection = working.get(name) ?? data.get(name);
    if (!collection) throw new StoreError(`unknown collection "${name}"`);
    return collection;
  };
  const change = (name: string): Collection => {
    const current = use(name);
    if (working.has(name)) return current;
    const copy = { ...current, entries: [...current.entries] };
    working.set(name, copy);
    return copy;
  };
  const tx: WriteTransaction = {
    async get<T>(name: string, key: Key) {
      const { entries } = use(name);
      const { index, found } = search(entries, checkKey(key, `get from "${name}"`));
      return found ? (clone(entries[index]?.value, name) as T) : undefined;
    },
    async getAll<T>(name: string, query: QueryOptions = {}) {
      return select(use(name), name, query).map((entry) => clone(entry.value, name) as T);
    },
    async count(name: string, query: QueryOptions = {}) {
      return select(use(name), name, query).length;
    },
    async put(name: string, value: object) {
      const target = change(name);
      if (typeof value !== 'object' || value === null) {
        throw new StoreError(`put into "${name}": the value must be an object`);
      }
      return clone(putInto(target, clone(value, `put into "${name}"`), name), name);
    },
    async putAll(name: string, values: readonly object[]) {
      for (const value of values) await this.put(name, value);
    },
    async delete(name: string, key: Key) {
      const target = change(name);
      const { index, found } = search(target.entries, checkKey(key, `delete from "${name}"`));
      if (found) target.entries.splice(index, 1);
    },
    async clear(name: string) {
      change(name).entries = [];
    },
  };
  const read: ReadTransaction = { get: tx.get, getAll: tx.getAll, count: tx.count };
  return {
    tx,
    read,
    commit: () => {
      for (const [name, collection] of working) data.set(name, collection);
    },
    finish: () => {
      active = false;
    },
  };
}

/**
 * Runs transactions in IndexedDB's order: one waits for every earlier unfinished transaction
 * on an overlapping scope when either of them writes.
 */
function createScheduler() {
  const pending = new Set<{ scope: ReadonlySet<string>; write: boolean; done: Promise<void> }>();
  return async <T>(scope: readonly string[], write: boolean, run: () => Promise<T>): Promise<T> => {
    const blockers = [...pending]
      .filter((other) => (write || other.write) && scope.some((name) => other.scope.has(name)))
      .map((other) => other.done);
    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const entry = { scope: new Set(scope), write, done };
    pending.add(entry);
    try {
      await Promise.all(blockers);
      return await run();
    } finally {
      pending.delete(entry);
      finish();
    }
  };
}

function checkLayout(layout: StoreLayout): void {
  const names = new Set<string>();
  for (const { name, keyPath, autoIncrement, indexes } of layout.collections) {
    if (names.has(name)) throw new StoreError(`layout: collection "${name}" appears twice`);
    names.add(name);
    if (autoIncrement === true && (typeof keyPath !== 'string' || keyPath === '')) {
      throw new StoreError(
        `layout: "${name}" auto-increments, so needs a single non-empty keyPath`,
      );
    }
    const indexNames = new Set(indexes.map((index) => index.name));
    if (indexNames.size !== indexes.length) {
      throw new StoreError(`layout: collection "${name}" has two indexes with the same name`);
    }
  }
}

/** Makes `data` match `layout`; records of a collection whose key changed are re-keyed. */
function reconcile(data: Data, layout: StoreLayout): void {
  const wanted = new Set(layout.collections.map((collection) => collection.name));
  for (const name of [...data.keys()]) if (!wanted.has(name)) data.delete(name);
  for (const collectionLayout of layout.collections) {
    const { name, keyPath, autoIncrement = false } = collectionLayout;
    const existing = data.get(name);
    const next: Collection = { layout: collectionLayout, entries: [], nextKey: 1 };
    if (existing && sameKeyPath(existing.layout.keyPath, keyPath)) {
      if ((existing.layout.autoIncrement ?? false) === autoIncrement) {
        next.entries = existing.entries;
        next.nextKey = existing.nextKey;
      }
    }
    if (existing && next.entries !== existing.entries) {
      for (const { value } of existing.entries) {
        try {
          putInto(next, value, name);
        } catch {
          // The record has no key under the new keyPath; IndexedDB would lose it too.
        }
      }
    }
    data.set(name, next);
  }
}

/**
 * A store kept in memory for the life of the driver: opening it again (like a reload, or a
 * second tab) sees the same data. It honours the whole `Store` contract.
 */
export function createMemoryStore(name = 'memory'): StoreDriver {
  const data: Data = new Map();
  const schedule = createScheduler();
  return {
    name,
    async open(layout) {
      checkLayout(layout);
      const everything = new Set([...data.keys(), ...layout.collections.map((c) => c.name)]);
      await schedule([...everything], true, async () => reconcile(data, layout));
      let closed = false;
      const run = async <T>(
        collections: readonly string[],
        write: boolean,
        fn: (tx: ReturnType<typeof createTransaction>) => Promise<T>,
      ): Promise<T> => {
        if (closed) throw new StoreError(`store "${name}" is closed`);
        if (collections.length === 0) throw new StoreError('a transaction needs a collection');
        return schedule(collections, write, async () => {
          const missing = collections.find((collection) => !data.has(collection));
          if (missing !== undefined) throw new StoreError(`unknown collection "${missing}"`);
          const transaction = createTransaction(data, new Set(collections));
          try {
            const result = await fn(transaction);
            transaction.commit();
            return result;
          } finally {
            transaction.finish();
          }
        });
      };
      return {
        read: (collections, fn) => run(collections, false, (t) => fn(t.read)),
        write: (collections, fn) => run(collections, true, (t) => fn(t.tx)),
        close: () => {
          closed = true;
        },
      };
    },
  };
}
