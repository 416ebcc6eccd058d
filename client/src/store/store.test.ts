// idb's wrappers test `instanceof IDBRequest` (and the other IndexedDB classes) against the
// globals, so the fake's classes must be installed as globals, as a browser has them.
import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createIndexedDbStore } from './idb-store';
import { compareKeys, isValidKey, keyOf } from './keys';
import { createMemoryStore } from './memory-store';
import type { StoreLayout } from './store';
import { describeStoreContract } from './store-contract';

let databases = 0;
const uniqueName = () => `syncline-test-${++databases}`;

describeStoreContract('memory', () => createMemoryStore());
describeStoreContract('IndexedDB', () =>
  createIndexedDbStore({ name: uniqueName(), indexedDB: new IDBFactory(), IDBKeyRange }),
);

describe('keys', () => {
  it('accepts only IndexedDB keys', () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    for (const key of [0, -Infinity, '', 'x', new Date(0), [], [1, ['a', new Date(2)]]]) {
      expect(isValidKey(key)).toBe(true);
    }
    const sparse: unknown[] = [1];
    sparse[2] = 2;
    for (const value of [NaN, new Date(Number.NaN), true, null, undefined, {}, [1, null]]) {
      expect(isValidKey(value)).toBe(false);
    }
    expect(isValidKey(sparse)).toBe(false);
    expect(isValidKey(cyclic)).toBe(false);
  });

  it('compares keys by type, then value', () => {
    expect(compareKeys(0, -0)).toBe(0);
    expect(compareKeys('Z', 'a')).toBeLessThan(0);
    expect(compareKeys('\uD800', '\uFFFF')).toBeLessThan(0);
    expect(compareKeys([1], [1, 0])).toBeLessThan(0);
    expect(compareKeys(['a'], [1, 2])).toBeGreaterThan(0);
    expect(compareKeys(new Date(3), new Date(3))).toBe(0);
    expect(compareKeys(Infinity, new Date(0))).toBeLessThan(0);
  });

  it('reads keys at key paths', () => {
    expect(keyOf({ a: { b: 'x' }, c: 1 }, ['a.b', 'c'])).toEqual(['x', 1]);
    expect(keyOf({ a: true }, 'a')).toBeUndefined();
    expect(keyOf({ c: 1 }, ['a', 'c'])).toBeUndefined();
  });
});

const before: StoreLayout = {
  collections: [
    { name: 'rows', keyPath: 'id', indexes: [] },
    { name: 'outbox', keyPath: 'seq', autoIncrement: true, indexes: [] },
  ],
};

const after: StoreLayout = {
  collections: [
    { name: 'rows', keyPath: 'id', indexes: [{ name: 'byTable', keyPath: ['table', 'id'] }] },
    { name: 'outbox', keyPath: 'seq', autoIncrement: true, indexes: [] },
  ],
};

const outbox = [
  { op: 'insert', row: 'r1' },
  { op: 'update', row: 'r1' },
];

function openRaw(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function versionOf(factory: IDBFactory, name: string): Promise<number> {
  const db = await openRaw(factory, name);
  db.close();
  return db.version;
}

/** A factory that lets a test act when an open is blocked by another connection. */
class WatchedFactory extends IDBFactory {
  onBlocked = () => {};

  override open(name: string, version?: number): IDBOpenDBRequest {
    const request = version === undefined ? super.open(name) : super.open(name, version);
    request.addEventListener('blocked', () => this.onBlocked());
    return request;
  }
}

describe('IndexedDB store', () => {
  const setUp = async (factory: IDBFactory = new IDBFactory()) => {
    const name = uniqueName();
    const driver = createIndexedDbStore({ name, indexedDB: factory, IDBKeyRange });
    const store = await driver.open(before);
    await store.write(['rows', 'outbox'], async (tx) => {
      await tx.put('rows', { id: 'r1', table: 't1' });
      for (const entry of outbox) await tx.put('outbox', entry);
    });
    return { name, factory, driver, store };
  };
  const withKeys = outbox.map((entry, i) => ({ ...entry, seq: i + 1 }));

  it('keeps the outbox when an index is added to another collection', async () => {
    const { name, factory, driver, store } = await setUp();
    store.close();
    const upgraded = await driver.open(after);
    expect(await versionOf(factory, name)).toBe(2);
    expect(await upgraded.read(['outbox'], (tx) => tx.getAll('outbox'))).toEqual(withKeys);
    const range = { lower: ['t1'], upper: ['t1', []] };
    const byTable = upgraded.read(['rows'], (tx) => tx.getAll('rows', { index: 'byTable', range }));
    expect(await byTable).toEqual([{ id: 'r1', table: 't1' }]);
    upgraded.close();
  });

  it('changes the version only when the layout changes', async () => {
    const { name, factory, driver, store } = await setUp();
    expect(await versionOf(factory, name)).toBe(1);
    store.close();
    (await driver.open(before)).close();
    expect(await versionOf(factory, name)).toBe(1);
    (await driver.open(after)).close();
    expect(await versionOf(factory, name)).toBe(2);
    const other = createIndexedDbStore({ name, indexedDB: factory, IDBKeyRange });
    (await other.open(after)).close();
    expect(await versionOf(factory, name)).toBe(2);
  });

  it('survives another connection upgrading the database', async () => {
    const { name, factory, store } = await setUp();
    const newer = await createIndexedDbStore({ name, indexedDB: factory, IDBKeyRange }).open(after);
    expect(await versionOf(factory, name)).toBe(2);
    expect(await store.read(['outbox'], (tx) => tx.getAll('outbox'))).toEqual(withKeys);
    await store.write(['rows'], (tx) => tx.put('rows', { id: 'r2', table: 't1' }));
    const range = { lower: ['t1'], upper: ['t1', []] };
    const rows = await newer.read(['rows'], (tx) => tx.getAll('rows', { index: 'byTable', range }));
    expect(rows).toEqual([
      { id: 'r1', table: 't1' },
      { id: 'r2', table: 't1' },
    ]);
    store.close();
    newer.close();
  });

  it('waits while an old connection blocks the upgrade', async () => {
    const factory = new WatchedFactory();
    const { name, driver, store } = await setUp(factory);
    store.close();
    const blocking = await openRaw(factory, name);
    let blocked = false;
    factory.onBlocked = () => {
      blocked = true;
      blocking.close();
    };
    const upgraded = await driver.open(after);
    expect(blocked).toBe(true);
    expect(await upgraded.read(['outbox'], (tx) => tx.getAll('outbox'))).toEqual(withKeys);
    upgraded.close();
  });
});
