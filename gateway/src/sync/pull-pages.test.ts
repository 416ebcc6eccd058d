import { exampleTables } from '@syncline/schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY, openDatabase, type SyncDatabase } from '../db/database';
import { exampleMigrations } from '../db/migrations';
import { applyOperations } from './apply';
import type { PullCursor } from './cursor';
import { type Where, whereToSql } from './filter';
import { lastPage, type PulledPage, pullChanges } from './pull';
import { pullProjection } from './pull-projection';
import type { PullRequest } from './pull-statement';
import { type ServedTable, serveTables } from './tables';
import type { WriteOperation } from './write-operation';

type Rows = Record<string, unknown>[];
const START: PullCursor = { seen: null, upto: null, after: null };

describe('several pages in one pull', () => {
  let database: SyncDatabase;
  let todo: ServedTable;
  let ops = 0;
  const write = (operations: Omit<WriteOperation, 'served' | 'opId' | 'dataField'>[]) =>
    applyOperations(
      database.db,
      {
        userId: 'alice',
        servedTables: new Map(serveTables(exampleTables).map((s) => [s.table, s])),
        logger: pino({ level: 'silent' }),
      },
      operations.map((op) => ({ ...op, served: todo, opId: `op-${++ops}`, dataField: 'data' })),
    );
  const request = (cursor: PullCursor, limit: number, pages: number, where?: Where) => {
    const condition = where && whereToSql(todo, where);
    const filter = condition && { sql: condition, key: JSON.stringify(where) };
    return {
      served: todo,
      projection: pullProjection(todo),
      userId: 'alice',
      cursor,
      limit,
      pages,
      where: filter,
    } satisfies PullRequest<Rows>;
  };
  const pull = async (...args: Parameters<typeof request>) => {
    const result = await pullChanges(database, request(...args));
    if (result.status !== 'ok') throw new Error('the pull expired');
    return result.pages;
  };
  /** The same window one page a pull: what each page of a pull of several must equal. */
  const onePageEach = async (cursor: PullCursor, limit: number, count: number, where?: Where) => {
    const pages: PulledPage<Rows>[] = [];
    let at = cursor;
    while (pages.length < count) {
      const [page] = await pull(at, limit, 1, where);
      if (!page) throw new Error('a pull without a page');
      pages.push(page);
      if (!page.hasMore) break;
      at = page.cursor;
    }
    return pages;
  };

  beforeAll(async () => {
    database = await openDatabase({ dataDir: MEMORY });
    await database.migrate(exampleMigrations);
    todo = serveTables(exampleTables)[0] as ServedTable;
    await write(
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => ({
        kind: 'INSERT' as const,
        id,
        version: undefined,
        data: { text: 'open' },
      })),
    );
  });
  afterAll(() => database.close());

  it('cuts the window into the pages that pulls of one page give, cursors included', async () => {
    const pages = await pull(START, 2, 3);
    expect(pages.map((page) => [page.rows.map((row) => row.id), page.hasMore])).toEqual([
      [['a', 'b'], true],
      [['c', 'd'], true],
      [['e', 'f'], true],
    ]);
    expect(pages).toEqual(await onePageEach(START, 2, 3));
    // The rest of the window: one page, the last, and then nothing.
    const rest = await pull(lastPage(pages).cursor, 2, 3);
    expect(rest.map((page) => [page.rows.map((row) => row.id), page.hasMore])).toEqual([
      [['g'], false],
    ]);
    const none = await pull(lastPage(rest).cursor, 2, 3);
    expect(none.map((page) => [page.rows, page.movedOut, page.hasMore])).toEqual([[[], [], false]]);
  });

  it('stops at the page where the window ends, even when it ends on a page boundary', async () => {
    const shape = (pages: PulledPage<Rows>[]) =>
      pages.map((page) => [page.rows.length, page.hasMore, page.cursor.after === null]);
    expect(shape(await pull(START, 3, 5))).toEqual([
      [3, true, false],
      [3, true, false],
      [1, false, true],
    ]);
    expect(shape(await pull(START, 7, 3))).toEqual([[7, false, true]]);
    const sevenOfOne = await pull(START, 1, 7);
    expect(shape(sevenOfOne).at(-1)).toEqual([1, false, true]);
    expect(sevenOfOne).toEqual(await onePageEach(START, 1, 7));
  });

  it('counts ids that left the query as items of their page', async () => {
    const open: Where = { text: { eq: 'open' } };
    const cursor = lastPage(await pull(START, 10, 1, open)).cursor;
    await write([
      { kind: 'UPDATE', id: 'b', version: 1, data: { text: 'done' } },
      { kind: 'UPDATE', id: 'c', version: 1, data: { complete: true } },
      { kind: 'UPDATE', id: 'e', version: 1, data: { text: 'done' } },
      { kind: 'DELETE', id: 'f', version: 1, data: {} },
    ]);
    const pages = await pull(cursor, 1, 3, open);
    expect(pages.map((page) => [page.rows.map((row) => row.id), page.movedOut])).toEqual([
      [[], ['b']],
      [['c'], []],
      [[], ['e']],
    ]);
    expect(pages).toEqual(await onePageEach(cursor, 1, 3, open));
    const rest = await pull(lastPage(pages).cursor, 1, 3, open);
    expect(rest.map((page) => [page.rows.map((row) => row.id), page.hasMore])).toEqual([
      [['f'], false],
    ]);
  });
});
