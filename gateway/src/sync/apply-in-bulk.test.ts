import { exampleTables } from '@syncline/schema';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY, openDatabase, rowsOf, type SyncDatabase } from '../db/database';
import { exampleMigrations } from '../db/migrations';
import { applyOperations } from './apply';
import { applyInBulk } from './apply-in-bulk';
import { lastPage, pullChanges } from './pull';
import { pullProjection } from './pull-projection';
import { type ServedTable, serveTables } from './tables';
import type { WriteOperation } from './write-operation';

describe('a batch applied in bulk', () => {
  let database: SyncDatabase;
  let todo: ServedTable;
  const context = () => ({
    userId: 'alice',
    servedTables: new Map(serveTables(exampleTables).map((s) => [s.table, s])),
    logger: pino({ level: 'silent' }),
  });
  const op = (
    opId: string,
    kind: WriteOperation['kind'],
    id: string,
    version?: number,
    data = {},
  ) =>
    ({ served: todo, opId, kind, id, version, data, dataField: 'data' }) satisfies WriteOperation;
  const apply = (operations: WriteOperation[]) =>
    applyOperations(database.db, context(), operations);
  /** The bulk path alone: null when it gave the batch up (the savepoint path then runs). */
  const bulk = (operations: WriteOperation[]) => applyInBulk(database.db, context(), operations);
  /** A batch the bulk path must answer by itself. */
  const applyBulk = async (operations: WriteOperation[]) => {
    const outcomes = await bulk(operations);
    expect(outcomes, 'the bulk path gave the batch up').not.toBeNull();
    return outcomes ?? [];
  };
  const summary = (outcomes: Awaited<ReturnType<typeof apply>>) =>
    outcomes.map((o) => [o.status, o.code, o.row?.version ?? null]);
  const claimsLike = async (pattern: string) =>
    rowsOf<{ op_id: string }>(
      await database.db.execute(
        sql`select op_id from syncline_outcome where op_id like ${pattern} order by op_id`,
      ),
    ).map((row) => row.op_id);

  beforeAll(async () => {
    database = await openDatabase({ dataDir: MEMORY });
    await database.migrate(exampleMigrations);
    todo = serveTables(exampleTables)[0] as ServedTable;
    await database.db.execute(
      sql`alter table todo_item add constraint text_short check (length(text) < 20)`,
    );
    await apply(
      ['a', 'b', 'c', 'd', 'e'].map((id) => op(`i-${id}`, 'INSERT', id, undefined, { text: id })),
    );
    await apply([op('del-e', 'DELETE', 'e', 1)]);
  });
  afterAll(() => database.close());

  it('answers each operation as one at a time would, in the order sent', async () => {
    const first = await pullChanges(database, {
      served: todo,
      projection: pullProjection(todo),
      userId: 'alice',
      cursor: { seen: null, upto: null, after: null },
      limit: 100,
      where: undefined,
    });
    if (first.status !== 'ok') throw new Error('the first pull expired');
    const outcomes = await applyBulk([
      op('u-c', 'UPDATE', 'c', 1, { complete: true }),
      op('u-a', 'UPDATE', 'a', 1, { text: 'A', dueDate: new Date('2026-05-01T08:30:00Z') }),
      op('u-b', 'UPDATE', 'b', 7, { text: 'stale' }),
      op('d-d', 'DELETE', 'd', 1),
      op('d-e', 'DELETE', 'e', 1),
      op('u-e', 'UPDATE', 'e', 2, { text: 'gone' }),
      op('u-x', 'UPDATE', 'x', 1, { text: 'nobody' }),
    ]);
    expect(summary(outcomes)).toEqual([
      ['APPLIED', null, 2],
      ['APPLIED', null, 2],
      ['CONFLICT', 'VERSION_MISMATCH', 1],
      ['APPLIED', null, 2],
      ['APPLIED', null, 2],
      ['CONFLICT', 'DELETED', 2],
      ['CONFLICT', 'NOT_FOUND', null],
    ]);
    expect(outcomes[1]?.row).toMatchObject({ text: 'A', complete: false });
    expect(outcomes[0]?.row).toMatchObject({ text: 'c', complete: true });
    const pulled = await pullChanges(database, {
      served: todo,
      projection: pullProjection(todo),
      userId: 'alice',
      cursor: lastPage(first.pages).cursor,
      limit: 100,
      where: undefined,
    });
    expect(pulled.status === 'ok' && lastPage(pulled.pages).rows.map((row) => row.id)).toEqual([
      'c',
      'a',
      'd',
    ]);
    // Replayed: the first outcomes, nothing written again; the conflicts are evaluated afresh.
    expect(
      summary(
        await applyBulk([
          op('u-c', 'UPDATE', 'c', 1, { complete: false }),
          op('u-b', 'UPDATE', 'b', 1, { text: 'B' }),
        ]),
      ),
    ).toEqual([
      ['APPLIED', null, 2],
      ['APPLIED', null, 2],
    ]);
  });

  it('falls back to a savepoint per operation when the database refuses one', async () => {
    const batch = [
      op('s-a', 'UPDATE', 'a', 2, { text: 'fine' }),
      op('s-b', 'UPDATE', 'b', 2, { text: 'far too long for the rule' }),
      op('s-c', 'UPDATE', 'c', 2, { text: 'also fine' }),
    ];
    // The bulk path gives up, and its transaction leaves nothing behind.
    expect(await bulk(batch)).toBeNull();
    expect(await claimsLike('s-%')).toEqual([]);
    const outcomes = await apply(batch);
    expect(summary(outcomes)).toEqual([
      ['APPLIED', null, 3],
      ['REJECTED', 'CONSTRAINT', null],
      ['APPLIED', null, 3],
    ]);
    expect(await claimsLike('s-%')).toEqual(['s-a', 's-c']);
  });
});
