import type { Store, StoreDriver, WriteTransaction } from '@syncline/client';

/** The version of a row as a device received it from a gateway. */
interface Received {
  version: number;
  deleted: boolean;
}

/** A server row as it arrives in an answer: enough to know which copy is newer. */
export interface ArrivedRow {
  id: string;
  version: number;
  deleted?: boolean | null;
}

const WATCHED = new Set(['rows:todoItem', 'rows:vehicleModel']);

/**
 * Watches one device's rows for going back in time: a row stored at an older version than
 * the device stored before, or a row the device removed after it received its tombstone
 * coming back at an older version. It sees every answer the device received (`received`)
 * and every row its store committed (through `watchStore`), across reloads.
 */
export class RowMonitor {
  readonly regressions: string[] = [];
  /** The newest copy of each row this device received. */
  readonly #received = new Map<string, Received>();
  /** The highest version of each row this device's store held. */
  readonly #stored = new Map<string, number>();
  /** Rows removed here after their tombstone arrived, with the tombstone's version. */
  readonly #removed = new Map<string, number>();

  constructor(private readonly device: string) {}

  received(row: ArrivedRow): void {
    const known = this.#received.get(row.id);
    if (!known || row.version > known.version) {
      this.#received.set(row.id, { version: row.version, deleted: row.deleted === true });
    }
  }

  /** The store of `driver`, reporting what each committed write did to watched rows. */
  watchStore(driver: StoreDriver): StoreDriver {
    return {
      name: driver.name,
      open: async (layout) => this.#watch(await driver.open(layout)),
    };
  }

  #watch(store: Store): Store {
    return {
      read: (collections, fn) => store.read(collections, fn),
      close: () => store.close(),
      write: async (collections, fn, options) => {
        const puts: { id: string; version: number }[] = [];
        const removed: string[] = [];
        const result = await store.write(
          collections,
          (tx) => fn(this.#recording(tx, puts, removed)),
          options,
        );
        this.#committed(puts, removed);
        return result;
      },
    };
  }

  #recording(
    tx: WriteTransaction,
    puts: { id: string; version: number }[],
    removed: string[],
  ): WriteTransaction {
    return {
      get: (collection, key) => tx.get(collection, key),
      getAll: (collection, query) => tx.getAll(collection, query),
      count: (collection, query) => tx.count(collection, query),
      clear: (collection) => tx.clear(collection),
      put: (collection, value) => {
        if (WATCHED.has(collection)) {
          const row = value as { id: string; version: number };
          puts.push({ id: row.id, version: row.version });
        }
        return tx.put(collection, value);
      },
      putAll: (collection, values) => {
        if (WATCHED.has(collection)) {
          for (const row of values as { id: string; version: number }[]) {
            puts.push({ id: row.id, version: row.version });
          }
        }
        return tx.putAll(collection, values);
      },
      delete: (collection, key) => {
        if (WATCHED.has(collection)) removed.push(String(key));
        return tx.delete(collection, key);
      },
    };
  }

  #committed(puts: readonly { id: string; version: number }[], removed: readonly string[]) {
    for (const { id, version } of puts) {
      const before = this.#stored.get(id);
      if (before !== undefined && version < before) {
        this.regressions.push(`${this.device}: row ${id} went back from v${before} to v${version}`);
      }
      const tombstone = this.#removed.get(id);
      if (tombstone !== undefined && version < tombstone) {
        this.regressions.push(
          `${this.device}: row ${id}, removed at its tombstone v${tombstone}, came back at v${version}`,
        );
      }
      this.#stored.set(id, Math.max(before ?? version, version));
    }
    for (const id of removed) {
      const known = this.#received.get(id);
      if (known?.deleted) this.#removed.set(id, known.version);
    }
  }
}
