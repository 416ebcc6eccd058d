import {
  type Cursor,
  describeSyncTable,
  type Operation,
  type Outcome,
  type PullPage,
  todoItem,
} from '@syncline/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncClient, type SyncClient } from '../create-sync-client';
import { createMemoryStore } from '../store/memory-store';
import type { StoreDriver } from '../store/store';
import type { PullRequest, Transport, TransportResult } from '../transport/transport';
import type { StoredRow } from '../types';
import { META, QUERIES, storeLayout } from './layout';

const T0 = '2026-01-01T00:00:00.000Z';
const OPEN = { complete: { eq: false } };
const DUE = { dueDate: { isNull: false } };

/** One request's answer: its pages. */
type PageAnswer = TransportResult<PullPage<StoredRow>[]>;

function todoRow(id: string, fields: Record<string, unknown> = {}): StoredRow {
  const row = { createdAt: T0, updatedAt: T0, deleted: false, text: `task ${id}`, complete: false };
  return { id, version: 1, ...row, dueDate: null, userId: 'tech-1', ...fields };
}

const page = (rows: StoredRow[], movedOut: string[] = [], cursor = 'c'): PageAnswer => ({
  ok: true,
  value: [{ rows, cursor: cursor as Cursor, hasMore: false, movedOut }],
});

/** Answers pulls from a script of pages; applies pushes as the server would. */
class ScriptedTransport implements Transport {
  readonly pages: PageAnswer[] = [];
  readonly pulls: PullRequest[] = [];
  /** Fields the server's row gets when a push is applied (another device's change). */
  server: Record<string, unknown> = {};
  /** While true, pushes get no answer (so a pull's own push leaves its changes pending). */
  unreachable = false;

  async pull(request: PullRequest): Promise<PageAnswer> {
    this.pulls.push(request);
    const answer = this.pages.shift();
    if (!answer) throw new Error(`unscripted pull of ${request.table} after ${request.after}`);
    return answer;
  }

  async push(operations: readonly Operation[]): Promise<TransportResult<Outcome<StoredRow>[]>> {
    if (this.unreachable) return { ok: false, failure: 'network-error', message: 'no answer' };
    const value = operations.map((op) => {
      const row = todoRow(op.id, { ...op.data, ...this.server, version: (op.version ?? 0) + 1 });
      return { opId: op.opId, status: 'APPLIED' as const, code: null, message: null, row };
    });
    return { ok: true, value };
  }
}

const tables = { todoItem };
const clients: SyncClient<typeof tables>[] = [];
let stores = 0;

async function open(transport: Transport, store: StoreDriver = createMemoryStore(`m-${++stores}`)) {
  const client = await createSyncClient({
    url: 'http://unused',
    tables,
    store,
    transport,
    autoSync: false,
  });
  clients.push(client);
  return { client, todos: client.table('todoItem'), store };
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

const ids = async (client: SyncClient<typeof tables>) =>
  (await client.table('todoItem').find({ orderBy: { id: 'asc' } })).map((row) => row.id);

describe('rows that leave a query', () => {
  it('a row that moved out of a filtered query leaves the device, and live queries hear it', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    transport.pages.push(page([todoRow('a'), todoRow('b')]), page([], ['a']));
    await todos.pull('open', { where: OPEN });
    const seen: string[][] = [];
    const stop = todos.watch({}, (rows) => seen.push(rows.map((row) => row.id)));
    await todos.pull('open', { where: OPEN });
    expect(await ids(client)).toEqual(['b']);
    await expect.poll(() => seen.at(-1)).toEqual(['b']);
    stop();
  });

  it('stays while another filtered query covers it, with the values that query brings', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    transport.pages.push(
      page([todoRow('a', { dueDate: T0 })]), // open
      page([todoRow('a', { dueDate: T0 })]), // due
      page([], ['a']), // open: a was completed
      page([todoRow('a', { version: 2, complete: true, dueDate: T0 })]), // due: still covered
    );
    await todos.pull('open', { where: OPEN });
    await todos.pull('due', { where: DUE });
    await todos.pull('open', { where: OPEN });
    expect(await ids(client)).toEqual(['a']);
    await todos.pull('due', { where: DUE });
    expect(await todos.get('a')).toMatchObject({ version: 2, complete: true });
    // And once the last query that covered it says it moved out, it goes.
    transport.pages.push(page([], ['a']));
    await todos.pull('due', { where: DUE });
    expect(await ids(client)).toEqual([]);
  });

  it('an unfiltered query keeps covering its rows; on an owned table it reports owner changes', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    transport.pages.push(page([todoRow('a'), todoRow('b')]), page([todoRow('a'), todoRow('b')]));
    await todos.pull('all');
    await todos.pull('open', { where: OPEN });
    transport.pages.push(page([], ['a']));
    await todos.pull('open', { where: OPEN });
    expect(await ids(client)).toEqual(['a', 'b']); // 'all' still covers a
    // 'all' has no filter: a row it reports moved out belongs to someone else now.
    transport.pages.push(page([], ['b']));
    await todos.pull('all');
    expect(await ids(client)).toEqual(['a']);
  });

  it('a row with a pending change stays; once settled it leaves', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    transport.pages.push(page([todoRow('a'), todoRow('b')]));
    await todos.pull('open', { where: OPEN });
    await todos.update({ id: 'a', text: 'edited here' });
    // Another device completed both; this one still edits a, and cannot send it yet.
    transport.unreachable = true;
    transport.pages.push(page([], ['a', 'b']));
    await todos.pull('open', { where: OPEN });
    expect(await ids(client)).toEqual(['a']);
    // The server keeps it complete (the other device's change): nothing covers it now.
    transport.unreachable = false;
    transport.server = { complete: true };
    await client.push();
    expect(await ids(client)).toEqual([]);
  });

  it('a settled row that matches its query again stays, and is covered', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    transport.pages.push(page([todoRow('a')]));
    await todos.pull('open', { where: OPEN });
    await todos.update({ id: 'a', text: 'reopened here' });
    transport.unreachable = true;
    transport.pages.push(page([], ['a'])); // completed elsewhere meanwhile
    await todos.pull('open', { where: OPEN });
    transport.unreachable = false;
    await client.push(); // the server row is open again: the query covers it
    expect(await todos.get('a')).toMatchObject({ text: 'reopened here', version: 2 });
    transport.pages.push(page([], ['a']));
    await todos.pull('open', { where: OPEN });
    expect(await ids(client)).toEqual([]);
  });

  it('a pull from the start removes the rows the server no longer sends (purge, expired cursor, new filter)', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    transport.pages.push(page([todoRow('a'), todoRow('b'), todoRow('c')]));
    await todos.pull('open', { where: OPEN });
    // The filter changes: the query starts over; b is not in it any more.
    transport.pages.push(page([todoRow('a'), todoRow('c')]));
    await todos.pull('open', { where: { complete: { eq: false }, text: { contains: 'task' } } });
    expect(await ids(client)).toEqual(['a', 'c']);
    expect(transport.pulls.at(-1)?.after).toBeNull();
    // The cursor expired: the query starts over; c is gone.
    transport.pages.push(
      { ok: false, failure: 'cursor-expired', message: 'expired', code: 'CURSOR_EXPIRED' },
      page([todoRow('a')]),
    );
    await todos.pull('open', { where: { complete: { eq: false }, text: { contains: 'task' } } });
    expect(await ids(client)).toEqual(['a']);
  });

  it('membership survives a reload', async () => {
    const transport = new ScriptedTransport();
    const first = await open(transport);
    transport.pages.push(page([todoRow('a'), todoRow('b')]), page([todoRow('a')]));
    await first.todos.pull('open', { where: OPEN });
    await first.todos.pull('due', { where: DUE });
    first.client.close();
    const again = await open(transport, first.store);
    transport.pages.push(page([], ['a']), page([], ['a', 'b']));
    await again.todos.pull('open', { where: OPEN });
    expect(await ids(again.client)).toEqual(['a', 'b']); // 'due' still covers a
    await again.todos.pull('due', { where: DUE });
    expect(await ids(again.client)).toEqual(['b']);
  });

  it('a database of the first local format pulls its filtered queries again, dropping what they no longer cover', async () => {
    const store = createMemoryStore(`m-${++stores}`);
    const opened = await store.open(storeLayout([describeSyncTable(todoItem)]));
    await opened.write([META, QUERIES, 'rows:todoItem'], async (tx) => {
      await tx.put(META, { key: 'format', value: 1 });
      await tx.put(QUERIES, { table: 'todoItem', queryId: 'open', where: OPEN, cursor: 'old' });
      // A job completed elsewhere long ago, still open here: the old client never heard.
      await tx.put('rows:todoItem', todoRow('stale'));
      await tx.put('rows:todoItem', todoRow('fresh'));
    });
    opened.close();
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport, store);
    transport.pages.push(page([todoRow('fresh')]));
    await todos.pull('open', { where: OPEN });
    expect(transport.pulls.at(-1)?.after).toBeNull();
    expect(await ids(client)).toEqual(['fresh']);
  });
});
