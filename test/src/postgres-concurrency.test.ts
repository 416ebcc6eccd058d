import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresKinds, type TestDatabase } from './support/databases';
import { startGateway, type TestGateway } from './support/gateway-client';
import { newOpId, pullAll, push, todo } from './support/sync-calls';

const kind = postgresKinds[0];

/**
 * Concurrency on the real server: transactions that overlap, commit out of order, or
 * replay the same opId at once. PGlite has one connection, so these need Postgres.
 */
describe.skipIf(!kind)('concurrent writes on postgres', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let sql: postgres.Sql;
  beforeAll(async () => {
    db = await (kind as NonNullable<typeof kind>).create();
    gateway = await startGateway(db.database);
    sql = postgres(db.url as string, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  /** Waits until `count` backends of this database are blocked on a lock. */
  async function blockedBackends(count: number) {
    for (let attempt = 0; attempt < 500; attempt++) {
      const [row] = await sql`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`;
      if (row?.n === count) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`expected ${count} blocked backends`);
  }

  it('never skips a transaction that started first and committed last', async () => {
    const start = await pullAll(gateway, 'pullTodoItems', null, { fields: 'id' });
    const reserved = await sql.reserve();
    try {
      // Hold vehicle_model with a lock that takes no transaction id of its own: only the
      // gateway's transactions hold back the snapshot's xmin.
      await reserved`begin`;
      await reserved`lock table vehicle_model in exclusive mode`;
      const [own] = await reserved`select pg_current_xact_id_if_assigned() as xid`;
      expect(own?.xid).toBeNull();

      // T1 inserts A (taking its transaction id), then waits: its command's hook updates vehicle_model.
      const first = push(gateway, [
        todo('INSERT', 'early-A', { data: { text: 'started first' } }),
        {
          vehicleModelUpdate: {
            opId: newOpId(),
            kind: 'INSERT',
            id: 'cmd-A',
            data: { vehicleModelId: 'vm-man-tgx', accoladeCount: 1 },
          },
        },
      ]);
      await blockedBackends(1);
      // T2 starts later and commits first.
      const [late] = await push(gateway, [
        todo('INSERT', 'late-B', { data: { text: 'committed first' } }),
      ]);
      expect(late?.status).toBe('APPLIED');

      // A client pulls while T1 is still open: B comes at once, without waiting for T1...
      const during = await pullAll(gateway, 'pullTodoItems', start.cursor, { fields: 'id' });
      expect(during.rows.map((row) => row.id)).toEqual(['late-B']);

      // ...and A, although before B in change order, comes with the first pull after T1
      // commits: the cursor remembers that T1 was still running.
      await reserved`commit`;
      expect((await first).map((outcome) => outcome.status)).toEqual(['APPLIED', 'APPLIED']);
      const after = await pullAll(gateway, 'pullTodoItems', during.cursor, { fields: 'id' });
      expect(after.rows.map((row) => row.id)).toEqual(['early-A']);
    } finally {
      await reserved`rollback`.catch(() => undefined);
      reserved.release();
    }
  });

  it('never skips a change that started before a settled owner move', async () => {
    await push(gateway, [
      todo('INSERT', 'early-X', { data: { text: 'changed first' } }),
      todo('INSERT', 'moved-Y', { data: { text: 'moved later' } }),
    ]);
    const start = await pullAll(gateway, 'pullTodoItems', null, { fields: 'id' });
    const reserved = await sql.reserve();
    try {
      // T1 completes X (taking its transaction id first), then stays open.
      await reserved`begin`;
      await reserved`update todo_item set complete = true, version = version + 1,
        change_txid = pg_current_xact_id(), change_seq = nextval('syncline_change_seq')
        where id = 'early-X'`;
      // T2, later, gives Y to bob and commits first.
      await sql`update todo_item set user_id = 'bob' where id = 'moved-Y'`;

      // The move comes at once; X, changed first but still uncommitted, comes once T1
      // commits, never skipped although the cursor moved past the move.
      const open = { complete: { eq: false } };
      for (const where of [undefined, open]) {
        const filter = where ? { where } : {};
        const during = await pullAll(gateway, 'pullTodoItems', start.cursor, {
          fields: 'id',
          ...filter,
        });
        expect(during).toMatchObject({ rows: [], movedOut: ['moved-Y'] });
        const still = await pullAll(gateway, 'pullTodoItems', during.cursor, {
          fields: 'id',
          ...filter,
        });
        expect(still).toMatchObject({ rows: [], movedOut: [] });
      }
      const during = await pullAll(gateway, 'pullTodoItems', start.cursor, { fields: 'id' });
      const openDuring = await pullAll(gateway, 'pullTodoItems', start.cursor, {
        fields: 'id',
        where: open,
      });

      await reserved`commit`;
      const after = await pullAll(gateway, 'pullTodoItems', during.cursor, { fields: 'id' });
      expect(after).toMatchObject({ rows: [{ id: 'early-X' }], movedOut: [] });
      const openAfter = await pullAll(gateway, 'pullTodoItems', openDuring.cursor, {
        fields: 'id',
        where: open,
      });
      expect(openAfter).toMatchObject({ rows: [], movedOut: ['early-X'] });
    } finally {
      await reserved`rollback`.catch(() => undefined);
      reserved.release();
    }
  });

  it('applies one opId once when two requests carry it at the same time', async () => {
    const op = todo('INSERT', 'same-op', { data: { text: 'only once' } });
    const reserved = await sql.reserve();
    try {
      await reserved`begin`;
      await reserved`lock table todo_item in exclusive mode`;
      const one = push(gateway, [op]);
      const two = push(gateway, [op]);
      // One waits on the table lock, the other on the first one's claim of the opId.
      await blockedBackends(2);
      await reserved`commit`;
      const [a, b] = await Promise.all([one, two]);
      expect(a).toEqual(b);
      expect(a?.[0]).toMatchObject({ status: 'APPLIED', row: { id: 'same-op', version: 1 } });
      const [count] = await sql`select count(*)::int as n from todo_item where id = 'same-op'`;
      expect(count?.n).toBe(1);
    } finally {
      await reserved`rollback`.catch(() => undefined);
      reserved.release();
    }
  });

  it('lets exactly one of two concurrent updates of the same version win', async () => {
    await push(gateway, [todo('INSERT', 'race', { data: { text: 'v1' } })]);
    const outcomes = await Promise.all([
      push(gateway, [todo('UPDATE', 'race', { version: 1, data: { text: 'phone' } })]),
      push(gateway, [todo('UPDATE', 'race', { version: 1, data: { text: 'tablet' } })]),
    ]);
    const statuses = outcomes.map(([outcome]) => outcome?.status).sort();
    expect(statuses).toEqual(['APPLIED', 'CONFLICT']);
    const [row] = await sql`select version, text from todo_item where id = 'race'`;
    const winner = outcomes.find(([outcome]) => outcome?.status === 'APPLIED')?.[0];
    expect(row).toEqual({ version: 2, text: winner?.row?.text });
  });
});
