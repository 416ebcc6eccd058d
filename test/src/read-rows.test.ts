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
    await database.readRows(query, values, (row) => rows.push([row.integer(0), row.text(1)]));
    return rows;
  }

  it('hands every row over in order, each column as its reader asks', async () => {
    const rows = await rowsOf(NUMBERS, { label: 'row ' });
    expect(rows).toHaveLength(5000);
    expect(rows.map((row) => row[0])).toEqual(Array.from({ length: 5000 }, (_, n) => n + 1));
    expect(rows[41]?.[1]).toBe('row 42');
  });

  it('takes any text as a value, quotes and dollars included', async () => {
    // On Postgres the values are written into the statement (a COPY takes no parameters).
    for (const label of ["it's ", 'back\\slash ', '$1 ', "'); drop table x; --", 'é ✓ ']) {
      const rows = await rowsOf(NUMBERS, { label });
      expect(rows[0]?.[1]).toBe(`${label}1`);
    }
  });

  it('reads text as UTF-8 bytes, and integers exactly', async () => {
    const typed = render(
      sql`select 9007199254740993::bigint, 'é ✓'::text, null::text, 7::int, -5::bigint, ${sql.placeholder('xid')}::xid8`,
    );
    const rows: unknown[][] = [];
    await database.readRows(typed, { xid: '4294967302' }, (row) => {
      const utf8 = row.utf8(1);
      rows.push([
        row.integer(0),
        typeof utf8 === 'string' ? utf8 : Buffer.from(utf8 ?? []).toString(),
        row.utf8(2),
        row.text(2),
        row.integer(3),
        row.integer(4),
        row.integer(5),
      ]);
    });
    expect(rows).toEqual([[9007199254740993n, 'é ✓', null, null, 7, -5, 4294967302]]);
  });

  it('reads rows larger than what the connection reads at a time', async () => {
    const large = render(
      sql`select n, repeat(${sql.placeholder('text')}, 100000 * n) from generate_series(1, 3) as n`,
    );
    const lengths: unknown[] = [];
    await database.readRows(large, { text: 'ab' }, (row) => lengths.push(row.text(1)?.length));
    expect(lengths).toEqual([200_000, 400_000, 600_000]);
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

describe.each(postgresKinds)('readRows bytes on $name', (kind) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await kind.create();
  });
  afterAll(() => test.drop());

  it('hands text over as the bytes Postgres sent, valid during the call', async () => {
    const rows: Uint8Array[] = [];
    await test.database.readRows(NUMBERS, { label: 'row ' }, (row) => {
      const bytes = row.utf8(1);
      if (typeof bytes === 'string') throw new Error('text, not bytes');
      rows.push(Uint8Array.from(bytes ?? []));
    });
    expect(Buffer.from(rows[41] ?? []).toString()).toBe('row 42');
  });

  it('reads a statement whose values cannot be written in, as an ordinary query', async () => {
    // A value other than text, a number or a boolean is left to node-postgres.
    const at = render(
      sql`select 1, ${sql.placeholder('at')}::timestamptz, ${sql.placeholder('at')}::timestamptz at time zone 'UTC', 'infinity'::timestamptz`,
    );
    const rows: unknown[][] = [];
    const moment = new Date('2026-12-01T10:00:00.123Z');
    await test.database.readRows(at, { at: moment }, (row) =>
      rows.push([row.integer(0), row.timestamp(1), row.timestamp(2), row.timestamp(3)]),
    );
    const ms = moment.getTime();
    expect(rows).toEqual([[1, ms, ms, Number.POSITIVE_INFINITY]]);
  });
});
