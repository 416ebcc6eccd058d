import { pruneExpired } from '@syncline/gateway';
import { exampleTables } from '@syncline/schema';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, type TestDatabase } from './support/databases';
import { startGateway, type TestGateway } from './support/gateway-client';
import { pullAll, pullPage, push, todo } from './support/sync-calls';

const DAY = 24 * 60 * 60 * 1000;

describe.each(databaseKinds)('tombstone horizon on $name', (kind) => {
  let db: TestDatabase;
  let gateway: TestGateway;
  const prune = (retentionMs: number) => pruneExpired(db.database.db, exampleTables, retentionMs);
  beforeAll(async () => {
    db = await kind.create();
    gateway = await startGateway(db.database);
  });
  afterAll(() => db.drop());

  it('keeps tombstones and outcomes younger than the retention', async () => {
    const insert = todo('INSERT', 't1', { data: { text: 'x' } });
    await push(gateway, [insert, todo('INSERT', 't2', { data: { text: 'y' } })]);
    await push(gateway, [todo('DELETE', 't1', { version: 1 })]);
    const result = await prune(30 * DAY);
    const none = { todoItem: 0, vehicleManufacturer: 0, vehicleModel: 0, vehicleModelUpdate: 0 };
    expect(result).toEqual({ tombstones: none, moves: none, outcomes: 0 });
    const { rows } = await pullAll(gateway, 'pullTodoItems', null, { fields: 'id deleted' });
    expect(rows).toEqual([
      { id: 't2', deleted: false },
      { id: 't1', deleted: true },
    ]);
  });

  it('prunes older tombstones and expires the cursors that could miss them', async () => {
    const beforeDelete = (await pullAll(gateway, 'pullTodoItems')).cursor;
    await push(gateway, [todo('DELETE', 't2', { version: 1 })]);
    const afterDelete = (await pullAll(gateway, 'pullTodoItems')).cursor;

    const result = await prune(0);
    expect(result.tombstones.todoItem).toBe(2);
    expect(result.outcomes).toBeGreaterThanOrEqual(4);
    const { rows } = await pullAll(gateway, 'pullTodoItems', null, { fields: 'id' });
    expect(rows).toEqual([]);

    // This cursor predates a pruned delete: the client would keep t2 forever.
    const expired = await gateway.graphql(
      'query($after: Cursor) { pullTodoItems(after: $after) { cursor } }',
      { after: beforeDelete },
    );
    expect(expired.errors?.[0]).toMatchObject({
      extensions: { code: 'CURSOR_EXPIRED', field: 'after' },
    });
    expect(expired.errors?.[0]?.message).toContain('pull again from the start');
    // A cursor that already saw every pruned tombstone is still good.
    const fresh = await pullPage(gateway, 'pullTodoItems', { after: afterDelete }, 'id');
    expect(fresh.rows).toEqual([]);
    // Other tables' cursors are untouched.
    const models = await pullAll(gateway, 'pullVehicleModels', null, { fields: 'id' });
    expect(models.rows).toHaveLength(8);
  });

  it('forgets pruned opIds: the id of a pruned tombstone can be inserted again', async () => {
    const [again] = await push(gateway, [todo('INSERT', 't1', { data: { text: 'back' } })]);
    expect(again).toMatchObject({ status: 'APPLIED', row: { id: 't1', version: 1, text: 'back' } });
  });

  it("ends a full pull at the horizon, so another user's pruned tombstone cannot expire it", async () => {
    // Bob's only row is older than alice's tombstone, which is pruned next.
    await push(gateway, [todo('INSERT', 'bob-1', { data: { text: 'bob' } })], 'bob');
    await push(gateway, [todo('INSERT', 'alice-9', { data: { text: 'x' } })]);
    await push(gateway, [todo('DELETE', 'alice-9', { version: 1 })]);
    await prune(0);
    const full = await pullAll(gateway, 'pullTodoItems', null, { fields: 'id', user: 'bob' });
    expect(full.rows).toEqual([{ id: 'bob-1' }]);
    const next = await pullPage(gateway, 'pullTodoItems', { after: full.cursor }, 'id', 'bob');
    expect(next).toEqual({ rows: [], cursor: full.cursor, hasMore: false, movedOut: [] });
  });

  it('prunes records of rows given to another owner, and expires the cursors that could miss them', async () => {
    await push(gateway, [todo('INSERT', 'moving', { data: { text: 'x' } })], 'ann');
    const beforeMove = (await pullAll(gateway, 'pullTodoItems', null, { user: 'ann' })).cursor;
    await db.database.db.execute(sql`update todo_item set user_id = 'ben' where id = 'moving'`);
    const young = await prune(30 * DAY);
    expect(young.moves.todoItem).toBe(0);
    const heard = await pullPage(gateway, 'pullTodoItems', { after: beforeMove }, 'id', 'ann');
    expect(heard).toMatchObject({ rows: [], movedOut: ['moving'] });

    const result = await prune(0);
    expect(result.moves.todoItem).toBe(1);
    expect(result.tombstones.todoItem).toBe(0);
    // This cursor predates a pruned move: ann's device would keep ben's row forever.
    const expired = await gateway.graphql(
      'query($after: Cursor) { pullTodoItems(after: $after) { cursor } }',
      { after: beforeMove },
      'ann',
    );
    expect(expired.errors?.[0]).toMatchObject({
      extensions: { code: 'CURSOR_EXPIRED', field: 'after' },
    });
    const fresh = await pullPage(gateway, 'pullTodoItems', { after: heard.cursor }, 'id', 'ann');
    expect(fresh).toMatchObject({ rows: [], movedOut: [] });
    const ben = await pullAll(gateway, 'pullTodoItems', null, { fields: 'id', user: 'ben' });
    expect(ben.rows).toEqual([{ id: 'moving' }]);
  });
});
