import { syncTable } from '@syncline/schema';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  integer,
  json,
  jsonb,
  real,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, type TestDatabase } from './support/databases';
import { startGateway, type TestGateway } from './support/gateway-client';
import { newOpId, type PushResult } from './support/sync-calls';

/**
 * A batch of updates travels to Postgres as one list per column, every value as text cast
 * to its column's type (`gateway/src/sync/bulk-changes.ts`). Each value must land exactly
 * as the same update sent alone stores it (one statement, a parameter per value): the
 * twin of every row is updated one request at a time and the two are compared, column by
 * column, as Postgres prints them.
 */
const kinds = syncTable('kinds', {
  words: text('words').notNull(),
  short: varchar('short', { length: 8 }),
  ref: uuid('ref'),
  whole: integer('whole'),
  big: bigint('big', { mode: 'number' }),
  single: real('single'),
  double: doublePrecision('double'),
  yes: boolean('yes'),
  stamp: timestamp('stamp', { withTimezone: true, precision: 3 }),
  wall: timestamp('wall', { precision: 3 }),
  wallText: timestamp('wall_text', { precision: 3, mode: 'string' }),
  tree: jsonb('tree'),
  plain: json('plain'),
});

const DDL = `create table kinds (
  id text primary key, version integer default 1 not null,
  created_at timestamp(3) with time zone default now() not null,
  updated_at timestamp(3) with time zone default now() not null,
  deleted boolean default false not null,
  change_txid xid8 default pg_current_xact_id() not null,
  change_seq bigint default nextval('syncline_change_seq') not null,
  words text not null, short varchar(8), ref uuid, whole integer, big bigint, single real,
  double double precision, yes boolean, stamp timestamp(3) with time zone,
  wall timestamp(3), wall_text timestamp(3), tree jsonb, plain json);
create table kinds_updates (statements integer not null);
insert into kinds_updates values (0);
create function count_kinds_update() returns trigger language plpgsql
  as $$ begin update kinds_updates set statements = statements + 1; return null; end $$;
create trigger kinds_update after update on kinds
  for each statement execute function count_kinds_update()`;

/** What each update sets: text a list literal could break, extremes, nulls, JSON of every shape. */
const UPDATES: Record<string, unknown>[] = [
  { words: 'quote " backslash \\ braces {a,b} comma, NULL', short: 'NULL', yes: false },
  { words: 'NULL', tree: 'NULL', plain: ['NULL', null, '{}'] },
  { words: '', short: '', whole: 2147483647, big: 9007199254740991, double: 0.30000000000000004 },
  { words: 'line\nbreak\ttab é 漢 🎉', single: 1.1, double: 1e-7, whole: -2147483648 },
  { words: 'nulls', short: null, ref: null, whole: null, big: null, yes: null, tree: null },
  { words: 'times', stamp: '2026-05-01T08:30:00.123Z', wall: '2026-05-01T08:30:00.5Z' },
  {
    words: 'text time',
    wallText: '2026-05-01T08:30:00.000Z',
    ref: 'c0a80164-0000-4000-8000-000000000001',
  },
  { words: 'json', tree: { a: [1, 'x"y\\z'], b: null, c: { d: true } }, plain: 1e300 },
  { words: 'more json', tree: [], plain: { ' spaced ': 'é' }, yes: true },
  { words: 'zero', double: -0, single: 0, big: -5 },
  // Only some fields: the others keep what they had.
  { whole: 7 },
];

const COLUMNS = [
  'version',
  'deleted',
  'words',
  'short',
  'ref',
  'whole',
  'big',
  'single',
  'double',
  'yes',
  'stamp',
  'wall',
  'wall_text',
  'tree',
  'plain',
];

for (const kind of databaseKinds) {
  describe(`a batch of updates on ${kind.name}`, () => {
    let db: TestDatabase;
    let gateway: TestGateway;
    beforeAll(async () => {
      db = await kind.create();
      for (const statement of DDL.split(';\n')) await db.database.db.execute(sql.raw(statement));
      gateway = await startGateway(db.database, { tables: [kinds] });
    });
    afterAll(() => db.drop());

    /** Pushes as the kinds table's client would; the outcomes without their rows. */
    const push = async (operations: object[]) =>
      (
        await gateway.data<{ push: PushResult[] }>(
          `mutation Push($operations: [PushOperation!]!) {
            push(operations: $operations) { opId status code message }
          }`,
          { operations },
        )
      ).push;
    const op = (kind: 'INSERT' | 'UPDATE', id: string, data: object, version?: number) => ({
      kinds: { opId: newOpId(), kind, id, data, ...(version === undefined ? {} : { version }) },
    });

    /** UPDATE statements run on the table so far (a statement-level trigger counts them). */
    async function updateStatements() {
      const { rows } = (await db.database.db.execute(
        sql.raw('select statements from kinds_updates'),
      )) as unknown as { rows: { statements: number }[] };
      return rows[0]?.statements;
    }

    /** Each column of a row as Postgres prints it, but its id and change position. */
    async function stored(id: string) {
      const columns = COLUMNS.map((column) => `${column}::text as ${column}`).join(', ');
      const { rows } = (await db.database.db.execute(
        sql`select ${sql.raw(columns)} from kinds where id = ${id}`,
      )) as unknown as { rows: Record<string, string | null>[] };
      return rows[0];
    }

    it('stores every value as the same update alone does', async () => {
      const start = {
        words: 'start',
        short: 'short',
        ref: 'c0a80164-0000-4000-8000-00000000000f',
        whole: 1,
        big: 1,
        single: 1,
        double: 1,
        yes: true,
        stamp: '2026-01-01T00:00:00.000Z',
        wall: '2026-01-01T00:00:00.000Z',
        wallText: '2026-01-01T00:00:00.000Z',
        tree: { start: true },
        plain: { start: true },
      };
      const inserts = UPDATES.flatMap((_, index) => [
        op('INSERT', `bulk-${index}`, start),
        op('INSERT', `alone-${index}`, start),
      ]);
      expect((await push(inserts)).map((outcome) => outcome.status)).toEqual(
        inserts.map(() => 'APPLIED'),
      );

      const before = await updateStatements();
      const inBulk = await push(
        UPDATES.map((data, index) => op('UPDATE', `bulk-${index}`, data, 1)),
      );
      // One statement for the batch: the bulk path, not the one with a savepoint per operation.
      expect(await updateStatements()).toBe((before ?? 0) + 1);
      const alone = [];
      for (const [index, data] of UPDATES.entries()) {
        alone.push(...(await push([op('UPDATE', `alone-${index}`, data, 1)])));
      }
      const status = (outcome: { status: string; code?: string | null }) =>
        `${outcome.status} ${outcome.code ?? ''}`;
      expect(inBulk.map(status)).toEqual(alone.map(status));
      expect(inBulk.every((outcome) => outcome.status === 'APPLIED')).toBe(true);

      for (const index of UPDATES.keys()) {
        const [bulkRow, aloneRow] = [await stored(`bulk-${index}`), await stored(`alone-${index}`)];
        expect(bulkRow, `update ${index}`).toEqual(aloneRow);
      }
      // And what they hold is what was sent.
      expect(await stored('bulk-0')).toMatchObject({
        words: 'quote " backslash \\ braces {a,b} comma, NULL',
        short: 'NULL',
        yes: 'false',
      });
      expect(await stored('bulk-1')).toMatchObject({
        words: 'NULL',
        tree: '"NULL"',
        plain: '["NULL",null,"{}"]',
      });
      expect(await stored('bulk-4')).toMatchObject({ short: null, whole: null, tree: null });
      expect(await stored('bulk-10')).toMatchObject({ whole: '7', words: 'start', version: '2' });
    });

    it('refuses a value its column cannot hold, as alone, and applies the others', async () => {
      const start = { words: 'start', short: 'short' };
      await push([op('INSERT', 'refused-bulk', start), op('INSERT', 'fine-bulk', start)]);
      await push([op('INSERT', 'refused-alone', start)]);
      const outcomes = await push([
        op('UPDATE', 'refused-bulk', { short: 'nine char' }, 1),
        op('UPDATE', 'fine-bulk', { short: 'fine' }, 1),
      ]);
      const [alone] = await push([op('UPDATE', 'refused-alone', { short: 'nine char' }, 1)]);
      expect(outcomes.map((outcome) => [outcome.status, outcome.code])).toEqual([
        [alone?.status, alone?.code],
        ['APPLIED', null],
      ]);
      expect(alone?.status).toBe('REJECTED');
      expect(await stored('refused-bulk')).toEqual(await stored('refused-alone'));
      expect(await stored('fine-bulk')).toMatchObject({ short: 'fine', version: '2' });
    });
  });
}
