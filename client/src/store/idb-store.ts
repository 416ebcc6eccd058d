import { type IDBPTransaction, unwrap } from 'idb';
import { abortQuietly, attempt, errorName, toStoreError } from './idb-errors';
import { connect, type Database } from './idb-open';
import { isEmptyRange, isValidKey } from './keys';
import type {
  Key,
  KeyRange,
  QueryOptions,
  Store,
  StoreDriver,
  WriteOptions,
  WriteTransaction,
} from './store';
import { StoreError } from './store';

/** Which IndexedDB database the store uses, and (outside a browser) which implementation. */
export interface IndexedDbStoreOptions {
  /** The database name. */
  name: string;
  /** The factory to open it with; the global `indexedDB` when not given. */
  indexedDB?: IDBFactory;
  /** The key-range class of that factory's environment; the global `IDBKeyRange` when not given. */
  IDBKeyRange?: typeof IDBKeyRange;
}

/** Read transactions use it too: they only reach `get`, `getAll` and `count`. */
type Transaction = IDBPTransaction<unknown, readonly string[], 'readwrite'>;

function toKeyRange(ranges: typeof IDBKeyRange, range: KeyRange): IDBKeyRange | undefined {
  const { lower, upper } = range;
  const lowerOpen = range.lowerOpen === true;
  const upperOpen = range.upperOpen === true;
  if (lower !== undefined && upper !== undefined) {
    return ranges.bound(lower, upper, lowerOpen, upperOpen);
  }
  if (lower !== undefined) return ranges.lowerBound(lower, lowerOpen);
  return upper === undefined ? undefined : ranges.upperBound(upper, upperOpen);
}

function wrapTransaction(tx: Transaction, ranges: typeof IDBKeyRange): WriteTransaction {
  const objectStore = (name: string) => {
    try {
      return tx.objectStore(name);
    } catch (error) {
      throw toStoreError(error, `collection "${name}" is unknown or not in the transaction`);
    }
  };
  const source = (name: string, index: string | undefined) => {
    const store = objectStore(name);
    if (index === undefined) return store;
    try {
      return store.index(index);
    } catch (error) {
      throw toStoreError(error, `unknown index "${index}" on collection "${name}"`);
    }
  };
  /** The query's source and range, or undefined when it selects nothing. */
  const prepare = (name: string, { index, range, limit }: QueryOptions) => {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new StoreError(`query on "${name}": limit must be a whole number >= 0`);
    }
    for (const bound of [range?.lower, range?.upper]) {
      if (bound !== undefined && !isValidKey(bound)) {
        throw new StoreError(`query on "${name}": a range bound is not a valid key`);
      }
    }
    const from = source(name, index);
    if (limit === 0 || (range !== undefined && isEmptyRange(range))) return undefined;
    return { from, keyRange: range === undefined ? undefined : toKeyRange(ranges, range) };
  };
  return {
    get: <T>(name: string, key: Key) =>
      attempt(
        `get from "${name}"`,
        async () => (await objectStore(name).get(key)) as T | undefined,
      ),
    getAll: <T>(name: string, query: QueryOptions = {}) =>
      attempt(`getAll from "${name}"`, async () => {
        const prepared = prepare(name, query);
        if (!prepared) return [];
        const { from, keyRange } = prepared;
        if (query.direction !== 'prev') return (await from.getAll(keyRange, query.limit)) as T[];
        const values: T[] = [];
        let cursor = await from.openCursor(keyRange, 'prev');
        while (cursor && (query.limit === undefined || values.length < query.limit)) {
          values.push(cursor.value as T);
          cursor = await cursor.continue();
        }
        return values;
      }),
    count: (name: string, query: QueryOptions = {}) =>
      attempt(`count in "${name}"`, async () => {
        const prepared = prepare(name, query);
        if (!prepared) return 0;
        const count = await prepared.from.count(prepared.keyRange);
        return Math.min(count, query.limit ?? count);
      }),
    put: async (name: string, value: object) => {
      const store = objectStore(name);
      try {
        return (await store.put(value)) as Key;
      } catch (error) {
        const keyless = errorName(error) === 'DataError';
        const problem = `the value has no valid key at keyPath ${JSON.stringify(store.keyPath)}`;
        throw toStoreError(error, `put into "${name}"${keyless ? `: ${problem}` : ''}`);
      }
    },
    putAll: (name: string, values: readonly object[]) => {
      const store = unwrap(objectStore(name)) as IDBObjectStore;
      return attempt(
        `put into "${name}"`,
        () =>
          new Promise<void>((resolve, reject) => {
            let last: IDBRequest | undefined;
            for (const value of values) last = store.put(value);
            if (!last) return resolve();
            // Requests end in order: the last one's success is everyone's.
            last.onsuccess = () => resolve();
            last.onerror = () => reject(last.error);
          }),
      );
    },
    delete: (name: string, key: Key) =>
      attempt(`delete from "${name}"`, () => objectStore(name).delete(key)),
    clear: (name: string) => attempt(`clear "${name}"`, () => objectStore(name).clear()),
  };
}

/**
 * A store in IndexedDB, through idb. Opening compares the database with the layout and
 * upgrades it (to the next version) only when they differ. When another connection upgrades
 * the database, this one closes and reopens on its next transaction.
 */
export function createIndexedDbStore(options: IndexedDbStoreOptions): StoreDriver {
  const { name } = options;
  return {
    name,
    async open(layout) {
      const factory: IDBFactory | undefined = options.indexedDB ?? globalThis.indexedDB;
      const ranges: typeof IDBKeyRange | undefined = options.IDBKeyRange ?? globalThis.IDBKeyRange;
      if (!factory || !ranges) throw new StoreError(`open "${name}": IndexedDB is not available`);
      let closed = false;
      let current: Promise<Database> | undefined;
      const connection = (): Promise<Database> => {
        if (closed) return Promise.reject(new StoreError(`store "${name}" is closed`));
        if (current) return current;
        const opening = connect(factory, name, layout).then((db) => {
          const forget = () => {
            if (current === opening) current = undefined;
          };
          db.addEventListener('versionchange', () => {
            db.close();
            forget();
          });
          db.addEventListener('close', forget);
          if (closed) db.close();
          return db;
        });
        current = opening;
        // The caller gets the failure; this only forgets it, so the next transaction tries again.
        void opening.catch(() => {
          if (current === opening) current = undefined;
        });
        return opening;
      };
      const run = async <T>(
        collections: readonly string[],
        mode: 'readonly' | 'readwrite',
        fn: (tx: WriteTransaction) => Promise<T>,
        options: WriteOptions = {},
      ): Promise<T> => {
        const db = await connection();
        const missing = collections.find((collection) => !db.objectStoreNames.contains(collection));
        if (missing !== undefined) throw new StoreError(`unknown collection "${missing}"`);
        if (collections.length === 0) throw new StoreError('a transaction needs a collection');
        const what = `${mode} transaction on ${collections.join(', ')}`;
        let tx: Transaction;
        try {
          tx = db.transaction(collections, mode, options) as Transaction;
        } catch (error) {
          throw toStoreError(error, what);
        }
        // Awaited below; this only keeps an abort after fn fails from being reported as unhandled.
        void tx.done.catch(() => undefined);
        let result: T;
        try {
          result = await fn(wrapTransaction(tx, ranges));
        } catch (error) {
          abortQuietly(tx);
          throw error;
        }
        await attempt(what, () => tx.done);
        return result;
      };
      await connection();
      const store: Store = {
        read: (collections, fn) => run(collections, 'readonly', fn),
        write: (collections, fn, options) => run(collections, 'readwrite', fn, options),
        close: () => {
          closed = true;
          // Closes the connection once it is open; a failed open has nothing to close.
          void current?.then(
            (db) => db.close(),
            () => undefined,
          );
        },
      };
      return store;
    },
  };
}
