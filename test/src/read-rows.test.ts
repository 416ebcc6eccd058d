import type { SyncDatabase } from '@syncline/gateway';
import { type Query, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, postgresKinds, type TestDatabase } from './support/databases';

const render = (statement: ReturnType<typeof sql>): Query => new PgDialect().sqlToQuery(statement);

/** 5,000 rows (a number and a text), the text from a placeholder. */
const NUMBERS = render(
  sql`select n, ${sql.placeholder('label')}::text || n from generate_series(1, 5000) as n`,
);
/** Two rows, then a division by zero. */
const FAILING = render(sql`select 10 / (3 - n) from generate_series(1, 5) as n`);

/** An error's message and its causes' (Drizzle wraps PGlite's errors). */
function messages(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause ? `${error.message}; ${messages(error.cause)}` : error.message;
}

/** More reads than the pool has connections: a connection not given back would stall them. */
const MORE_THAN_THE_POOL = 15;

describe.each(databaseKinds)('readRows on $name', (kind) => {
  let test: TestDatabase;
  let database: SyncDatabase;
  beforeAll(async () => {
    test = await kind.create();
    database = test.database;
  });
  afterAll(() => test.drop());

  async function rowsOf(query: Query, values: Record<string, unknown> = {}) {
    const rows: unknown[][] = [];
    await database.readRows(query, values, (row) => rows.push(row));
    return rows;
  }

  it('hands every row over in order, as an array of its columns', async () => {
    const rows = await rowsOf(NUMBERS, { label: 'row ' });
    expect(rows).toHaveLength(5000);
    expect(rows.map((row) => Number(row[0]))).toEqual(
      Array.from({ length: 5000 }, (_, n) => n + 1),
    );
    expect(rows[41]?.[1]).toBe('row 42');
  });

  it("fails with the statement's error, reports it, and goes on serving", async () => {
    const reported: unknown[] = [];
    const stop = database.watchErrors((error) => reported.push(error));
    try {
      for (let attempt = 0; attempt < MORE_THAN_THE_POOL; attempt++) {
        const failure = await rowsOf(FAILING).then(() => undefined, messages);
        expect(failure).toMatch(/division by zero/);
      }
      expect(reported).toHaveLength(MORE_THAN_THE_POOL);
    } finally {
      stop();
    }
    expect(await rowsOf(NUMBERS, { label: '' })).toHaveLength(5000);
  });

  it('hands no more rows to a callback that threw, fails with its error, and goes on serving', async () => {
    const reported: unknown[] = [];
    const stop = database.watchErrors((error) => reported.push(error));
    try {
      for (let attempt = 0; attempt < MORE_THAN_THE_POOL; attempt++) {
        let heard = 0;
        const read = database.readRows(NUMBERS, { label: '' }, () => {
          heard += 1;
          if (heard === 10) throw new Error('the row does not fit');
        });
        await expect(read).rejects.toThrow('the row does not fit');
        expect(heard).toBe(10);
      }
      // The callback's failure is not the database's.
      expect(reported).toEqual([]);
    } finally {
      stop();
    }
    expect(await rowsOf(NUMBERS, { label: '' })).toHaveLength(5000);
  });
});

describe.each(postgresKinds)('readRows values on $name', (kind) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await kind.create();
  });
  afterAll(() => test.drop());

  it('hands values over as the text Postgres sent', async () => {
    // A pull parses the position of its last item only (gateway/src/sync/pull.ts).
    const typed = render(sql`select 9007199254740993::bigint, true, 1.50::numeric, 7::int`);
    const rows: unknown[][] = [];
    await test.database.readRows(typed, {}, (row) => rows.push(row));
    expect(rows).toEqual([['9007199254740993', 't', '1.50', '7']]);
  });
});
