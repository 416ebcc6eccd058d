import {
  type Cursor,
  describeSyncTable,
  type Operation,
  type Outcome,
  type OutcomeCode,
  type OutcomeStatus,
  type PullPage,
  todoItem,
  vehicleModelUpdate,
} from '@syncline/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncClient, type SyncClient, type SyncClientOptions } from '../create-sync-client';
import { createMemoryStore } from '../store/memory-store';
import type { Transport, TransportFailure, TransportResult } from '../transport/transport';
import type { StoredRow } from '../types';
import { type Conflict, type ConflictResolution, mergeRows } from './conflicts';
import { OUTBOX, storeLayout } from './layout';

const T0 = '2026-01-01T00:00:00.000Z';
const NOW = '2026-06-01T00:00:00.000Z';

type PushAnswer = TransportResult<Outcome<StoredRow>[]>;
type Respond = (operations: readonly Operation[]) => PushAnswer;

function outcome(
  op: Operation,
  status: OutcomeStatus,
  code: OutcomeCode | null,
  row: StoredRow | null,
  message: string | null = null,
): Outcome<StoredRow> {
  return { opId: op.opId, status, code, message, row } as Outcome<StoredRow>;
}

const failure = (kind: TransportFailure): PushAnswer => ({
  ok: false,
  failure: kind,
  message: kind,
});
const each =
  (fn: (op: Operation) => Outcome<StoredRow>): Respond =>
  (ops) => ({
    ok: true,
    value: ops.map(fn),
  });

/**
 * A gateway stand-in: records every batch it is sent and answers from `script` first, then
 * with `respond`, by default a tiny server that checks versions and applies operations.
 */
class ScriptedTransport implements Transport {
  readonly batches: Operation[][] = [];
  readonly script: (PushAnswer | Respond)[] = [];
  readonly rows = new Map<string, StoredRow>();
  respond: Respond = each((op) => this.apply(op));
  inFlight = 0;
  maxInFlight = 0;

  async pull(): Promise<TransportResult<PullPage<StoredRow>[]>> {
    const rows = [...this.rows.values()];
    return { ok: true, value: [{ rows, cursor: 'c' as Cursor, hasMore: false, movedOut: [] }] };
  }

  async push(operations: readonly Operation[]): Promise<PushAnswer> {
    this.batches.push(structuredClone([...operations]));
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    await new Promise((resolve) => setImmediate(resolve)); // a request takes a turn of the loop
    this.inFlight--;
    const next = this.script.shift() ?? this.respond;
    return typeof next === 'function' ? next(operations) : next;
  }

  apply(op: Operation): Outcome<StoredRow> {
    const before = this.rows.get(op.id);
    const live = before && !before.deleted ? before : undefined;
    if (op.kind === 'INSERT' && before) return outcome(op, 'CONFLICT', 'ALREADY_EXISTS', before);
    if (op.kind !== 'INSERT' && !live) {
      return outcome(op, 'CONFLICT', before ? 'DELETED' : 'NOT_FOUND', before ?? null);
    }
    if (live && op.version !== live.version) {
      return outcome(op, 'CONFLICT', 'VERSION_MISMATCH', live);
    }
    const row: StoredRow = {
      ...(op.table === 'todoItem' ? { complete: false, dueDate: null } : {}),
      ...before,
      ...op.data,
      id: op.id,
      version: (before?.version ?? 0) + 1,
      createdAt: before?.createdAt ?? NOW,
      updatedAt: NOW,
      deleted: op.kind === 'DELETE',
      userId: 'tech-1',
    };
    this.rows.set(op.id, row);
    return outcome(op, 'APPLIED', null, row);
  }
}

function todoRow(id: string, fields: Record<string, unknown> = {}): StoredRow {
  const row = { createdAt: T0, updatedAt: T0, deleted: false, text: 'Check pump', complete: false };
  return { id, version: 1, ...row, dueDate: null, userId: 'tech-1', ...fields };
}

const tables = { todoItem, vehicleModelUpdate };
type Options = Partial<SyncClientOptions<typeof tables>>;
const clients: SyncClient<typeof tables>[] = [];
let stores = 0;

async function open(transport: Transport, options: Options = {}) {
  const driver = createMemoryStore(`push-test-${++stores}`);
  const client = await createSyncClient({
    url: 'http://unused',
    tables,
    store: driver,
    transport,
    autoSync: false,
    ...options,
  });
  clients.push(client);
  /** The outbox as stored: the operations and what the engine keeps beside them. */
  const outbox = async () => {
    const store = await driver.open(storeLayout(Object.values(tables).map(describeSyncTable)));
    return store.read([OUTBOX], (tx) => tx.getAll(OUTBOX));
  };
  return { client, todos: client.table('todoItem'), outbox };
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

/** A client holding row `a` as pulled at version 2, changed on the server since (version 3). */
async function conflicting(transport: ScriptedTransport, options: Options = {}) {
  transport.rows.set('a', todoRow('a', { version: 2 }));
  const opened = await open(transport, options);
  await opened.todos.pull(null);
  const base = await opened.todos.get('a');
  const server = todoRow('a', { version: 3, complete: true, updatedAt: NOW });
  transport.rows.set('a', server);
  const local = await opened.todos.update({ id: 'a', text: 'Check pump twice' });
  return { ...opened, base, local, server };
}

describe('push', () => {
  it('sends the outbox in batches of batchSize, in order, one request at a time', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport, { batchSize: 2 });
    for (const id of ['t1', 't2', 't3', 't4', 't5']) await todos.insert({ id, text: id });
    const [first, second] = await Promise.all([client.push(), client.push()]);
    expect(first).toEqual({ status: 'complete', pushed: 5, errors: [] });
    expect(second).toEqual({ status: 'complete', pushed: 0, errors: [] });
    const ids = transport.batches.map((batch) => batch.map((op) => op.id));
    expect(ids).toEqual([['t1', 't2'], ['t3', 't4'], ['t5']]);
    expect(transport.maxInFlight).toBe(1);
  });

  it('never sends two operations on one row together: the second goes on the first one’s version', async () => {
    const transport = new ScriptedTransport();
    transport.rows.set('a', todoRow('a', { version: 7 }));
    const { client, todos } = await open(transport);
    await todos.pull(null);
    await todos.update({ id: 'a', text: 'first' });
    transport.script.push(failure('network-error'));
    expect((await client.push()).status).toBe('network-error');
    await todos.update({ id: 'a', complete: true });
    expect(client.pendingOperations()).toBe(2);

    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 2 });
    const [lost, first, second, ...rest] = transport.batches;
    expect(rest).toEqual([]);
    expect(first).toEqual(lost);
    const update = (version: number, data: Record<string, unknown>) => {
      return [
        { opId: expect.any(String), table: 'todoItem', kind: 'UPDATE', id: 'a', version, data },
      ];
    };
    expect(first).toEqual(update(7, { text: 'first' }));
    expect(second).toEqual(update(8, { complete: true }));
    expect(await todos.get('a')).toMatchObject({ version: 9, text: 'first', complete: true });
  });

  it("stores the server's row when an operation is applied and drops the entry", async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    const inserted = await todos.insert({ id: 'a', text: 'Check pump' });
    expect(inserted).toMatchObject({ version: 0 });
    expect(inserted).not.toHaveProperty('userId');
    expect(await client.push()).toEqual({ status: 'complete', pushed: 1, errors: [] });
    expect(await todos.get('a')).toEqual(transport.rows.get('a'));
    expect(await todos.get('a')).toMatchObject({ version: 1, userId: 'tech-1', complete: false });
    expect(await client.pendingChanges()).toEqual([]);
  });

  it.each([
    ['network-error', 'network-error'],
    ['auth-error', 'auth-error'],
    ['server-error', 'server-error'],
    ['cursor-expired', 'server-error'],
  ] as const)('keeps the outbox on a %s answer (status %s)', async (kind, status) => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    await todos.insert({ id: 'a', text: 'a' });
    await todos.insert({ id: 'b', text: 'b' });
    const before = await client.pendingChanges();
    transport.script.push(failure(kind));
    expect(await client.push()).toEqual({ status, pushed: 0, errors: [], message: kind });
    const queued = (entries: typeof before) => entries.map((e) => [e.opId, e.kind, e.id, e.data]);
    expect(queued(await client.pendingChanges())).toEqual(queued(before));
    expect(client.pendingOperations()).toBe(2);
    expect(await todos.get('a')).toMatchObject({ version: 0 });
  });

  it.each([
    ['other opIds', each((op) => ({ ...outcome(op, 'APPLIED', null, null), opId: 'other' }))],
    ['too few outcomes', (): PushAnswer => ({ ok: true, value: [] })],
  ])('answers server-error for %s, keeping the outbox', async (_, respond) => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    await todos.insert({ id: 'a', text: 'a' });
    transport.script.push(respond);
    const result = await client.push();
    expect(result).toMatchObject({ status: 'server-error', pushed: 0, errors: [] });
    expect(result.message).toContain('outcomes for 1 operations');
    expect((await client.pendingChanges()).map((entry) => entry.id)).toEqual(['a']);
    expect(await todos.get('a')).toMatchObject({ version: 0 });
  });
});

describe('push: rejected operations and conflicts', () => {
  it('reports a rejected operation, stores why, applies the rest and does not resend it', async () => {
    const transport = new ScriptedTransport();
    const { client, todos, outbox } = await open(transport);
    for (const id of ['a', 'b', 'c']) await todos.insert({ id, text: id });
    transport.respond = each((op) =>
      op.id === 'b'
        ? outcome(op, 'REJECTED', 'INVALID', null, 'text: too short')
        : transport.apply(op),
    );
    const result = await client.push();
    expect(result).toMatchObject({ status: 'complete', pushed: 2 });
    expect(result.errors).toEqual([
      expect.objectContaining({
        table: 'todoItem',
        status: 'REJECTED',
        code: 'INVALID',
        message: 'text: too short',
        operation: expect.objectContaining({ kind: 'INSERT', id: 'b' }),
      }),
    ]);
    expect(transport.batches).toHaveLength(1);
    const lastFailure = { status: 'REJECTED', code: 'INVALID', message: 'text: too short' };
    expect(await outbox()).toEqual([
      expect.objectContaining({ id: 'b', sent: false, lastFailure }),
    ]);
    expect(await todos.get('c')).toMatchObject({ version: 1 });
    await client.push();
    expect(transport.batches[1]?.map((op) => op.id)).toEqual(['b']);
  });

  // A later operation on a row queued behind a reported one would otherwise go out alone,
  // on a version that does not include the reported change.
  it('holds back later operations of a row whose operation was reported', async () => {
    const transport = new ScriptedTransport();
    transport.rows.set('a', todoRow('a', { version: 7 }));
    const { client, todos } = await open(transport);
    await todos.pull(null);
    await todos.update({ id: 'a', text: 'x' });
    transport.script.push(failure('network-error'));
    await client.push();
    await todos.update({ id: 'a', complete: true });
    transport.script.push(each((op) => outcome(op, 'REJECTED', 'INVALID', null, 'too short')));
    const result = await client.push();
    expect(result.errors.map((error) => error.operation.data)).toEqual([{ text: 'x' }]);
    expect(transport.batches).toHaveLength(2);
    expect(transport.rows.get('a')).toMatchObject({ version: 7, complete: false });
  });

  it('calls onConflict with the table, operation, code, base, local and server rows', async () => {
    const transport = new ScriptedTransport();
    const seen: Conflict[] = [];
    const onConflict = (conflict: Conflict): ConflictResolution => {
      seen.push(conflict);
      return { action: 'server-wins' };
    };
    const { client, todos, base, local, server } = await conflicting(transport, { onConflict });
    const [sent] = await client.pendingChanges();
    expect(await client.push()).toEqual({ status: 'complete', pushed: 0, errors: [] });
    expect(seen).toEqual([
      {
        table: 'todoItem',
        operation: {
          opId: sent?.opId,
          table: 'todoItem',
          kind: 'UPDATE',
          id: 'a',
          version: 2,
          data: { text: 'Check pump twice' },
        },
        code: 'VERSION_MISMATCH',
        base,
        local,
        server,
        attempt: 1,
      },
    ]);
    expect(await todos.get('a')).toEqual(server);
    expect(client.pendingOperations()).toBe(0);
  });

  it.each([
    ['client-wins', (): ConflictResolution => ({ action: 'client-wins' })],
    [
      'a merge of the three rows',
      (conflict: Conflict): ConflictResolution => {
        const merged = mergeRows(conflict);
        return merged ? { action: 'merge', row: merged.row } : { action: 'abort' };
      },
    ],
  ])("%s resends the local change on the server's version", async (_, onConflict) => {
    const transport = new ScriptedTransport();
    const { client, todos } = await conflicting(transport, { onConflict });
    expect(await client.push()).toEqual({ status: 'complete', pushed: 1, errors: [] });
    expect(transport.batches[1]).toEqual([
      expect.objectContaining({ kind: 'UPDATE', version: 3, data: { text: 'Check pump twice' } }),
    ]);
    expect(await todos.get('a')).toMatchObject({
      version: 4,
      text: 'Check pump twice',
      complete: true,
    });
  });

  it('resolves one conflict at most maxConflictRetries times per push, then reports it', async () => {
    const transport = new ScriptedTransport();
    const attempts: number[] = [];
    const onConflict = (conflict: Conflict): ConflictResolution => {
      attempts.push(conflict.attempt);
      return { action: 'client-wins' };
    };
    const { client, outbox } = await conflicting(transport, { onConflict, maxConflictRetries: 3 });
    let version = 3;
    transport.respond = each((op) =>
      outcome(op, 'CONFLICT', 'VERSION_MISMATCH', todoRow('a', { version: ++version })),
    );
    const result = await client.push();
    expect(attempts).toEqual([1, 2, 3]);
    expect(transport.batches).toHaveLength(4);
    expect(result.status).toBe('complete');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.message).toContain('still conflicting after 3 resolutions');
    expect(await outbox()).toEqual([
      expect.objectContaining({
        version: 6,
        lastFailure: expect.objectContaining({ code: 'VERSION_MISMATCH' }),
      }),
    ]);
  });

  it.each([
    [
      'throws',
      (): ConflictResolution => {
        throw new Error('boom');
      },
      'onConflict threw: Error: boom',
    ],
    [
      'returns garbage',
      () => ({ action: 'yes' }) as unknown as ConflictResolution,
      'not a resolution',
    ],
  ])(
    'reports the conflict when onConflict %s, keeping the queue',
    async (_, onConflict, message) => {
      const transport = new ScriptedTransport();
      const { client, todos, local } = await conflicting(transport, { onConflict });
      const [before] = await client.pendingChanges();
      const result = await client.push();
      expect(result).toMatchObject({ status: 'complete', pushed: 0 });
      expect(result.errors.map((error) => error.message)).toEqual([
        expect.stringContaining(message),
      ]);
      const [after] = await client.pendingChanges();
      expect(after).toMatchObject({
        opId: before?.opId,
        kind: 'UPDATE',
        version: 2,
        data: before?.data,
      });
      expect(await todos.get('a')).toEqual(local);
    },
  );

  it('abort stops the push and keeps the queue', async () => {
    const transport = new ScriptedTransport();
    const onConflict = (): ConflictResolution => ({ action: 'abort' });
    const { client, todos } = await conflicting(transport, { onConflict, batchSize: 1 });
    await todos.insert({ id: 'b', text: 'b' });
    const result = await client.push();
    expect(result).toMatchObject({ status: 'aborted', pushed: 0 });
    expect(transport.batches.map((batch) => batch.map((op) => op.id))).toEqual([['a']]);
    expect((await client.pendingChanges()).map((entry) => entry.id)).toEqual(['a', 'b']);
    expect(await todos.get('a')).toMatchObject({ version: 2, text: 'Check pump twice' });
  });

  it('cancelAndUpdate and cancelAndDiscard settle a reported operation', async () => {
    const transport = new ScriptedTransport();
    const { client, todos, server } = await conflicting(transport);
    await todos.insert({ id: 'b', text: 'b' });
    transport.rows.set('b', todoRow('b', { text: 'taken' }));
    const { errors } = await client.push();
    expect(errors.map((error) => [error.operation.id, error.code])).toEqual([
      ['a', 'VERSION_MISMATCH'],
      ['b', 'ALREADY_EXISTS'],
    ]);
    await errors[0]?.cancelAndUpdate();
    expect(await todos.get('a')).toEqual(server);
    await errors[1]?.cancelAndDiscard();
    expect(await todos.get('b')).toBeUndefined();
    expect(client.pendingOperations()).toBe(0);
    expect(await client.push()).toEqual({ status: 'complete', pushed: 0, errors: [] });
    expect(transport.batches).toHaveLength(1);
  });

  it('cancelAndUpdate(row) keeps that row over the server’s', async () => {
    const transport = new ScriptedTransport();
    const { client, todos, server } = await conflicting(transport);
    const { errors } = await client.push();
    await errors[0]?.cancelAndUpdate({ text: 'Check pump, then valve' });
    expect(await todos.get('a')).toEqual({ ...server, text: 'Check pump, then valve' });
    expect(await client.pendingChanges()).toEqual([]);
  });

  it('resolve decides a reported conflict later; the next push carries it out', async () => {
    const transport = new ScriptedTransport();
    const { client, todos, server } = await conflicting(transport);
    const pushes: string[][] = [];
    client.on('push', (result) => pushes.push(result.errors.map((error) => error.operation.id)));
    const [error] = (await client.push()).errors;
    // Edited again while the dialog was open: the resolution sends the row as it is now.
    await todos.update({ id: 'a', text: 'Check pump three times' });
    await error?.resolve({ action: 'client-wins' });
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 1, errors: [] });
    expect(transport.batches[1]).toEqual([
      expect.objectContaining({ version: 3, data: { text: 'Check pump three times' } }),
    ]);
    expect(transport.rows.get('a')).toMatchObject({
      ...server,
      version: 4,
      text: 'Check pump three times',
    });
    expect(pushes).toEqual([['a'], []]);
  });

  it('resolve with server-wins or a merge row; refuses what cannot apply', async () => {
    const transport = new ScriptedTransport();
    const { client, todos, server } = await conflicting(transport);
    const [kept] = (await client.push()).errors;
    await kept?.resolve({ action: 'server-wins' });
    expect(await todos.get('a')).toEqual(server);
    expect(client.pendingOperations()).toBe(0);
    await expect(kept?.resolve({ action: 'server-wins' })).rejects.toThrow('no longer queued');

    await todos.update({ id: 'a', text: 'mine', complete: false });
    transport.rows.set('a', { ...server, version: 4, text: 'theirs' });
    const [merged] = (await client.push()).errors;
    await merged?.resolve({ action: 'merge', row: { text: 'mine', complete: true } });
    await client.push();
    expect(transport.rows.get('a')).toMatchObject({ version: 5, text: 'mine', complete: true });

    await todos.update({ id: 'a', text: 'gone?' });
    transport.rows.set('a', { ...server, version: 6, deleted: true });
    const [deleted] = (await client.push()).errors;
    await expect(deleted?.resolve({ action: 'client-wins' })).rejects.toThrow(
      'deleted on the server',
    );
    expect(client.pendingOperations()).toBe(1);
  });
});

describe('push: local effects', () => {
  it('removes an applied write-only command here', async () => {
    const transport = new ScriptedTransport();
    const { client } = await open(transport);
    const commands = client.table('vehicleModelUpdate');
    const command = await commands.insert({ vehicleModelId: 'm1', accoladeCount: 2 });
    expect(await commands.get(command.id)).toMatchObject({ accoladeCount: 2 });
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 1 });
    expect(transport.batches[0]).toEqual([
      expect.objectContaining({
        table: 'vehicleModelUpdate',
        kind: 'INSERT',
        data: { vehicleModelId: 'm1', accoladeCount: 2 },
      }),
    ]);
    expect(await commands.get(command.id)).toBeUndefined();
  });

  it('the pending event and pendingOperations() follow the outbox', async () => {
    const transport = new ScriptedTransport();
    const { client, todos } = await open(transport);
    const counts: number[] = [];
    client.on('pending', (count) => counts.push(count));
    await todos.insert({ id: 'a', text: 'a' });
    await todos.insert({ id: 'b', text: 'b' });
    await todos.update({ id: 'a', complete: true });
    expect(counts).toEqual([1, 2]);
    expect(client.pendingOperations()).toBe(2);
    await client.push();
    expect(counts).toEqual([1, 2, 1, 0]);
    expect(client.pendingOperations()).toBe(0);
    await todos.delete('b');
    expect(counts).toEqual([1, 2, 1, 0, 1]);
    expect(client.pendingOperations()).toBe(1);
  });
});
