import {
  type Cursor,
  describeSyncTable,
  type Operation,
  type Outcome,
  type PullPage,
  todoItem,
  vehicleModel,
} from '@syncline/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncClient, type SyncClient, type SyncClientOptions } from '../create-sync-client';
import { createMemoryStore } from '../store/memory-store';
import { StoreError } from '../store/store';
import type { PullRequest, Transport, TransportResult } from '../transport/transport';
import type { StoredRow } from '../types';
import { META, OUTBOX, QUERIES, storeLayout } from './layout';
import { LOCAL_FORMAT } from './local-format';
import type { PullProgress } from './pull';

const T0 = '2026-01-01T00:00:00.000Z';

/** One request's answer: its pages. */
type PageAnswer = TransportResult<PullPage<StoredRow>[]>;
type PushAnswer = TransportResult<Outcome<StoredRow>[]>;

const page = (
  rows: StoredRow[],
  cursor: string,
  hasMore = false,
  movedOut: string[] = [],
): PageAnswer => ({
  ok: true,
  value: [{ rows, cursor: cursor as Cursor, hasMore, movedOut }],
});
const expired: PageAnswer = {
  ok: false,
  failure: 'cursor-expired',
  message: 'the cursor is older than the tombstone horizon',
  code: 'CURSOR_EXPIRED',
};

function todoRow(id: string, fields: Record<string, unknown> = {}): StoredRow {
  const row = { createdAt: T0, updatedAt: T0, deleted: false, text: `task ${id}`, complete: false };
  return { id, version: 1, ...row, dueDate: null, userId: 'tech-1', ...fields };
}

function modelRow(id: string): StoredRow {
  const row = { createdAt: T0, updatedAt: T0, deleted: false, name: id, year: 2020 };
  return { id, version: 1, ...row, accoladeCount: 0, manufacturerId: 'maker' };
}

/** Answers pulls from a script of pages (an unscripted pull fails the test); applies pushes. */
class ScriptedTransport implements Transport {
  readonly pulls: PullRequest[] = [];
  readonly pushes: Operation[][] = [];
  /** Every request in order: `pull <table> <after>` or `push <ids>`. */
  readonly log: string[] = [];
  readonly pages: PageAnswer[] = [];
  pushAnswer = (ops: readonly Operation[]): PushAnswer => ({
    ok: true,
    value: ops.map((op) => {
      const row = todoRow(op.id, { ...op.data, version: (op.version ?? 0) + 1 });
      return { opId: op.opId, status: 'APPLIED', code: null, message: null, row };
    }),
  });

  async pull(request: PullRequest): Promise<PageAnswer> {
    this.pulls.push(structuredClone(request));
    this.log.push(`pull ${request.table} ${request.after}`);
    const answer = this.pages.shift();
    if (!answer) throw new Error(`unscripted pull of ${request.table} after ${request.after}`);
    return answer;
  }

  async push(operations: readonly Operation[]): Promise<PushAnswer> {
    this.pushes.push(structuredClone([...operations]));
    this.log.push(`push ${operations.map((op) => op.id)}`);
    return this.pushAnswer(operations);
  }
}

const tables = { todoItem, vehicleModel };
const clients: SyncClient<typeof tables>[] = [];
let stores = 0;

async function open(transport: Transport, options: Partial<SyncClientOptions<typeof tables>> = {}) {
  const client = await createSyncClient({
    url: 'http://unused',
    tables,
    store: createMemoryStore(`pull-test-${++stores}`),
    transport,
    autoSync: false,
    ...options,
  });
  clients.push(client);
  return { client, todos: client.table('todoItem'), models: client.table('vehicleModel') };
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

const afters = (transport: ScriptedTransport) => transport.pulls.map((request) => request.after);
const ids = (rows: readonly { id: string }[]) => rows.map((row) => row.id);

describe('pull', () => {
  it('pages until hasMore is false, reporting progress', async () => {
    const transport = new ScriptedTransport();
    const { todos } = await open(transport, { pageSize: 2 });
    transport.pages.push(
      page([todoRow('a'), todoRow('b')], 'c1', true),
      page([todoRow('c')], 'c2'),
    );
    const progress: PullProgress[] = [];
    const result = await todos.pull('all', { onProgress: (p) => progress.push(p) });
    expect(result).toEqual({ status: 'complete', pulled: 3 });
    expect(transport.pulls).toEqual([
      { table: 'todoItem', after: null, limit: 2, pages: 10 },
      { table: 'todoItem', after: 'c1', limit: 2, pages: 10 },
    ]);
    expect(progress).toEqual([
      { table: 'todoItem', queryId: 'all', pulled: 2 },
      { table: 'todoItem', queryId: 'all', pulled: 3 },
    ]);
    expect(await todos.find()).toEqual([todoRow('a'), todoRow('b'), todoRow('c')]);
  });

  it('stores the pages of one answer each with its cursor, and goes on from the last', async () => {
    const transport = new ScriptedTransport();
    const { todos } = await open(transport, { pageSize: 2 });
    const [first, second] = [
      page([todoRow('a'), todoRow('b')], 'c1', true),
      page([todoRow('c'), todoRow('d')], 'c2', true),
    ];
    if (!first.ok || !second.ok) throw new Error('scripted pages are answers');
    transport.pages.push(
      { ok: true, value: [...first.value, ...second.value] },
      { ok: false, failure: 'network-error', message: 'offline' },
    );
    const progress: number[] = [];
    const result = await todos.pull('all', { onProgress: (p) => progress.push(p.pulled) });
    expect(result).toMatchObject({ status: 'network-error', pulled: 4 });
    expect(progress).toEqual([2, 4]);
    expect(transport.pulls.map(({ after, pages }) => [after, pages])).toEqual([
      [null, 10],
      ['c2', 10],
    ]);
    expect(ids(await todos.find())).toEqual(['a', 'b', 'c', 'd']);
    // The cursor stored is the last page's: the next pull asks for what comes after it.
    transport.pages.push(page([todoRow('e')], 'c3'));
    expect(await todos.pull('all')).toEqual({ status: 'complete', pulled: 1 });
    expect(transport.pulls.at(-1)?.after).toBe('c2');
  });

  it('keeps a cursor per table and queryId and sends it as `after`', async () => {
    const transport = new ScriptedTransport();
    const { todos, models } = await open(transport);
    transport.pages.push(page([todoRow('a')], 'c1'), page([], 'c2'), page([], 'o1'));
    transport.pages.push(page([modelRow('m')], 'm1'), page([], 'c3'));
    await todos.pull('mine');
    await todos.pull('mine');
    await todos.pull('other');
    await models.pull('mine');
    await todos.pull('mine');
    expect(transport.log).toEqual([
      'pull todoItem null',
      'pull todoItem c1',
      'pull todoItem null',
      'pull vehicleModel null',
      'pull todoItem c2',
    ]);
  });

  it('stores nothing for a null queryId', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    transport.pages.push(page([todoRow('a')], 'c1'), page([], 'c2'));
    await todos.pull(null);
    await todos.pull(null);
    expect(afters(transport)).toEqual([null, null]);
    expect(await client.sync()).toMatchObject({ status: 'complete', pulls: {} });
    expect(transport.pulls).toHaveLength(2);
  });

  it('deletes local rows on tombstones', async () => {
    const transport = new ScriptedTransport();
    const { todos } = await open(transport);
    transport.pages.push(page([todoRow('a'), todoRow('b')], 'c1'));
    transport.pages.push(page([todoRow('b', { version: 2, deleted: true })], 'c2'));
    await todos.pull('all');
    await todos.pull('all');
    expect(ids(await todos.find())).toEqual(['a']);
  });

  it('never overwrites a row with a pending change; discard then restores the pulled row', async () => {
    const transport = new ScriptedTransport();
    const driver = createMemoryStore(`pull-test-${++stores}`);
    const { client, todos } = await open(transport, { store: driver });
    transport.pages.push(page([todoRow('a')], 'c1'));
    await todos.pull('all');
    await todos.update({ id: 'a', text: 'mine' });
    const theirs = todoRow('a', { version: 2, text: 'theirs' });
    transport.pushAnswer = (ops) => ({
      ok: true,
      value: ops.map((op) => ({
        opId: op.opId,
        status: 'CONFLICT',
        code: 'VERSION_MISMATCH',
        message: null,
        row: theirs,
      })),
    });
    transport.pages.push(page([theirs], 'c2'));
    const result = await todos.pull('all');
    expect(result).toMatchObject({ status: 'complete', pulled: 1, push: { status: 'complete' } });
    expect(result.push?.errors.map((error) => error.code)).toEqual(['VERSION_MISMATCH']);
    expect(await todos.get('a')).toMatchObject({ version: 1, text: 'mine' });
    // The outbox entry keeps the server's copy beside the operation, for discard.
    const layout = storeLayout(Object.values(tables).map(describeSyncTable));
    const outbox = await (await driver.open(layout)).read([OUTBOX], (tx) => tx.getAll(OUTBOX));
    expect(outbox).toMatchObject([{ id: 'a', server: theirs }]);
    expect(await client.pendingChanges()).toEqual([
      {
        opId: expect.any(String),
        table: 'todoItem',
        kind: 'UPDATE',
        id: 'a',
        version: 1,
        data: { text: 'mine' },
      },
    ]);
    expect(await todos.discard('a')).toBe('discarded');
    expect(await todos.get('a')).toEqual(theirs);
    expect(client.pendingOperations()).toBe(0);
  });

  it('restarts from null on CURSOR_EXPIRED, then removes the rows the server no longer has', async () => {
    const transport = new ScriptedTransport();
    const { todos } = await open(transport);
    const openTodos = { where: { complete: { eq: false } } };
    transport.pages.push(
      page(
        ['a', 'b', 'c', 'd'].map((id) => todoRow(id)),
        'c1',
      ),
    );
    transport.pages.push(page([todoRow('z', { complete: true })], 'z1'));
    await todos.pull('open', openTodos);
    await todos.pull('done', { where: { complete: { eq: true } } });
    await todos.update({ id: 'c', text: 'pending here' });
    await todos.insert({ id: 'x', text: 'made here' });
    transport.pushAnswer = () => ({ ok: false, failure: 'network-error', message: 'offline' });
    transport.pages.push(expired, page([todoRow('a')], 'c9'), page([], 'c10'));
    const result = await todos.pull('open', openTodos);
    expect(result).toMatchObject({
      status: 'complete',
      pulled: 1,
      push: { status: 'network-error' },
    });
    expect(afters(transport)).toEqual([null, null, 'c1', null]);
    expect(ids(await todos.find())).toEqual(['a', 'c', 'x', 'z']);
    expect(await todos.get('c')).toMatchObject({ text: 'pending here' });
    await todos.pull('open', openTodos);
    expect(afters(transport).at(-1)).toBe('c9');
  });

  it('answers server-error when a pull from the start is refused as expired', async () => {
    const transport = new ScriptedTransport();
    const { todos } = await open(transport);
    transport.pages.push(expired);
    expect(await todos.pull('all')).toMatchObject({ status: 'server-error', pulled: 0 });
    expect(transport.pulls).toHaveLength(1);
  });

  it('starts a query over when its where changes', async () => {
    const transport = new ScriptedTransport();
    const { todos } = await open(transport);
    const openTodos = { where: { complete: { eq: false } } };
    const done = { where: { complete: { eq: true } } };
    transport.pages.push(page([], 'c1'), page([], 'c2'), page([], 'c3'), page([], 'c4'));
    for (const options of [openTodos, openTodos, done, done]) await todos.pull('q', options);
    expect(transport.pulls.map(({ after, where }) => ({ after, where }))).toEqual([
      { after: null, where: openTodos.where },
      { after: 'c1', where: openTodos.where },
      { after: null, where: done.where },
      { after: 'c3', where: done.where },
    ]);
  });
});

describe('purge', () => {
  it('refuses while changes are pending unless forced, and resets the cursors', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    transport.pages.push(page([todoRow('a'), todoRow('b')], 'c1'));
    await todos.pull('q');
    await todos.insert({ id: 'x', text: 'made here' });
    expect(await todos.purge()).toEqual({ status: 'refused', pending: 1 });
    expect(ids(await todos.find())).toEqual(['a', 'b', 'x']);
    expect(await todos.purge({}, { force: true })).toEqual({
      status: 'purged',
      purged: 3,
      discarded: 1,
    });
    expect(await todos.find()).toEqual([]);
    expect(client.pendingOperations()).toBe(0);
    transport.pages.push(page([], 'c2'));
    await todos.pull('q');
    expect(afters(transport)).toEqual([null, null]);
  });

  it('with a where, removes only the matching rows', async () => {
    const transport = new ScriptedTransport();
    const { todos } = await open(transport);
    transport.pages.push(page([todoRow('a'), todoRow('b', { complete: true })], 'c1'));
    await todos.pull('q');
    const purged = await todos.purge({ where: { complete: { eq: true } } });
    expect(purged).toEqual({ status: 'purged', purged: 1, discarded: 0 });
    expect(ids(await todos.find())).toEqual(['a']);
    transport.pages.push(page([], 'c2'));
    await todos.pull('q');
    expect(afters(transport)).toEqual([null, null]);
  });
});

describe('sync, watch and reopening', () => {
  it('sync() pushes, then pulls every registered query with its cursor and where', async () => {
    const transport = new ScriptedTransport();
    const { client, todos, models } = await open(transport);
    transport.pages.push(page([todoRow('a')], 'c1'), page([modelRow('m')], 'm1'));
    await todos.pull('open', { where: { complete: { eq: false } } });
    await models.pull('all');
    await todos.insert({ id: 'x', text: 'made here' });
    transport.pages.push(page([], 'c2'), page([], 'm2'));
    const result = await client.sync();
    expect(result.status).toBe('complete');
    expect(Object.keys(result.pulls)).toEqual(['todoItem/open', 'vehicleModel/all']);
    expect(transport.log.slice(2)).toEqual(['push x', 'pull todoItem c1', 'pull vehicleModel m1']);
    expect(transport.pulls[2]?.where).toEqual({ complete: { eq: false } });
    expect(await todos.get('x')).toMatchObject({ version: 1 });
  });

  it('a query first asked for while the pull fails is registered: the next sync pulls it', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    transport.pages.push({ ok: false, failure: 'network-error', message: 'offline' });
    expect((await todos.pull('open', { where: { complete: { eq: false } } })).status).toBe(
      'network-error',
    );
    transport.pages.push(page([todoRow('a')], 'c1'));
    const result = await client.sync();
    expect(Object.keys(result.pulls)).toEqual(['todoItem/open']);
    expect(transport.pulls[1]).toMatchObject({ after: null, where: { complete: { eq: false } } });
    expect(ids(await todos.find())).toEqual(['a']);
  });

  it('watch() calls back with the rows now, and again after local writes and pulls', async () => {
    const transport = new ScriptedTransport();
    const { todos } = await open(transport);
    const results: string[][] = [];
    const waiting: ((rows: string[]) => void)[] = [];
    const next = () => new Promise<string[]>((resolve) => waiting.push(resolve));
    let called = next();
    const stop = todos.watch(
      { where: { complete: { eq: false } }, orderBy: { text: 'asc' } },
      (rows) => {
        results.push(ids(rows));
        waiting.shift()?.(ids(rows));
      },
    );
    expect(await called).toEqual([]);
    called = next();
    transport.pages.push(
      page([todoRow('a', { text: 'Check pump' }), todoRow('b', { text: 'Adjust belt' })], 'c1'),
    );
    await todos.pull('all');
    expect(await called).toEqual(['b', 'a']);
    called = next();
    await todos.update({ id: 'b', complete: true });
    expect(await called).toEqual(['a']);
    stop();
    expect(results).toEqual([[], ['b', 'a'], ['a']]);
  });

  it('a client opened again on the same store keeps rows, outbox and queries', async () => {
    const transport = new ScriptedTransport();
    const store = createMemoryStore(`pull-test-reload-${++stores}`);
    const first = await open(transport, { store });
    transport.pages.push(page([todoRow('a')], 'c1'));
    await first.todos.pull('q');
    await first.todos.insert({ id: 'x', text: 'made here' });
    first.client.close();

    const second = await open(transport, { store });
    expect(await second.todos.get('a')).toEqual(todoRow('a'));
    expect(second.client.pendingOperations()).toBe(1);
    expect((await second.client.pendingChanges()).map((e) => [e.kind, e.id])).toEqual([
      ['INSERT', 'x'],
    ]);
    transport.pages.push(page([], 'c2'));
    await second.client.sync();
    expect(transport.log.slice(1)).toEqual(['push x', 'pull todoItem c1']);
  });
});

describe('checkLocalFormat', () => {
  const layout = storeLayout(Object.values(tables).map(describeSyncTable));

  it("resets the cursors of a table whose fields changed, and only that table's", async () => {
    const transport = new ScriptedTransport();
    const driver = createMemoryStore(`pull-test-format-${++stores}`);
    const store = await driver.open(layout);
    const fields = (table: typeof todoItem | typeof vehicleModel) => [
      ...describeSyncTable(table).fields,
    ];
    await store.write([META, QUERIES], async (tx) => {
      await tx.put(META, { key: 'format', value: LOCAL_FORMAT });
      const todoFields = fields(todoItem).filter((field) => field !== 'dueDate');
      await tx.put(META, {
        key: 'fields',
        value: { todoItem: todoFields, vehicleModel: fields(vehicleModel) },
      });
      await tx.put(QUERIES, { table: 'todoItem', queryId: 'q', where: null, cursor: 'c-todo' });
      await tx.put(QUERIES, {
        table: 'vehicleModel',
        queryId: 'q',
        where: null,
        cursor: 'c-model',
      });
    });
    store.close();

    const { client } = await open(transport, { store: driver });
    transport.pages.push(page([], 't2'), page([], 'm2'));
    await client.sync();
    client.close();
    const again = await open(transport, { store: driver });
    transport.pages.push(page([], 't3'), page([], 'm3'));
    await again.client.sync();
    expect(transport.log).toEqual([
      'pull todoItem null',
      'pull vehicleModel c-model',
      'pull todoItem t2',
      'pull vehicleModel m2',
    ]);
  });

  it('refuses a store written by a newer client', async () => {
    const driver = createMemoryStore(`pull-test-format-${++stores}`);
    const store = await driver.open(layout);
    await store.write([META], (tx) => tx.put(META, { key: 'format', value: LOCAL_FORMAT + 1 }));
    await expect(open(new ScriptedTransport(), { store: driver })).rejects.toThrow(StoreError);
  });
});
