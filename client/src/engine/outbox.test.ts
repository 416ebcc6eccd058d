import { describeSyncTable, todoItem, vehicleModelUpdate } from '@syncline/schema';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory-store';
import type { Store } from '../store/store';
import type { StoredRow } from '../types';
import { OUTBOX, storeLayout } from './layout';
import {
  collapse,
  enqueue,
  entriesOfRow,
  entriesOfTable,
  type NewOperation,
  type OutboxEntry,
  type QueuedEntry,
} from './outbox';

const serverRow: StoredRow = { id: 'a', version: 4, text: 'server', complete: false };

function counter() {
  let n = 0;
  return () => `op-${++n}`;
}

function entry(fields: Partial<OutboxEntry> & Pick<OutboxEntry, 'kind'>): OutboxEntry {
  return {
    opId: 'op-0',
    table: 'todoItem',
    id: 'a',
    base: serverRow,
    sent: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

function change(fields: Partial<NewOperation> & Pick<NewOperation, 'kind'>): NewOperation {
  return { table: 'todoItem', id: 'a', base: serverRow, ...fields };
}

describe('collapse', () => {
  it('appends a new entry when the row has none', () => {
    const result = collapse(
      undefined,
      change({ kind: 'UPDATE', version: 4, data: { text: 'x' } }),
      counter(),
    );
    expect(result).toEqual({
      action: 'append',
      entry: {
        opId: 'op-1',
        table: 'todoItem',
        kind: 'UPDATE',
        id: 'a',
        version: 4,
        data: { text: 'x' },
        base: serverRow,
        sent: false,
        createdAt: expect.any(String),
      },
    });
  });

  it('insert + update -> the insert, with the data merged', () => {
    const insert = entry({ kind: 'INSERT', base: null, data: { text: 'a', complete: false } });
    const result = collapse(
      insert,
      change({ kind: 'UPDATE', version: 0, data: { complete: true } }),
      counter(),
    );
    expect(result).toEqual({
      action: 'replace',
      entry: { ...insert, data: { text: 'a', complete: true } },
    });
    expect(result.entry).not.toHaveProperty('version');
  });

  it('insert + delete -> the entry is removed', () => {
    const insert = entry({ kind: 'INSERT', base: null, seq: 7, data: { text: 'a' } });
    expect(collapse(insert, change({ kind: 'DELETE', version: 0 }), counter())).toEqual({
      action: 'remove',
      entry: insert,
    });
  });

  it('update + update -> one update on the first version, with the data merged', () => {
    const first = entry({ kind: 'UPDATE', version: 4, data: { text: 'b', complete: true } });
    const later = { id: 'a', version: 4, text: 'b', complete: true };
    const result = collapse(
      first,
      change({ kind: 'UPDATE', version: 9, data: { text: 'c' }, base: later }),
      counter(),
    );
    expect(result).toEqual({
      action: 'replace',
      entry: { ...first, version: 4, base: serverRow, data: { text: 'c', complete: true } },
    });
  });

  it('update + delete -> a delete on the update version, without data', () => {
    const update = entry({ kind: 'UPDATE', version: 4, data: { text: 'b' } });
    const result = collapse(update, change({ kind: 'DELETE', version: 4 }), counter());
    expect(result.action).toBe('replace');
    expect(result.entry).toMatchObject({ opId: 'op-0', kind: 'DELETE', version: 4 });
    expect(result.entry).not.toHaveProperty('data');
  });

  it("delete + insert -> an update carrying the insert's data", () => {
    const remove = entry({ kind: 'DELETE', version: 4 });
    const result = collapse(
      remove,
      change({ kind: 'INSERT', base: null, data: { text: 'again', complete: false } }),
      counter(),
    );
    expect(result).toEqual({
      action: 'replace',
      entry: { ...remove, kind: 'UPDATE', version: 4, data: { text: 'again', complete: false } },
    });
  });

  it('never merges into a sent entry: a new entry with a new opId is appended', () => {
    const sent = entry({ kind: 'UPDATE', version: 4, data: { text: 'b' }, sent: true });
    const result = collapse(
      sent,
      change({ kind: 'UPDATE', version: 4, data: { text: 'c' } }),
      counter(),
    );
    expect(result.action).toBe('append');
    expect(result.entry).toMatchObject({ opId: 'op-1', kind: 'UPDATE', data: { text: 'c' } });
    expect(result.entry.sent).toBe(false);
  });

  it('clears lastFailure when it merges', () => {
    const failed = entry({
      kind: 'UPDATE',
      version: 4,
      data: { text: '' },
      lastFailure: { status: 'REJECTED', code: 'INVALID', message: 'text is empty' },
    });
    const result = collapse(failed, change({ kind: 'UPDATE', data: { text: 'ok' } }), counter());
    expect(result.entry).not.toHaveProperty('lastFailure');
    expect(failed.lastFailure).toBeDefined();
  });

  it.each([
    ['INSERT', 'INSERT'],
    ['UPDATE', 'INSERT'],
    ['DELETE', 'UPDATE'],
    ['DELETE', 'DELETE'],
  ] as const)('refuses %s + %s', (previous, next) => {
    expect(() =>
      collapse(entry({ kind: previous, version: 4 }), change({ kind: next }), counter()),
    ).toThrow(`outbox: ${previous}+${next} on todoItem a cannot happen`);
  });
});

describe('enqueue and the outbox indexes, on the memory store', () => {
  const tables = [describeSyncTable(todoItem), describeSyncTable(vehicleModelUpdate)];

  async function open(): Promise<Store> {
    return createMemoryStore('outbox-test').open(storeLayout(tables));
  }

  const queue = (store: Store, next: NewOperation, newOpId = counter()) =>
    store.write([OUTBOX], (tx) => enqueue(tx, next, newOpId));
  const all = (store: Store) => store.read([OUTBOX], (tx) => tx.getAll<QueuedEntry>(OUTBOX));

  it('keeps one entry per row while nothing was sent', async () => {
    const store = await open();
    const ids = counter();
    await queue(store, change({ kind: 'INSERT', base: null, data: { text: 'a' } }), ids);
    await queue(store, change({ kind: 'UPDATE', version: 0, data: { complete: true } }), ids);
    expect(await all(store)).toEqual([
      expect.objectContaining({
        seq: 1,
        opId: 'op-1',
        kind: 'INSERT',
        data: { text: 'a', complete: true },
      }),
    ]);
    const removed = await queue(store, change({ kind: 'DELETE', version: 0 }), ids);
    expect(removed.action).toBe('remove');
    expect(await all(store)).toEqual([]);
  });

  it('appends after a sent entry, and entriesOfRow lists both oldest first', async () => {
    const store = await open();
    const ids = counter();
    await queue(store, change({ kind: 'UPDATE', version: 4, data: { text: 'b' } }), ids);
    await store.write([OUTBOX], async (tx) => {
      for (const queued of await tx.getAll<QueuedEntry>(OUTBOX)) {
        await tx.put(OUTBOX, { ...queued, sent: true });
      }
    });
    await queue(store, change({ kind: 'UPDATE', version: 4, data: { text: 'c' } }), ids);
    const entries = await store.read([OUTBOX], (tx) => entriesOfRow(tx, 'todoItem', 'a'));
    expect(entries.map((e) => [e.seq, e.opId, e.sent, e.data])).toEqual([
      [1, 'op-1', true, { text: 'b' }],
      [2, 'op-2', false, { text: 'c' }],
    ]);
  });

  it('entriesOfRow and entriesOfTable select by table and id, in queue order', async () => {
    const store = await open();
    const ids = counter();
    const insert = (table: string, id: string) =>
      queue(store, { table, id, kind: 'INSERT', base: null, data: { n: id } }, ids);
    await insert('todoItem', 'b');
    await insert('vehicleModelUpdate', 'a');
    await insert('todoItem', 'a');
    await insert('todoItem', 'ab');
    const ofTable = await store.read([OUTBOX], (tx) => entriesOfTable(tx, 'todoItem'));
    expect(ofTable.map((e) => e.id)).toEqual(['b', 'a', 'ab']);
    const ofRow = await store.read([OUTBOX], (tx) => entriesOfRow(tx, 'todoItem', 'a'));
    expect(ofRow.map((e) => [e.table, e.id])).toEqual([['todoItem', 'a']]);
    const commands = await store.read([OUTBOX], (tx) => entriesOfTable(tx, 'vehicleModelUpdate'));
    expect(commands.map((e) => e.opId)).toEqual(['op-2']);
    expect(await store.read([OUTBOX], (tx) => entriesOfTable(tx, 'todo'))).toEqual([]);
  });
});
