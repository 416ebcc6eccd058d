import { pruneExpired } from '@syncline/gateway';
import { exampleTables } from '@syncline/schema';
import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { openTestClient, TestNetwork } from './support/sync-client';

const newUser = () => `tech-${crypto.randomUUID()}`;

describe.each(databaseKinds)('client: pull, purge and sync, on $name', (kind) => {
  const suite = useTestGateway(kind);

  /** The office's writes, made straight on the server as `user`. */
  const office = {
    async insert(user: string, text: string, extra: object = {}) {
      const result = await suite.gateway.data<{
        insertTodoItem: { row: { id: string; version: number } };
      }>(
        'mutation($input: TodoItemInsert!) { insertTodoItem(input: $input) { row { id version } } }',
        { input: { text, ...extra } },
        user,
      );
      return result.insertTodoItem.row;
    },
    async update(user: string, id: string, version: number, patch: object) {
      await suite.gateway.data(
        'mutation($id: ID!, $v: Int!, $p: TodoItemPatch!) { updateTodoItem(id: $id, version: $v, patch: $p) { status } }',
        { id, v: version, p: patch },
        user,
      );
    },
    async delete(user: string, id: string, version: number) {
      await suite.gateway.data(
        'mutation($id: ID!, $v: Int!) { deleteTodoItem(id: $id, version: $v) { status } }',
        { id, v: version },
        user,
      );
    },
  };

  async function setUp(options: { pageSize?: number } = {}) {
    const user = newUser();
    const network = new TestNetwork(suite.gateway);
    const client = await openTestClient({ network, user, ...options });
    return { user, network, client, todos: client.table('todoItem') };
  }

  it('pulls incrementally with a query id: only what changed, tombstones applied', async () => {
    const { user, client, todos } = await setUp({ pageSize: 5 });
    const made = [];
    for (let i = 0; i < 12; i++)
      made.push(await office.insert(user, `job ${String(i).padStart(2, '0')}`));
    const progress: number[] = [];
    const first = await todos.pull('myJobs', { onProgress: ({ pulled }) => progress.push(pulled) });
    expect(first).toEqual({ status: 'complete', pulled: 12 });
    expect(progress).toEqual([5, 10, 12]);
    expect(await todos.find()).toHaveLength(12);

    const [a, b] = made as [{ id: string; version: number }, { id: string; version: number }];
    await office.update(user, a.id, a.version, { complete: true });
    await office.delete(user, b.id, b.version);
    await office.insert(user, 'job 12');
    expect(await todos.pull('myJobs')).toEqual({ status: 'complete', pulled: 3 });
    expect(await todos.get(a.id)).toMatchObject({ complete: true, version: 2 });
    expect(await todos.get(b.id)).toBeUndefined();
    expect(await todos.find()).toHaveLength(12);
    expect(await todos.pull('myJobs')).toEqual({ status: 'complete', pulled: 0 });
    // A null query id pulls everything, every time, and keeps no cursor.
    expect(await todos.pull(null)).toEqual({ status: 'complete', pulled: 13 });
    expect(await todos.pull(null)).toEqual({ status: 'complete', pulled: 13 });
    client.close();
  });

  it('pulls ten pages to a request, and an answer lost on the way costs no page stored', async () => {
    const { user, network, todos } = await setUp({ pageSize: 2 });
    for (let i = 0; i < 25; i++) await office.insert(user, `job ${String(i).padStart(2, '0')}`);
    const progress: number[] = [];
    const onProgress = ({ pulled }: { pulled: number }) => progress.push(pulled);
    // The first answer (10 pages, 20 rows) arrives; the second is lost.
    network.plan('none', 'response-lost');
    const before = network.delivered;
    expect(await todos.pull('jobs', { onProgress })).toMatchObject({
      status: 'network-error',
      pulled: 20,
    });
    expect(network.delivered - before).toBe(2);
    expect(progress).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(await todos.find()).toHaveLength(20);
    // Asked again, it goes on after the last page stored: the 3 pages left, one request.
    const again = network.delivered;
    expect(await todos.pull('jobs')).toEqual({ status: 'complete', pulled: 5 });
    expect(network.delivered - again).toBe(1);
    const texts = (await todos.find()).map((row) => row.text).sort();
    expect(texts).toEqual(
      Array.from({ length: 25 }, (_, i) => `job ${String(i).padStart(2, '0')}`),
    );
  });

  it('stores nothing of an answer cut off while its rows stream in, and then pulls them all', async () => {
    const { user, network, todos } = await setUp({ pageSize: 2 });
    // Rows enough (over 128 kB) for the answer to stream.
    const text = (i: number) => `job ${String(i).padStart(2, '0')} ${'and more '.repeat(800)}`;
    for (let i = 0; i < 25; i++) await office.insert(user, text(i));
    network.plan('response-cut');
    expect(await todos.pull('jobs')).toMatchObject({ status: 'network-error', pulled: 0 });
    // The answer was streaming (multipart, its rows in parts) when it broke off.
    expect(network.cutAnswers).toEqual(['multipart/mixed; boundary="-"']);
    expect(await todos.find()).toEqual([]);
    expect(await todos.pull('jobs')).toEqual({ status: 'complete', pulled: 25 });
    const texts = (await todos.find()).map((row) => row.text).sort();
    expect(texts).toEqual(Array.from({ length: 25 }, (_, i) => text(i)));
  });

  it('keeps a cursor per query, and a filter pulls only its rows', async () => {
    const { client } = await setUp();
    const models = client.table('vehicleModel');
    const volvo = await models.pull('volvo', { where: { manufacturerId: { eq: 'mf-volvo' } } });
    expect(volvo.status).toBe('complete');
    const local = await models.find({ orderBy: { name: 'asc' } });
    expect(local.length).toBe(volvo.pulled);
    expect(local.every((model) => model.manufacturerId === 'mf-volvo')).toBe(true);
    const all = await models.pull('all');
    expect(all.pulled).toBeGreaterThan(volvo.pulled);
    expect(
      await models.pull('volvo', { where: { manufacturerId: { eq: 'mf-volvo' } } }),
    ).toMatchObject({ pulled: 0 });
    // The same query id with another filter starts over.
    const scania = await models.pull('volvo', { where: { manufacturerId: { eq: 'mf-scania' } } });
    expect(scania.pulled).toBeGreaterThan(0);
    client.close();
  });

  it('pushes the pending changes of the table before pulling', async () => {
    const { user, network, client, todos } = await setUp();
    const row = await todos.insert({ text: 'made offline' });
    const result = await todos.pull('mine');
    expect(result).toMatchObject({
      status: 'complete',
      pulled: 1,
      push: { status: 'complete', pushed: 1 },
    });
    expect(network.delivered).toBe(2);
    expect(await todos.get(row.id)).toMatchObject({ version: 1, userId: user });
    // Pending changes of another table alone do not hold up this table's pull.
    await client
      .table('vehicleModelUpdate')
      .insert({ vehicleModelId: 'vm-volvo-fh16', accoladeCount: 1 });
    const alone = await todos.pull('mine');
    expect(alone).toEqual({ status: 'complete', pulled: 0 });
    expect(network.delivered).toBe(3);
    expect(client.pendingOperations()).toBe(1);
    client.close();
  });

  it('never overwrites a row with a pending change; discarding it restores the pulled row', async () => {
    const { user, client, todos } = await setUp();
    const row = await todos.insert({ text: 'start' });
    await client.push();
    await office.update(user, row.id, 1, { text: 'office edit' });
    await todos.update({ id: row.id, text: 'field edit' });
    // The push before the pull meets the conflict (no handler): the change stays pending.
    const result = await todos.pull('mine');
    expect(result).toMatchObject({ status: 'complete', pulled: 1 });
    expect(result.push?.errors).toHaveLength(1);
    expect(await todos.get(row.id)).toMatchObject({ text: 'field edit', version: 1 });
    expect(await todos.discard(row.id)).toBe('discarded');
    expect(await todos.get(row.id)).toMatchObject({ text: 'office edit', version: 2 });
    client.close();
  });

  it('starts over on CURSOR_EXPIRED and drops rows whose tombstones were pruned', async () => {
    const { user, client, todos } = await setUp();
    const gone = await office.insert(user, 'to be deleted');
    const stays = await office.insert(user, 'stays');
    expect(await todos.pull('mine')).toMatchObject({ pulled: 2 });
    await office.delete(user, gone.id, gone.version);
    // The tombstone is pruned before this device pulls again: its cursor is now too old.
    await pruneExpired(suite.db.database.db, exampleTables, -1000);
    const result = await todos.pull('mine');
    expect(result).toMatchObject({ status: 'complete', pulled: 1 });
    expect((await todos.find()).map((row) => row.id)).toEqual([stays.id]);
    expect(await todos.pull('mine')).toMatchObject({ status: 'complete', pulled: 0 });
    client.close();
  });

  it('purge refuses while changes are pending, unless forced; pulled rows come back', async () => {
    const { user, client, todos } = await setUp();
    await office.insert(user, 'done', { complete: true });
    await office.insert(user, 'open');
    await todos.pull('mine');
    const local = await todos.insert({ text: 'not pushed yet' });

    expect(await todos.purge()).toEqual({ status: 'refused', pending: 1 });
    expect(await todos.find()).toHaveLength(3);

    const forced = await todos.purge(
      { where: { text: { eq: 'not pushed yet' } } },
      { force: true },
    );
    expect(forced).toEqual({ status: 'purged', purged: 1, discarded: 1 });
    expect(await todos.get(local.id)).toBeUndefined();
    expect(client.pendingOperations()).toBe(0);

    expect(await todos.purge({ where: { complete: { eq: true } } })).toEqual({
      status: 'purged',
      purged: 1,
      discarded: 0,
    });
    expect((await todos.find()).map((row) => row.text)).toEqual(['open']);
    // The purge reset the query's cursor: the next pull brings the server's rows back.
    expect(await todos.pull('mine')).toMatchObject({ pulled: 2 });
    expect((await todos.find({ orderBy: { text: 'asc' } })).map((row) => row.text)).toEqual([
      'done',
      'open',
    ]);
    client.close();
  });

  it('sync() pushes, then pulls every query pulled before, also after a reload', async () => {
    const { user, network, client, todos } = await setUp();
    await todos.pull('mine');
    await client.table('vehicleManufacturer').pull('makers');
    await todos.insert({ text: 'local' });
    await office.insert(user, 'remote');
    const result = await client.sync();
    expect(result.status).toBe('complete');
    expect(result.push).toMatchObject({ pushed: 1 });
    expect(Object.keys(result.pulls).sort()).toEqual([
      'todoItem/mine',
      'vehicleManufacturer/makers',
    ]);
    expect(result.pulls['todoItem/mine']).toMatchObject({ pulled: 2 });
    expect((await todos.find({ orderBy: { text: 'asc' } })).map((row) => row.text)).toEqual([
      'local',
      'remote',
    ]);
    expect(network.delivered).toBeGreaterThan(0);
    client.close();
  });

  it('watch() follows local writes and pulls', async () => {
    const { user, client, todos } = await setUp();
    const updates: string[][] = [];
    const waiters: { until: (texts: string[]) => boolean; resolve: () => void }[] = [];
    /** Resolves at the first result (from now on) that satisfies `until`. */
    const seen = (until: (texts: string[]) => boolean) =>
      new Promise<void>((resolve) => waiters.push({ until, resolve }));
    let initial = seen(() => true);
    const stop = todos.watch(
      { where: { complete: { eq: false } }, orderBy: { text: 'asc' } },
      (rows) => {
        const texts = rows.map((row) => row.text);
        updates.push(texts);
        for (const waiter of waiters.splice(0)) {
          if (waiter.until(texts)) waiter.resolve();
          else waiters.push(waiter);
        }
      },
    );
    await initial;
    initial = seen((texts) => texts.join() === 'b');
    await todos.insert({ text: 'b' });
    await initial;
    const both = seen((texts) => texts.join() === 'a,b');
    await office.insert(user, 'a');
    await todos.pull('mine');
    await both;
    const done = seen((texts) => texts.join() === 'a');
    const [b] = await todos.find({ where: { text: { eq: 'b' } } });
    await todos.update({ id: b?.id as string, complete: true });
    await done;
    expect(updates[0]).toEqual([]);
    expect(updates[1]).toEqual(['b']);
    expect(updates.at(-1)).toEqual(['a']);
    stop();
    client.close();
  });
});
