import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { pullAll } from './support/sync-calls';
import { exampleSchema, openTestClient, TestNetwork, testDevice } from './support/sync-client';

/** A user of their own per test: todo items are private to their owner. */
const newUser = () => `tech-${crypto.randomUUID()}`;

describe.each(databaseKinds)('client: working offline, then pushing, on $name', (kind) => {
  const suite = useTestGateway(kind);
  const serverTodos = async (user: string) =>
    (await pullAll(suite.gateway, 'pullTodoItems', null, { user })).rows;

  it('keeps offline changes across a reload, then pushes each exactly once', async () => {
    const user = newUser();
    const network = new TestNetwork(suite.gateway);
    network.offline = true;
    const device = testDevice();
    const first = await openTestClient({ network, user, store: device });
    const todos = first.table('todoItem');
    const pump = await todos.insert({
      text: 'Check pump',
      dueDate: new Date('2026-12-01T08:00:00Z'),
    });
    await todos.update({ id: pump.id, complete: true });
    const valve = await todos.insert({ text: 'Replace valve' });
    const scratch = await todos.insert({ text: 'typo' });
    await todos.delete(scratch.id);
    expect(first.pendingOperations()).toBe(2);
    expect((await first.push()).status).toBe('network-error');
    first.close();

    // The tab is closed and opened again, still offline: the changes are all there.
    const second = await openTestClient({ network, user, store: device });
    expect(second.pendingOperations()).toBe(2);
    const pending = await second.pendingChanges();
    expect(pending.map((entry) => [entry.kind, entry.id])).toEqual([
      ['INSERT', pump.id],
      ['INSERT', valve.id],
    ]);
    expect(pending[0]?.data).toEqual({
      text: 'Check pump',
      complete: true,
      dueDate: '2026-12-01T08:00:00.000Z',
    });
    expect(await serverTodos(user)).toEqual([]);

    network.offline = false;
    const result = await second.push();
    expect(result).toMatchObject({ status: 'complete', pushed: 2, errors: [] });
    expect(network.delivered).toBe(1);
    expect(second.pendingOperations()).toBe(0);
    const server = await serverTodos(user);
    expect(
      server.map(({ id, text, complete, version }) => ({ id, text, complete, version })),
    ).toEqual([
      { id: pump.id, text: 'Check pump', complete: true, version: 1 },
      { id: valve.id, text: 'Replace valve', complete: false, version: 1 },
    ]);
    // The local rows are now the server's: version 1, owner and server defaults filled in.
    expect(await second.table('todoItem').get(valve.id)).toMatchObject({
      version: 1,
      userId: user,
      complete: false,
    });
    expect(await second.push()).toMatchObject({ status: 'complete', pushed: 0 });
    expect(network.delivered).toBe(1);
    second.close();
  });

  it('sends a queue in batches, one request per batch, in order', async () => {
    const user = newUser();
    const network = new TestNetwork(suite.gateway);
    const client = await openTestClient({ network, user, batchSize: 40 });
    const todos = client.table('todoItem');
    for (let i = 0; i < 100; i++)
      await todos.insert({ id: `${user}-${String(i).padStart(3, '0')}`, text: `task ${i}` });
    const result = await client.push();
    expect(result).toMatchObject({ status: 'complete', pushed: 100 });
    expect(network.delivered).toBe(3);
    const server = await serverTodos(user);
    expect(server.map((row) => row.text)).toEqual(
      Array.from({ length: 100 }, (_, i) => `task ${i}`),
    );
    client.close();
  });

  it('collapses changes to one row into one pending operation', async () => {
    const user = newUser();
    const network = new TestNetwork(suite.gateway);
    const client = await openTestClient({ network, user });
    const todos = client.table('todoItem');
    const kept = await todos.insert({ text: 'a' });
    const gone = await todos.insert({ text: 'b' });
    await client.push();

    await todos.update({ id: kept.id, text: 'a2' });
    await todos.update({ id: kept.id, complete: true });
    await todos.delete(gone.id);
    const updates = await client.pendingChanges();
    expect(updates.map(({ kind, version, data }) => ({ kind, version, data }))).toEqual([
      { kind: 'UPDATE', version: 1, data: { text: 'a2', complete: true } },
      { kind: 'DELETE', version: 1, data: undefined },
    ]);
    // update + delete -> delete; delete + insert of the same id -> update.
    await todos.update({ id: kept.id, text: 'a3' });
    await todos.delete(kept.id);
    await todos.insert({ id: gone.id, text: 'b again' });
    const collapsed = await client.pendingChanges();
    expect(collapsed.map(({ kind, id, version }) => ({ kind, id, version }))).toEqual([
      { kind: 'DELETE', id: kept.id, version: 1 },
      { kind: 'UPDATE', id: gone.id, version: 1 },
    ]);
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 2, errors: [] });
    const server = await serverTodos(user);
    expect(
      server.map(({ id, text, deleted, version }) => ({ id, text, deleted, version })),
    ).toEqual([
      { id: kept.id, text: 'a', deleted: true, version: 2 },
      { id: gone.id, text: 'b again', deleted: false, version: 2 },
    ]);
    client.close();
  });

  it('never merges into an operation in flight, and writes the new version back', async () => {
    const user = newUser();
    const network = new TestNetwork(suite.gateway);
    const client = await openTestClient({ network, user });
    const todos = client.table('todoItem');
    const row = await todos.insert({ text: 'draft' });
    // While the insert is on its way, the technician edits the row again.
    network.inFlight = async () => {
      await todos.update({ id: row.id, text: 'final' });
    };
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 2, errors: [] });
    expect(network.delivered).toBe(2);
    const [server] = await serverTodos(user);
    expect(server).toMatchObject({ id: row.id, text: 'final', version: 2 });
    expect(await todos.get(row.id)).toMatchObject({ text: 'final', version: 2 });
    // A later change goes out on version 2 without a false conflict.
    await todos.update({ id: row.id, complete: true });
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 1, errors: [] });
    client.close();
  });

  it('discards a pending change to one row: undo before push', async () => {
    const user = newUser();
    const network = new TestNetwork(suite.gateway);
    const client = await openTestClient({ network, user });
    const todos = client.table('todoItem');
    const row = await todos.insert({ text: 'original' });
    await client.push();
    await todos.update({ id: row.id, text: 'oops' });
    const fresh = await todos.insert({ text: 'never mind' });
    expect(await todos.discard(row.id)).toBe('discarded');
    expect(await todos.discard(fresh.id)).toBe('discarded');
    expect(await todos.discard(row.id)).toBe('nothing-pending');
    expect(await todos.get(row.id)).toMatchObject({ text: 'original', version: 1 });
    expect(await todos.get(fresh.id)).toBeUndefined();
    expect(client.pendingOperations()).toBe(0);

    // A change whose request went out cannot be taken back: it may have been applied.
    await todos.update({ id: row.id, text: 'sent' });
    network.plan('response-lost');
    expect((await client.push()).status).toBe('network-error');
    expect(await todos.discard(row.id)).toBe('in-flight');
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 1 });
    expect((await serverTodos(user))[0]).toMatchObject({ text: 'sent', version: 2 });
    client.close();
  });

  it('refuses bad input locally, naming the field, and stores nothing', async () => {
    const network = new TestNetwork(suite.gateway);
    const client = await openTestClient({ network, user: newUser() });
    const todos = client.table('todoItem');
    await expect(todos.insert({} as never)).rejects.toThrow(
      'todoItem.insert.text: is required to insert a todoItem',
    );
    await expect(todos.insert({ text: 5 } as never)).rejects.toThrow(
      'todoItem.insert.text: must be a string',
    );
    await expect(todos.insert({ text: 'x', dueDate: 'tomorrow' })).rejects.toThrow(
      'todoItem.insert.dueDate: must be a Date or an ISO 8601 date-time string',
    );
    await expect(todos.insert({ text: 'x', userId: 'mallory' } as never)).rejects.toThrow(
      'todoItem.insert.userId: is set by the server',
    );
    await expect(todos.insert({ text: 'x', colour: 'red' } as never)).rejects.toThrow(
      'todoItem.insert.colour: is not a column of todoItem',
    );
    await expect(todos.update({ id: 'nope', text: 'x' })).rejects.toThrow(
      'todoItem.update.id: there is no todoItem "nope" here',
    );
    await expect(client.table('vehicleModel').insert({} as never)).rejects.toThrow(
      'vehicleModel is read-only',
    );
    expect(await todos.find()).toEqual([]);
    expect(client.pendingOperations()).toBe(0);
    await expect(openTestClient({ network, pageSize: 5000 })).rejects.toThrow(
      'createSyncClient.pageSize: must be a whole number from 1 to 1000',
    );
    await expect(
      openTestClient({ network, tables: { todos: exampleSchema.todoItem } as never }),
    ).rejects.toThrow('createSyncClient: tables.todos is the table todoItem');
    client.close();
  });
});
