/**
 * Runs in headless Chromium (bundled by esbuild, served next to the gateway). Each function
 * times its own work with `performance.now()` and returns milliseconds; databases are
 * created fresh for every run and deleted after it, untimed.
 */
import { createIndexedDbStore, createSyncClient } from '@syncline/client';
import type { Cursor } from '@syncline/schema';
import { benchLarge, benchRow } from './bench-tables';
import { createTableClient } from './graphql-http';

type Row = Record<string, unknown> & { id: string };

const ROWS = 'rows:benchRow';
let pulledRows: Row[] = [];

function openClient(url: string, name: string) {
  return createSyncClient({
    url,
    tables: { benchRow },
    store: createIndexedDbStore({ name }),
    autoSync: false,
    pageSize: 1000,
  });
}

function request<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

function deleteDatabase(name: string): Promise<unknown> {
  return request(indexedDB.deleteDatabase(name));
}

/** The rows object store as the client lays it out: key path and one index per column. */
interface RowStoreLayout {
  keyPath: string;
  indexes: { name: string; keyPath: string | string[] }[];
}

let layout: RowStoreLayout | undefined;

/** Reads the layout from a database the client made, so the baseline stores the same way. */
async function rowStoreLayout(url: string): Promise<RowStoreLayout> {
  if (layout) return layout;
  const client = await openClient(url, 'bench-layout');
  client.close();
  const db = await request(indexedDB.open('bench-layout'));
  const store = db.transaction(ROWS).objectStore(ROWS);
  layout = {
    keyPath: store.keyPath as string,
    indexes: Array.from(store.indexNames, (name) => ({ name, keyPath: store.index(name).keyPath })),
  };
  db.close();
  await deleteDatabase('bench-layout');
  return layout;
}

/** A fresh database with just the rows store, laid out as the client's. */
async function openPlainDatabase(name: string, shape: RowStoreLayout): Promise<IDBDatabase> {
  await deleteDatabase(name);
  const opening = indexedDB.open(name, 1);
  opening.onupgradeneeded = () => {
    const store = opening.result.createObjectStore(ROWS, { keyPath: shape.keyPath });
    for (const index of shape.indexes) store.createIndex(index.name, index.keyPath);
  };
  return request(opening);
}

async function countRows(name: string, rows = ROWS): Promise<number> {
  const db = await request(indexedDB.open(name));
  const count = await request(db.transaction(rows).objectStore(rows).count());
  db.close();
  return count;
}

const bench = {
  /** Untimed: the table's rows, pulled with plain fetch, for the in-memory baseline. */
  async loadRows(url: string): Promise<number> {
    const client = createTableClient(url, benchRow);
    const rows: Row[] = [];
    let after: Cursor | null = null;
    for (;;) {
      const page = await client.pull(after, 1000);
      rows.push(...(page.rows as Row[]));
      after = page.cursor;
      if (!page.hasMore) break;
    }
    pulledRows = rows;
    await rowStoreLayout(url);
    return rows.length;
  },

  /** The client's full pull into a new IndexedDB database, then a lookup: ready to query. */
  async initialSync(url: string, name: string): Promise<number> {
    await deleteDatabase(name);
    const client = await openClient(url, name);
    const table = client.table('benchRow');
    const lastId = pulledRows.at(-1)?.id ?? '';
    const start = performance.now();
    const result = await table.pull(null);
    const found = await table.get(lastId);
    const ms = performance.now() - start;
    client.close();
    if (result.status !== 'complete' || !found) {
      throw new Error(`initial sync: ${result.status} ${result.message ?? ''}`);
    }
    const stored = await countRows(name);
    await deleteDatabase(name);
    if (stored !== pulledRows.length) throw new Error(`initial sync stored ${stored} rows`);
    return ms;
  },

  /** Baseline: the same rows, already in memory, put in one transaction, then the same lookup. */
  async bulkPut(name: string): Promise<number> {
    const db = await openPlainDatabase(name, layout as RowStoreLayout);
    const lastId = pulledRows.at(-1)?.id ?? '';
    const start = performance.now();
    const tx = db.transaction(ROWS, 'readwrite');
    const store = tx.objectStore(ROWS);
    for (const row of pulledRows) store.put(row);
    await done(tx);
    const found = await request(db.transaction(ROWS).objectStore(ROWS).get(lastId));
    const ms = performance.now() - start;
    db.close();
    await deleteDatabase(name);
    if (!found) throw new Error('bulk put: the last row is missing');
    return ms;
  },

  /**
   * The client's first sync of the 1M-row table into a new database, as an app would start
   * it, with progress reported; the JavaScript heap is sampled all along (Chromium's
   * `performance.memory`, precise with --enable-precise-memory-info).
   */
  async largeSync(url: string, name: string): Promise<LargeSync> {
    await deleteDatabase(name);
    const client = await createSyncClient({
      url,
      tables: { benchLarge },
      store: createIndexedDbStore({ name }),
      autoSync: false,
      pageSize: 1000,
    });
    const heapBefore = heapUsed();
    let heapPeak = heapBefore;
    let progressReports = 0;
    const sample = () => {
      heapPeak = Math.max(heapPeak, heapUsed());
    };
    const sampler = setInterval(sample, 100);
    const start = performance.now();
    const result = await client.table('benchLarge').pull(null, {
      onProgress: () => {
        progressReports += 1;
        sample();
      },
    });
    const ms = performance.now() - start;
    clearInterval(sampler);
    client.close();
    if (result.status !== 'complete') {
      throw new Error(`large sync: ${result.status} ${result.message ?? ''}`);
    }
    const rows = await countRows(name, 'rows:benchLarge');
    await deleteDatabase(name);
    return { ms, rows, progressReports, heapBeforeMb: heapBefore / MB, heapPeakMb: heapPeak / MB };
  },

  /**
   * `insert` through the client API, as an app calls it (the client makes the id): the row
   * and its outbox entry in one transaction each.
   */
  async localWrites(url: string, name: string, count: number): Promise<number> {
    await deleteDatabase(name);
    const client = await openClient(url, name);
    const table = client.table('benchRow');
    const rows = newRows(count);
    const start = performance.now();
    for (const row of rows) await table.insert(row);
    const ms = performance.now() - start;
    const pending = client.pendingOperations();
    client.close();
    await deleteDatabase(name);
    if (pending !== count) throw new Error(`local writes: ${pending} pending, not ${count}`);
    return ms;
  },

  /**
   * Baseline: raw IndexedDB puts of the same rows as the client stores them (a new UUID, the
   * system fields), one transaction each.
   */
  async rawWrites(name: string, count: number): Promise<number> {
    const db = await openPlainDatabase(name, layout as RowStoreLayout);
    const rows = newRows(count);
    const start = performance.now();
    for (const row of rows) {
      const now = new Date().toISOString();
      const stored = {
        id: crypto.randomUUID(),
        version: 0,
        createdAt: now,
        updatedAt: now,
        deleted: false,
        ...row,
      };
      const tx = db.transaction(ROWS, 'readwrite');
      tx.objectStore(ROWS).put(stored);
      await done(tx);
    }
    const ms = performance.now() - start;
    db.close();
    await deleteDatabase(name);
    return ms;
  },
};

function newRows(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    title: `Local row ${index}`.padEnd(40, '.'),
    body: `Written offline: ${index} `.padEnd(120, 'lorem ipsum '),
    category: `category-${String(index % 100).padStart(3, '0')}`,
    score: index % 1000,
    quantity: index % 7,
  }));
}

/** What the 1M-row first sync measured. */
export interface LargeSync {
  ms: number;
  rows: number;
  /** How often `onProgress` was called. */
  progressReports: number;
  heapBeforeMb: number;
  heapPeakMb: number;
}

const MB = 1024 * 1024;

function heapUsed(): number {
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return memory?.usedJSHeapSize ?? 0;
}

export type BrowserBench = typeof bench;

(globalThis as unknown as { bench: BrowserBench }).bench = bench;
