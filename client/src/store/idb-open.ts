import type { IDBPDatabase, IDBPObjectStore, IDBPTransaction } from 'idb';
import { wrap } from 'idb';
import { abortQuietly, errorName, toStoreError } from './idb-errors';
import { sameKeyPath } from './keys';
import type { CollectionLayout, StoreLayout } from './store';
import { StoreError } from './store';

export type Database = IDBPDatabase<unknown>;
type UpgradeTransaction = IDBPTransaction<unknown, string[], 'versionchange'>;
type UpgradeObjectStore = IDBPObjectStore<unknown, string[], string, 'versionchange'>;

/** How many times opening retries when other tabs change the database at the same time. */
const OPEN_ATTEMPTS = 5;

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
export async function connect(
  factory: IDBFactory,
  name: string,
  layout: StoreLayout,
): Promise<Database> {
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
