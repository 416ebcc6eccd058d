import { afterEach, describe, expect, it } from 'vitest';
import type { Key, Store, StoreDriver, StoreLayout } from './store';
import { StoreError } from './store';

interface Row {
  id: string;
  table: string;
  title?: unknown;
  at?: Date;
  nested?: { n: number };
}

interface OutboxEntry {
  seq?: number;
  op: string;
}

interface Meta {
  key: Key;
  value?: unknown;
}

const smallLayout: StoreLayout = {
  collections: [
    { name: 'rows', keyPath: 'id', indexes: [] },
    { name: 'outbox', keyPath: 'seq', autoIncrement: true, indexes: [] },
  ],
};

const layout: StoreLayout = {
  collections: [
    {
      name: 'rows',
      keyPath: 'id',
      indexes: [
        { name: 'byTitle', keyPath: 'title' },
        { name: 'byTableId', keyPath: ['table', 'id'] },
      ],
    },
    { name: 'outbox', keyPath: 'seq', autoIncrement: true, indexes: [] },
    { name: 'meta', keyPath: 'key', indexes: [] },
  ],
};

const rows: Row[] = [
  { id: 'r1', table: 't1', title: 'b' },
  { id: 'r2', table: 't2', title: 'a' },
  { id: 'r3', table: 't1', title: 'b' },
  { id: 'r0', table: 't1', title: 'a' },
  { id: 'r4', table: 't2', title: true },
  { id: 'r5', table: 't2', title: null },
  { id: 'r6', table: 't2' },
  { id: 'r7', table: 't1', title: { not: 'a key' } },
];

async function putAll(store: Store, collection: string, values: object[]): Promise<Key[]> {
  return store.write([collection], async (tx) => {
    const keys: Key[] = [];
    for (const value of values) keys.push(await tx.put(collection, value));
    return keys;
  });
}

function readAll<T>(store: Store, collection: string): Promise<T[]> {
  return store.read([collection], (tx) => tx.getAll<T>(collection));
}

const ids = (values: Row[]) => values.map((row) => row.id);

/** The behaviour every `StoreDriver` must have; `makeDriver` gives a fresh, empty database. */
export function describeStoreContract(label: string, makeDriver: () => StoreDriver): void {
  describe(`${label} store contract`, () => {
    const opened: Store[] = [];
    const open = async (driver = makeDriver(), withLayout = layout) => {
      const store = await driver.open(withLayout);
      opened.push(store);
      return store;
    };
    afterEach(() => {
      for (const store of opened.splice(0)) store.close();
    });

    it('puts, gets, counts, deletes and clears', async () => {
      const store = await open();
      expect(await putAll(store, 'rows', [rows[0] as Row, rows[1] as Row])).toEqual(['r1', 'r2']);
      await putAll(store, 'rows', [{ id: 'r1', table: 't1', title: 'replaced' }]);
      await store.read(['rows'], async (tx) => {
        expect(await tx.get('rows', 'r1')).toEqual({ id: 'r1', table: 't1', title: 'replaced' });
        expect(await tx.get('rows', 'missing')).toBeUndefined();
        expect(await tx.count('rows')).toBe(2);
      });
      await store.write(['rows'], (tx) => tx.delete('rows', 'r1'));
      expect(ids(await readAll(store, 'rows'))).toEqual(['r2']);
      await store.write(['rows'], (tx) => tx.clear('rows'));
      expect(await store.read(['rows'], (tx) => tx.count('rows'))).toBe(0);
    });

    it('puts many values in one call, in order, or none when one fails', async () => {
      const store = await open();
      const replaced = { id: 'r1', table: 't1', title: 'replaced' };
      await store.write(['rows'], (tx) =>
        tx.putAll('rows', [rows[0] as Row, rows[1] as Row, replaced]),
      );
      expect(await readAll(store, 'rows')).toEqual([replaced, rows[1]]);
      await store.write(['rows'], (tx) => tx.putAll('rows', []));
      const keyless = { table: 't1' };
      const failing = store.write(['rows'], (tx) =>
        tx.putAll('rows', [{ id: 'r9', table: 't1' }, keyless]),
      );
      await expect(failing).rejects.toBeInstanceOf(StoreError);
      expect(ids(await readAll(store, 'rows'))).toEqual(['r1', 'r2']);
    });

    it('stores and returns structured clones', async () => {
      const store = await open();
      const value: Row = { id: 'c', table: 't', nested: { n: 1 }, at: new Date(1234) };
      await putAll(store, 'rows', [value]);
      (value.nested as { n: number }).n = 2;
      const got = await store.read(['rows'], (tx) => tx.get<Row>('rows', 'c'));
      expect(got?.nested?.n).toBe(1);
      expect(got?.at).toBeInstanceOf(Date);
      expect(got?.at?.getTime()).toBe(1234);
      if (got?.nested) got.nested.n = 3;
      const again = await store.read(['rows'], (tx) => tx.get<Row>('rows', 'c'));
      expect(again?.nested?.n).toBe(1);
      const badValue = { id: 'f', table: 't', run: () => 1 };
      await expect(putAll(store, 'rows', [badValue])).rejects.toBeInstanceOf(StoreError);
    });

    it('orders keys as IndexedDB does: numbers, Dates, strings, arrays', async () => {
      const store = await open();
      const keys: Key[] = [
        'b',
        10,
        2,
        new Date(5),
        ['a'],
        'a',
        new Date(1),
        [1, 'x'],
        [1],
        'B',
        '',
      ];
      await putAll(
        store,
        'meta',
        keys.map((key) => ({ key })),
      );
      const found = (await readAll<Meta>(store, 'meta')).map((meta) => meta.key);
      const expected = [2, 10, new Date(1), new Date(5), '', 'B', 'a', 'b', [1], [1, 'x'], ['a']];
      expect(found).toEqual(expected);
      expect(found[2]).toBeInstanceOf(Date);
      expect(await store.read(['meta'], (tx) => tx.get<Meta>('meta', new Date(5)))).toEqual({
        key: new Date(5),
      });
    });

    it('returns records in primary key order, within ranges, backwards and limited', async () => {
      const store = await open();
      await putAll(store, 'rows', rows);
      await store.read(['rows'], async (tx) => {
        const get = async (q: Parameters<typeof tx.getAll>[1]) =>
          ids(await tx.getAll<Row>('rows', q));
        expect(await get({})).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
        expect(await get({ range: { lower: 'r2', upper: 'r5' } })).toEqual([
          'r2',
          'r3',
          'r4',
          'r5',
        ]);
        const open = { lower: 'r2', upper: 'r5', lowerOpen: true, upperOpen: true };
        expect(await get({ range: open })).toEqual(['r3', 'r4']);
        expect(await get({ range: { lower: 'r6' } })).toEqual(['r6', 'r7']);
        expect(await get({ range: { upper: 'r1', upperOpen: true } })).toEqual(['r0']);
        expect(await get({ range: { lower: 'r3', upper: 'r3' } })).toEqual(['r3']);
        expect(await get({ range: { lower: 'r5', upper: 'r2' } })).toEqual([]);
        expect(await get({ range: { lower: 'r3', upper: 'r3', lowerOpen: true } })).toEqual([]);
        expect(await get({ direction: 'prev', limit: 3 })).toEqual(['r7', 'r6', 'r5']);
        const backwards = { range: { lower: 'r2', upper: 'r5' }, direction: 'prev' as const };
        expect(await get({ ...backwards, limit: 2 })).toEqual(['r5', 'r4']);
        expect(await get({ limit: 2 })).toEqual(['r0', 'r1']);
        expect(await get({ limit: 0 })).toEqual([]);
        expect(await tx.count('rows', { range: { lower: 'r2', upper: 'r5' } })).toBe(4);
        expect(await tx.count('rows', { limit: 3 })).toBe(3);
      });
    });

    it('reads through indexes in index key order, ties by primary key', async () => {
      const store = await open();
      await putAll(store, 'rows', rows);
      await store.read(['rows'], async (tx) => {
        const get = async (q: Parameters<typeof tx.getAll>[1]) =>
          ids(await tx.getAll<Row>('rows', q));
        expect(await get({ index: 'byTitle' })).toEqual(['r0', 'r2', 'r1', 'r3']);
        expect(await get({ index: 'byTitle', direction: 'prev' })).toEqual([
          'r3',
          'r1',
          'r2',
          'r0',
        ]);
        expect(await get({ index: 'byTitle', direction: 'prev', limit: 3 })).toEqual([
          'r3',
          'r1',
          'r2',
        ]);
        expect(await get({ index: 'byTitle', range: { lower: 'b', upper: 'b' } })).toEqual([
          'r1',
          'r3',
        ]);
        expect(await get({ index: 'byTitle', range: { lower: 'a', lowerOpen: true } })).toEqual([
          'r1',
          'r3',
        ]);
        expect(await tx.count('rows', { index: 'byTitle' })).toBe(4);
        expect(await tx.count('rows')).toBe(8);
        expect(await get({ index: 'byTableId' })).toEqual([
          'r0',
          'r1',
          'r3',
          'r7',
          'r2',
          'r4',
          'r5',
          'r6',
        ]);
        const t1 = { lower: ['t1'], upper: ['t1', []] };
        expect(await get({ index: 'byTableId', range: t1 })).toEqual(['r0', 'r1', 'r3', 'r7']);
        const fromR3 = { lower: ['t1', 'r3'], upper: ['t1', []] };
        expect(await get({ index: 'byTableId', range: fromR3, direction: 'prev' })).toEqual([
          'r7',
          'r3',
        ]);
      });
    });

    it('auto-increments keys, sets them on the value and never reuses one', async () => {
      const driver = makeDriver();
      const store = await open(driver);
      const first: OutboxEntry = { op: 'a' };
      expect(await putAll(store, 'outbox', [first, { op: 'b' }])).toEqual([1, 2]);
      expect(first).toEqual({ op: 'a' });
      expect(await readAll(store, 'outbox')).toEqual([
        { op: 'a', seq: 1 },
        { op: 'b', seq: 2 },
      ]);
      await store.write(['outbox'], (tx) => tx.delete('outbox', 2));
      expect(await putAll(store, 'outbox', [{ op: 'c' }])).toEqual([3]);
      expect(await putAll(store, 'outbox', [{ op: 'd', seq: 10 }, { op: 'e' }])).toEqual([10, 11]);
      await store.write(['outbox'], (tx) => tx.clear('outbox'));
      store.close();
      const reopened = await open(driver);
      expect(await putAll(reopened, 'outbox', [{ op: 'f' }])).toEqual([12]);
      expect(await readAll(reopened, 'outbox')).toEqual([{ op: 'f', seq: 12 }]);
    });

    it('keeps nothing of a write transaction that throws, and rethrows its error', async () => {
      const store = await open();
      await putAll(store, 'rows', [{ id: 'r1', table: 't1', title: 'kept' }]);
      const boom = new Error('boom');
      const failing = store.write(['rows', 'outbox'], async (tx) => {
        await tx.put('rows', { id: 'new', table: 't1' });
        await tx.put('rows', { id: 'r1', table: 't1', title: 'changed' });
        await tx.put('outbox', { op: 'x' });
        await tx.delete('rows', 'r1');
        expect(await tx.count('rows')).toBe(1);
        await tx.clear('rows');
        throw boom;
      });
      const reading = store.read(['rows'], (tx) => tx.getAll<Row>('rows'));
      await expect(failing).rejects.toBe(boom);
      expect(await reading).toEqual([{ id: 'r1', table: 't1', title: 'kept' }]);
      expect(await readAll(store, 'rows')).toEqual([{ id: 'r1', table: 't1', title: 'kept' }]);
      expect(await readAll(store, 'outbox')).toEqual([]);
    });

    it('runs transactions in the order they were started', async () => {
      const store = await open();
      const before = store.read(['meta'], (tx) => tx.get('meta', 'k'));
      const writing = putAll(store, 'meta', [{ key: 'k', value: 1 }]);
      const after = store.read(['meta'], (tx) => tx.get('meta', 'k'));
      await writing;
      expect(await before).toBeUndefined();
      expect(await after).toEqual({ key: 'k', value: 1 });
    });

    it('serialises concurrent write transactions', async () => {
      const store = await open();
      await putAll(store, 'meta', [{ key: 'counter', value: 0 }]);
      const increment = () =>
        store.write(['meta'], async (tx) => {
          const counter = await tx.get<Meta>('meta', 'counter');
          await tx.put('meta', { key: 'counter', value: Number(counter?.value) + 1 });
        });
      await Promise.all(Array.from({ length: 20 }, increment));
      expect(await store.read(['meta'], (tx) => tx.get('meta', 'counter'))).toEqual({
        key: 'counter',
        value: 20,
      });
    });

    it('sees the same data when opened again', async () => {
      const driver = makeDriver();
      const store = await open(driver);
      await putAll(store, 'rows', rows);
      await putAll(store, 'outbox', [{ op: 'unsent' }]);
      store.close();
      const reopened = await open(driver);
      expect(ids(await readAll(reopened, 'rows'))).toHaveLength(8);
      expect(await readAll(reopened, 'outbox')).toEqual([{ op: 'unsent', seq: 1 }]);
    });

    it('keeps the data of collections that stay when the layout grows', async () => {
      const driver = makeDriver();
      const store = await open(driver, smallLayout);
      await putAll(store, 'rows', rows);
      await putAll(store, 'outbox', [{ op: 'one' }, { op: 'two' }]);
      store.close();
      const grown = await open(driver, layout);
      expect(await readAll(grown, 'outbox')).toEqual([
        { op: 'one', seq: 1 },
        { op: 'two', seq: 2 },
      ]);
      const byTitle = await grown.read(['rows'], (tx) =>
        tx.getAll<Row>('rows', { index: 'byTitle' }),
      );
      expect(ids(byTitle)).toEqual(['r0', 'r2', 'r1', 'r3']);
      expect(await readAll(grown, 'meta')).toEqual([]);
      await putAll(grown, 'meta', [{ key: 'cursor', value: 'c1' }]);
      expect(await readAll(grown, 'meta')).toEqual([{ key: 'cursor', value: 'c1' }]);
    });

    it('drops collections and indexes the layout no longer has', async () => {
      const driver = makeDriver();
      const store = await open(driver);
      await putAll(store, 'meta', [{ key: 'cursor' }]);
      await putAll(store, 'outbox', [{ op: 'unsent' }]);
      store.close();
      const smaller = await open(driver, smallLayout);
      const dropped = smaller.read(['meta'], (tx) => tx.count('meta'));
      await expect(dropped).rejects.toBeInstanceOf(StoreError);
      await expect(dropped).rejects.toThrow(/meta/);
      const byTitle = smaller.read(['rows'], (tx) => tx.getAll('rows', { index: 'byTitle' }));
      await expect(byTitle).rejects.toThrow(/byTitle/);
      expect(await readAll(smaller, 'outbox')).toEqual([{ op: 'unsent', seq: 1 }]);
      smaller.close();
      const again = await open(driver, layout);
      expect(await readAll(again, 'meta')).toEqual([]);
    });

    it('re-keys the records of a collection whose keyPath changes', async () => {
      const driver = makeDriver();
      const store = await open(driver);
      await putAll(store, 'meta', [{ key: 'a', id: 2 }, { key: 'b', id: 1 }, { key: 'c' }]);
      store.close();
      const byId = { name: 'meta', keyPath: 'id', indexes: [] };
      const changed = await open(driver, { collections: [...smallLayout.collections, byId] });
      expect(await readAll(changed, 'meta')).toEqual([
        { key: 'b', id: 1 },
        { key: 'a', id: 2 },
      ]);
      expect(await changed.read(['meta'], (tx) => tx.get('meta', 2))).toEqual({ key: 'a', id: 2 });
    });

    it('rejects unknown collections and indexes, keyless values and a closed store', async () => {
      const store = await open();
      const unknown = store.read(['nope'], (tx) => tx.count('nope'));
      await expect(unknown).rejects.toBeInstanceOf(StoreError);
      await expect(unknown).rejects.toThrow(/nope/);
      const inside = store.write(['rows'], (tx) => tx.get('elsewhere', 'x'));
      await expect(inside).rejects.toBeInstanceOf(StoreError);
      await expect(inside).rejects.toThrow(/elsewhere/);
      const index = store.read(['rows'], (tx) => tx.getAll('rows', { index: 'byNothing' }));
      await expect(index).rejects.toBeInstanceOf(StoreError);
      await expect(index).rejects.toThrow(/byNothing/);
      for (const value of [{ table: 't' }, { id: true, table: 't' }, { id: null }]) {
        const put = store.write(['rows'], (tx) => tx.put('rows', value));
        await expect(put).rejects.toBeInstanceOf(StoreError);
        await expect(put).rejects.toThrow(/rows.*id/);
      }
      expect(await store.read(['rows'], (tx) => tx.count('rows'))).toBe(0);
      store.close();
      await expect(store.read(['rows'], (tx) => tx.count('rows'))).rejects.toBeInstanceOf(
        StoreError,
      );
      await expect(putAll(store, 'rows', [rows[0] as Row])).rejects.toBeInstanceOf(StoreError);
    });
  });
}
