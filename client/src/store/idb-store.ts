import type { IDBPDatabase, IDBPObjectStore, IDBPTransaction } from 'idb';
import { wrap } from 'idb';
import { isEmptyRange, isValidKey, sameKeyPath } from './keys';
import type {
  CollectionLayout,
  Key,
  KeyRange,
  QueryOptions,
  Store,
  StoreDriver,
  StoreLayout,
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

type Database = IDBPDatabase<unknown>;
type UpgradeTransaction = IDBPTransaction<unknown, string[], 'versionchange'>;
type UpgradeObjectStore = IDBPObjectStore<unknown, string[], string, 'versionchange'>;
/** Read transactions use it too: they only reach `get`, `getAll` and `count`. */
type Transaction = IDBPTransaction<unknown, readonly string[], 'readwrite'>;

/** How many times opening retries when other tabs change the database at the same time. */
const OPEN_ATTEMPTS = 5;

const HINTS: Record<string, string> = {
  QuotaExceededError: 'the storage quota is exceeded',
  DataError: 'not a valid key',
  DataCloneError: 'the value cannot be stored (structured clone failed)',
  ConstraintError: 'a constraint failed',
  InvalidStateError: 'the database connection is closed',
  TransactionInactiveError:
    'the transaction has already committed (did fn await something other than the store?)',
  AbortError: 'the transaction was aborted',
  VersionError: 'the database is newer than requested',
};

function errorName(error: unknown): string {
  const name = typeof error === 'object' && error !== null ? Reflect.get(error, 'name') : undefined;
  return typeof name === 'string' ? name : '';
}

function toStoreError(error: unknown, what: string): StoreError {
  if (error instanceof StoreError) return error;
  const name = errorName(error);
  const detail = error instanceof Error ? `${name}: ${error.message}` : String(error);
  return new StoreError(`${what}: ${HINTS[name] ?? 'IndexedDB failed'} (${detail})`, {
    cause: error,
  });
}

async function attempt<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStoreError(error, what);
  }
}

interface StoreShape {
  readonly keyPath: string | string[] | null;
  readonly autoIncrement: boolean;
  readonly indexNames: ArrayLike<string> & { contains(name: string): boolean };
  index(name: string): { keyPath: string | string[]; unique: boolean; multiEntry: boolean };
}

function indexMatches(store: StoreShape, name: string, layout: CollectionLayout): boolean {
  const wanted = layout.indexes.find((index) => index.name === name);
  const index = store.index(name);
  return (
    wanted !== undefined &&
    sameKeyPath(index.keyPath, wanted.keyPath) &&
    !index.unique &&
    !index.multiEntry
  );
}

function storeKeyMatches(store: StoreShape, layout: CollectionLayout): boolean {
  return (
    store.keyPath !== null &&
    sameKeyPath(store.keyPath, layout.keyPath) &&
    store.autoIncrement === (layout.autoIncrement ?? false)
  );
}

/** Whether the open database already has exactly the layout's object stores and indexes. */
function matchesLayout(db: Database, layout: StoreLayout): boolean {
  const names = layout.collections.map((collection) => collection.name);
  const existing = db.objectStoreNames;
  if (existing.length !== names.length || !names.every((name) => existing.contains(name))) {
    return false;
  }
  if (names.length === 0) return true;
  const tx = db.transaction(names, 'readonly');
  return layout.collections.every((collection) => {
    const store: StoreShape = tx.objectStore(collection.name);
    return (
      storeKeyMatches(store, collection) &&
      store.indexNames.length === collection.indexes.length &&
      Array.from(store.indexNames).every((name) => indexMatches(store, name, collection))
    );
  });
}

function createStore(db: Database, layout: CollectionLayout): UpgradeObjectStore {
  const store = db.createObjectStore(layout.name, {
    keyPath: layout.keyPath,
    autoIncrement: layout.autoIncrement ?? false,
  });
  for (const index of layout.indexes) store.createIndex(index.name, index.keyPath);
  return store;
}

function abortQuietly(transaction: { abort(): void }): void {
  try {
    transaction.abort();
  } catch {
    // The transaction has already finished or aborted.
  }
}

/** Recreates a store whose key changed and puts its records back under the new key. */
async function rebuildStore(db: Database, tx: UpgradeTransaction, layout: CollectionLayout) {
  const values: unknown[] = await tx.objectStore(layout.name).getAll();
  db.deleteObjectStore(layout.name);
  const store = createStore(db, layout);
  const puts: Promise<unknown>[] = [];
  for (const value of values) {
    try {
      puts.push(store.put(value));
    } catch {
      // The record has no key under the new keyPath, so it cannot be kept.
    }
  }
  await Promise.all(puts);
}

/**
 * The one place object stores and indexes change, inside a version-change transaction: makes
 * the database match `layout`. Stores that stay keep their records (a store whose keyPath or
 * autoIncrement changed is rebuilt, re-putting the records that have a key under the new
 * keyPath); indexes not in the layout, or with another keyPath, are dropped and recreated;
 * stores not in the layout are deleted. `oldVersion` 0 means the database is new.
 */
export function upgrade(
  db: Database,
  oldVersion: number,
  layout: StoreLayout,
  transaction: UpgradeTransaction,
): void {
  const wanted = new Set(layout.collections.map((collection) => collection.name));
  if (oldVersion > 0) {
    for (const name of Array.from(db.objectStoreNames)) {
      if (!wanted.has(name)) db.deleteObjectStore(name);
    }
  }
  for (const collection of layout.collections) {
    if (!db.objectStoreNames.contains(collection.name)) {
      createStore(db, collection);
      continue;
    }
    const store = transaction.objectStore(collection.name);
    if (!storeKeyMatches(store, collection)) {
      // Settles inside the upgrade transaction; a failure aborts it, and so fails the open.
      void rebuildStore(db, transaction, collection).catch(() => abortQuietly(transaction));
      continue;
    }
    for (const name of Array.from(store.indexNames)) {
      if (!indexMatches(store, name, collection)) store.deleteIndex(name);
    }
    for (const index of collection.indexes) {
      if (!store.indexNames.contains(index.name)) store.createIndex(index.name, index.keyPath);
    }
  }
}

/** Opens (with `version`, or the current one) and runs `upgrade` when IndexedDB asks for it. */
async function openDatabase(
  factory: IDBFactory,
  name: string,
  version: number | undefined,
  layout: StoreLayout,
): Promise<Database> {
  const request = version === undefined ? factory.open(name) : factory.open(name, version);
  let failure: unknown;
  request.addEventListener('upgradeneeded', (event) => {
    const transaction = request.transaction as IDBTransaction;
    try {
      // idb types a wrapped transaction as read-only; this one is the version-change transaction.
      const upgrading = wrap(transaction) as unknown as UpgradeTransaction;
      upgrade(wrap(request.result), event.oldVersion, layout, upgrading);
    } catch (error) {
      failure = error;
      abortQuietly(transaction);
    }
  });
  // A `blocked` open simply waits: other connections close when they see `versionchange`.
  try {
    const db = await wrap(request);
    if (!db) throw new StoreError(`open "${name}": no database`);
    return db;
  } catch (error) {
    throw toStoreError(failure ?? error, `open "${name}"`);
  }
}

/** Opens the database as it is, and upgrades it to a new version when it differs from `layout`. */
async function connect(factory: IDBFactory, name: string, layout: StoreLayout): Promise<Database> {
  for (let tries = 0; tries < OPEN_ATTEMPTS; tries++) {
    const current = await openDatabase(factory, name, undefined, layout);
    if (matchesLayout(current, layout)) return current;
    const version = current.version + 1;
    current.close();
    try {
      const upgraded = await openDatabase(factory, name, version, layout);
      if (matchesLayout(upgraded, layout)) return upgraded;
      upgraded.close();
    } catch (error) {
      // Another tab upgraded first: look again.
      if (!(error instanceof StoreError && errorName(error.cause) === 'VersionError')) throw error;
    }
  }
  throw new StoreError(`open "${name}": other connections keep changing the database layout`);
}

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
      ): Promise<T> => {
        const db = await connection();
        const missing = collections.find((collection) => !db.objectStoreNames.contains(collection));
        if (missing !== undefined) throw new StoreError(`unknown collection "${missing}"`);
        if (collections.length === 0) throw new StoreError('a transaction needs a collection');
        const what = `${mode} transaction on ${collections.join(', ')}`;
        let tx: Transaction;
        try {
          tx = db.transaction(collections, mode) as Transaction;
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
        write: (collections, fn) => run(collections, 'readwrite', fn),
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
