import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { REJECTED_TOKEN, useTestGateway } from './support/gateway-client';
import { pullAll } from './support/sync-calls';
import { type ExampleClient, openTestClient, TestNetwork } from './support/sync-client';

const newUser = () => `tech-${crypto.randomUUID()}`;

/**
 * Faults injected between the client and the real gateway. After each, the outbox and the
 * server must hold exactly what they should: nothing lost, nothing applied twice.
 */
describe.each(databaseKinds)('client: faults in transit, on $name', (kind) => {
  const suite = useTestGateway(kind);
  const serverTodos = async (user: string) =>
    (await pullAll(suite.gateway, 'pullTodoItems', null, { user })).rows.map(
      ({ id, text, version }) => ({ id, text, version }),
    );

  async function setUp() {
    const user = newUser();
    const network = new TestNetwork(suite.gateway);
    const client = await openTestClient({ network, user });
    return { user, network, client, todos: client.table('todoItem') };
  }

  it('request lost: the queue is kept and the next push delivers it once', async () => {
    const { user, network, client, todos } = await setUp();
    const row = await todos.insert({ text: 'one' });
    network.plan('request-lost');
    const failed = await client.push();
    expect(failed).toMatchObject({ status: 'network-error', pushed: 0, errors: [] });
    expect(failed.message).toContain('the request was lost');
    expect(network.delivered).toBe(0);
    expect(client.pendingOperations()).toBe(1);
    expect(await serverTodos(user)).toEqual([]);

    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 1 });
    expect(await serverTodos(user)).toEqual([{ id: row.id, text: 'one', version: 1 }]);
    expect(client.pendingOperations()).toBe(0);
    client.close();
  });

  it('response lost: the replay returns the first outcomes and writes nothing twice', async () => {
    const { user, network, client, todos } = await setUp();
    const kept = await todos.insert({ text: 'v1' });
    await client.push();
    await todos.update({ id: kept.id, text: 'v2' });
    const added = await todos.insert({ text: 'new' });
    const model = 'vm-volvo-fh16';
    const accolades = async () =>
      (
        await pullAll(suite.gateway, 'pullVehicleModels', null, {
          fields: 'id accoladeCount',
          where: { id: { eq: model } },
        })
      ).rows[0]?.accoladeCount as number;
    const before = await accolades();
    await client.table('vehicleModelUpdate').insert({ vehicleModelId: model, accoladeCount: 3 });

    network.plan('response-lost');
    expect((await client.push()).status).toBe('network-error');
    // The server applied the batch; the client does not know it yet.
    expect(await serverTodos(user)).toEqual([
      { id: kept.id, text: 'v2', version: 2 },
      { id: added.id, text: 'new', version: 1 },
    ]);
    expect(client.pendingOperations()).toBe(3);

    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 3, errors: [] });
    expect(await serverTodos(user)).toEqual([
      { id: kept.id, text: 'v2', version: 2 },
      { id: added.id, text: 'new', version: 1 },
    ]);
    expect(await accolades()).toBe(before + 3);
    expect(client.pendingOperations()).toBe(0);
    expect(await todos.get(kept.id)).toMatchObject({ text: 'v2', version: 2 });
    client.close();
  });

  describe('a replayed outcome older than what a pull brought meanwhile', () => {
    /**
     * Device A's push is applied but its answer is lost; device B (the same technician)
     * then changes the row; A pulls while its replay fails again (the pull keeps B's
     * newer copy beside the pending change and moves its cursor past it); A's replay gets
     * the first outcome, older than the copy it kept. A must end with B's copy, and stay
     * there: its cursor is past that change, so no later pull would bring it again.
     */
    async function twoDevices() {
      const user = newUser();
      const networkA = new TestNetwork(suite.gateway);
      const a = await openTestClient({ network: networkA, user });
      const b = await openTestClient({ network: new TestNetwork(suite.gateway), user });
      return { user, networkA, a, b };
    }

    async function lostAnswerThenPullAndReplay(
      networkA: TestNetwork,
      a: ExampleClient,
      otherDevice: () => Promise<void>,
    ) {
      networkA.plan('response-lost');
      expect((await a.push()).status).toBe('network-error');
      await otherDevice();
      // The pull's own push (after the probe of a client that knows it is offline) fails
      // too, so the pull keeps the newer copy beside the entry.
      networkA.plan('none', 'request-lost');
      expect((await a.table('todoItem').pull('mine')).status).toBe('complete');
      expect(a.pendingOperations()).toBe(1);
      expect(await a.push()).toMatchObject({ status: 'complete', pushed: 1 });
      // A later pull has nothing new to bring: what A holds now is what it keeps.
      expect(await a.table('todoItem').pull('mine')).toMatchObject({ pulled: 0 });
    }

    it('an update replayed after another device updated the row keeps the newer row', async () => {
      const { user, networkA, a, b } = await twoDevices();
      const row = await a.table('todoItem').insert({ text: 'v1' });
      await a.push();
      await a.table('todoItem').update({ id: row.id, text: 'from A' });
      await lostAnswerThenPullAndReplay(networkA, a, async () => {
        await b.table('todoItem').pull('mine');
        await b.table('todoItem').update({ id: row.id, text: 'from B' });
        expect(await b.push()).toMatchObject({ status: 'complete', pushed: 1 });
      });
      expect(await serverTodos(user)).toEqual([{ id: row.id, text: 'from B', version: 3 }]);
      expect(await a.table('todoItem').get(row.id)).toMatchObject({ text: 'from B', version: 3 });
      a.close();
      b.close();
    });

    it('an update replayed after another device deleted the row leaves it deleted', async () => {
      const { networkA, a, b } = await twoDevices();
      const row = await a.table('todoItem').insert({ text: 'v1' });
      await a.push();
      await a.table('todoItem').update({ id: row.id, text: 'from A' });
      await lostAnswerThenPullAndReplay(networkA, a, async () => {
        await b.table('todoItem').pull('mine');
        await b.table('todoItem').delete(row.id);
        expect(await b.push()).toMatchObject({ status: 'complete', pushed: 1 });
      });
      expect(await a.table('todoItem').get(row.id)).toBeUndefined();
      a.close();
      b.close();
    });

    it('an insert replayed after another device updated the row keeps the newer row', async () => {
      const { user, networkA, a, b } = await twoDevices();
      const row = await a.table('todoItem').insert({ text: 'new' });
      await lostAnswerThenPullAndReplay(networkA, a, async () => {
        await b.table('todoItem').pull('mine');
        await b.table('todoItem').update({ id: row.id, text: 'from B' });
        expect(await b.push()).toMatchObject({ status: 'complete', pushed: 1 });
      });
      expect(await serverTodos(user)).toEqual([{ id: row.id, text: 'from B', version: 2 }]);
      expect(await a.table('todoItem').get(row.id)).toMatchObject({ text: 'from B', version: 2 });
      a.close();
      b.close();
    });
  });

  it('server error mid-batch: nothing of the batch is applied and the queue is kept', async () => {
    const { user, client, todos } = await setUp();
    const db = suite.db.database.db;
    await db.execute(`create or replace function syncline_test_explode() returns trigger language plpgsql as
      $$ begin if new.text = 'explode' then raise exception 'disk on fire'; end if; return new; end $$`);
    await db.execute(
      'create trigger explode before insert on todo_item for each row execute function syncline_test_explode()',
    );
    try {
      await todos.insert({ text: 'before' });
      await todos.insert({ text: 'explode' });
      await todos.insert({ text: 'after' });
      const failed = await client.push();
      expect(failed).toMatchObject({ status: 'server-error', pushed: 0 });
      expect(failed.message).toBe('Unexpected error.');
      expect(await serverTodos(user)).toEqual([]);
      expect((await client.pendingChanges()).map((entry) => entry.data?.text)).toEqual([
        'before',
        'explode',
        'after',
      ]);
    } finally {
      await db.execute('drop trigger explode on todo_item');
    }
    // The fault was the server's and has passed: the same queue goes through.
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 3 });
    expect((await serverTodos(user)).map((row) => row.text)).toEqual([
      'before',
      'explode',
      'after',
    ]);
    client.close();
  });

  it('token rejected: one refresh and retry; when refreshing fails, auth-error and the queue kept', async () => {
    const user = newUser();
    const network = new TestNetwork(suite.gateway);
    const asked: boolean[] = [];
    let fresh = REJECTED_TOKEN;
    const client = await openTestClient({
      network,
      user,
      token: ({ refresh }) => {
        asked.push(refresh);
        return refresh ? fresh : REJECTED_TOKEN;
      },
    });
    const refused: string[] = [];
    client.on('unauthenticated', ({ message }) => refused.push(message));
    await client.table('todoItem').insert({ text: 'signed out' });
    const failed = await client.push();
    expect(failed).toMatchObject({ status: 'auth-error', pushed: 0 });
    expect(failed.message).toContain('the token was rejected');
    expect(asked).toEqual([false, true]);
    expect(client.pendingOperations()).toBe(1);
    expect((await client.table('todoItem').pull('mine')).status).toBe('auth-error');
    // The app hears of each refusal (the push; the pull's own push, then the pull itself),
    // to ask the user to sign in again.
    expect(refused).toHaveLength(3);
    expect(refused[0]).toContain('the token was rejected');

    // The token expired; the refresh gets a good one and the same push goes through.
    fresh = user;
    asked.length = 0;
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 1 });
    expect(asked).toEqual([false, true]);
    expect((await serverTodos(user)).map((row) => row.text)).toEqual(['signed out']);
    client.close();
  });

  it('a token source that throws is an auth-error, not a crash', async () => {
    const network = new TestNetwork(suite.gateway);
    const client = await openTestClient({
      network,
      token: () => {
        throw new Error('signed out');
      },
    });
    await client.table('todoItem').insert({ text: 'kept' });
    expect(await client.push()).toMatchObject({
      status: 'auth-error',
      message: 'no token: Error: signed out',
    });
    expect(network.delivered).toBe(0);
    expect(client.pendingOperations()).toBe(1);
    client.close();
  });

  it('a pull that fails keeps the local rows and the cursor', async () => {
    const { user, network, client, todos } = await setUp();
    await todos.insert({ text: 'a' });
    expect((await todos.pull('mine')).status).toBe('complete');
    await suite.gateway.data(
      'mutation($input: TodoItemInsert!) { insertTodoItem(input: $input) { status } }',
      { input: { text: 'from the web app' } },
      user,
    );
    network.plan('response-lost');
    expect(await todos.pull('mine')).toMatchObject({ status: 'network-error', pulled: 0 });
    expect((await todos.find()).map((row) => row.text)).toEqual(['a']);
    const pulled = await todos.pull('mine');
    expect(pulled).toMatchObject({ status: 'complete', pulled: 1 });
    expect((await todos.find({ orderBy: { text: 'asc' } })).map((row) => row.text)).toEqual([
      'a',
      'from the web app',
    ]);
    client.close();
  });

  it('once offline, probes before pushing so that new changes stay mergeable and undoable', async () => {
    const { user, network, client, todos } = await setUp();
    const first = await todos.insert({ text: 'first' });
    network.offline = true;
    // Nobody knew the network was down: this attempt may have reached the server.
    expect((await client.push()).status).toBe('network-error');
    expect(client.status).toBe('offline');
    const second = await todos.insert({ text: 'second' });
    const again = await client.push();
    expect(again).toMatchObject({
      status: 'network-error',
      message: expect.stringContaining('cannot be reached'),
    });
    // Both wait; the first is in flight (the server may have applied it): see discard below.
    const entries = await client.pendingChanges();
    expect(entries.map(({ id, kind }) => ({ id, kind }))).toEqual([
      { id: first.id, kind: 'INSERT' },
      { id: second.id, kind: 'INSERT' },
    ]);
    await todos.update({ id: second.id, text: 'second, edited' });
    expect(client.pendingOperations()).toBe(2);
    expect(await todos.discard(first.id)).toBe('in-flight');

    network.offline = false;
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 2 });
    expect(client.status).toBe('online');
    expect((await serverTodos(user)).map((row) => row.text)).toEqual(['first', 'second, edited']);
    client.close();
  });
});
