/**
 * The transactional storage seam of the sync engine. The engine only ever talks to a
 * `Store`; `createIndexedDbStore` (through idb) and `createMemoryStore` implement it, and
 * one contract suite (`store-contract.ts`) holds both to the same behaviour.
 */

/** The keys we use: IndexedDB's valid keys minus binary ones. */
export type Key = string | number | Date | Key[];

/** A key range; `lower` and `upper` are inclusive unless `lowerOpen`/`upperOpen`. */
export interface KeyRange {
  lower?: Key;
  upper?: Key;
  lowerOpen?: boolean;
  upperOpen?: boolean;
}

export interface IndexLayout {
  name: string;
  /** A property name, or several for a compound index. */
  keyPath: string | string[];
}

export interface CollectionLayout {
  name: string;
  keyPath: string | string[];
  /** The store assigns increasing numeric keys to values that have none. */
  autoIncrement?: boolean;
  indexes: IndexLayout[];
}

/** Every collection and index the engine needs; a store makes what is missing on open. */
export interface StoreLayout {
  collections: CollectionLayout[];
}

export interface QueryOptions {
  /** Read through this index instead of the primary key. */
  index?: string;
  /** Only keys (of the index, when given) in this range. */
  range?: KeyRange;
  direction?: 'next' | 'prev';
  limit?: number;
}

export interface ReadTransaction {
  get<T>(collection: string, key: Key): Promise<T | undefined>;
  /** Values in key order (of the index, when given); records the index cannot key are left out. */
  getAll<T>(collection: string, query?: QueryOptions): Promise<T[]>;
  count(collection: string, query?: QueryOptions): Promise<number>;
}

export interface WriteTransaction extends ReadTransaction {
  /** Inserts or replaces by primary key; returns the key (assigned when auto-incremented). */
  put(collection: string, value: object): Promise<Key>;
  /**
   * Puts each value, in order, as `put` would; for many rows at once (a pulled page), it
   * spares a promise per value.
   */
  putAll(collection: string, values: readonly object[]): Promise<void>;
  delete(collection: string, key: Key): Promise<void>;
  clear(collection: string): Promise<void>;
}

/**
 * An open database. A transaction sees a consistent state and commits whole or not at all:
 * when `fn` throws, nothing it wrote is kept. Write transactions on overlapping collections
 * run one after another. Values go in and come out as structured clones.
 *
 * As in IndexedDB, `fn` may await only the transaction's own calls: awaiting anything else
 * (the network, a timer) lets IndexedDB commit the transaction early.
 */
export interface Store {
  read<T>(collections: readonly string[], fn: (tx: ReadTransaction) => Promise<T>): Promise<T>;
  write<T>(
    collections: readonly string[],
    fn: (tx: WriteTransaction) => Promise<T>,
    options?: WriteOptions,
  ): Promise<T>;
  close(): void;
}

export interface WriteOptions {
  /**
   * `relaxed`: the commit may be reported before it reaches the disk (IndexedDB's relaxed
   * durability), so a crash right after may lose it, whole. For writes the server can give
   * again, such as a pulled page with its cursor; never for the device's own changes.
   */
  durability?: 'default' | 'relaxed';
}

/** Opens a store with a layout; opening again later gives the same data (a reload). */
export interface StoreDriver {
  /** Identifies the database, e.g. for cross-tab messages and locks. */
  readonly name: string;
  open(layout: StoreLayout): Promise<Store>;
}

/** A store failed for reasons outside the engine (quota, a closed or broken database). */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}
