import { syncTable } from '@syncline/schema';
import {
  bigint,
  boolean,
  doublePrecision,
  integer,
  json,
  jsonb,
  real,
  smallint,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { createYoga } from 'graphql-yoga';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY, openDatabase, type SyncDatabase } from '../db/database';
import { exampleMigrations } from '../db/migrations';
import { ChangeHub } from '../sync/change-hub';
import { serveTables } from '../sync/tables';
import { useCompiledPulls } from './compiled-pulls';
import { createSchema } from './create-schema';
import { DEFAULT_LIMITS } from './limits';

/** Every kind of column a sync table may have, nullable and not. */
const sample = syncTable('sample', {
  label: text('label').notNull(),
  note: varchar('note', { length: 200 }),
  ref: uuid('ref'),
  count: integer('count').notNull(),
  small: smallint('small'),
  big: bigint('big', { mode: 'number' }),
  ratio: real('ratio'),
  amount: doublePrecision('amount').notNull(),
  flag: boolean('flag'),
  localTime: timestamp('local_time', { precision: 3 }),
  at: timestamp('at', { withTimezone: true }),
  doc: jsonb('doc'),
  raw: json('raw'),
  required: jsonb('required').notNull(),
});

const DDL = `create table sample (
  id text primary key, version integer default 1 not null,
  created_at timestamp(3) with time zone default now() not null,
  updated_at timestamp(3) with time zone default now() not null,
  deleted boolean default false not null,
  change_txid xid8 default pg_current_xact_id() not null,
  change_seq bigint default nextval('syncline_change_seq') not null,
  label text not null, note varchar(200), ref uuid, count integer not null, small smallint,
  big bigint, ratio real, amount double precision not null, flag boolean,
  local_time timestamp(3), at timestamp with time zone, doc jsonb, raw json,
  required jsonb not null)`;

const COLUMNS =
  'id, label, note, ref, count, small, big, ratio, amount, flag, local_time, at, doc, raw, required';

/** Values a JSON writer can get wrong: escapes, non-ASCII, extremes, nulls. */
const ROWS = [
  `'a', E'He said "hi" \\\\ back\\n\\ttab \\u0001 \\u001f é 漢 🎉', null, 'c0a80164-0000-4000-8000-000000000001', 2147483647, -32768, 9007199254740993, 1.1, 0.30000000000000004, true, '2026-05-01 08:30:00.5', '2026-05-01 08:30:00.123456+02', '{"a": [1, "x\\"y"], "b": null, "é": 1e300}', ' {"z": 1, "z": 2} ', '[]'`,
  `'b', '', '', null, -2147483648, null, -5, -0.5, -0, false, null, '0001-01-01 00:00:00+00', 'null', 'null', '"text"'`,
  `'c', '</script>', 'x', null, 0, 1, null, null, 1e300, null, '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999+00', '1', null, '{}'`,
];

/**
 * Values no JSON holds as their scalar would (NaN, infinities, a JSON null in a non-null
 * field, years outside 1 to 9999): the compiled path leaves them to GraphQL, which answers
 * them as it always has (an error for most, its own text for a year it can read).
 */
const UNWRITABLE = [
  `'d', 'nan', null, null, 1, null, null, null, 'NaN', null, null, null, null, null, '{}'`,
  `'e', 'infinite', null, null, 1, null, null, 'Infinity', 1, null, null, null, null, null, '{}'`,
  `'f', 'far future', null, null, 1, null, null, null, 1, null, null, '10000-01-01 00:00:00+00', null, null, '{}'`,
  `'g', 'long ago', null, null, 1, null, null, null, 1, null, '0044-03-15 12:00:00 BC', null, null, null, '{}'`,
  `'i', 'endless', null, null, 1, null, null, null, 1, null, null, 'infinity', null, null, '{}'`,
  `'h', 'json null', null, null, 1, null, null, null, 1, null, null, null, null, null, 'null'`,
];

const ALL_FIELDS = `id version createdAt updatedAt deleted label note ref count small big ratio amount
  flag localTime at doc raw required`;

/** A database the values are read from: PGlite, and the Postgres server of DATABASE_URL if set. */
interface ValuesDatabase {
  name: string;
  open(): Promise<{ database: SyncDatabase; drop(): Promise<void> }>;
}

const serverUrl = process.env.DATABASE_URL;
const kinds: ValuesDatabase[] = [
  {
    name: 'pglite',
    async open() {
      const database = await openDatabase({ dataDir: MEMORY });
      return { database, drop: () => database.close() };
    },
  },
  ...(serverUrl
    ? [
        {
          name: 'postgres',
          async open() {
            const name = `syncline_values_${process.pid}_${Date.now()}`;
            const admin = new pg.Client({ connectionString: serverUrl });
            await admin.connect();
            await admin.query(`create database ${name}`);
            const url = new URL(serverUrl);
            url.pathname = `/${name}`;
            const database = await openDatabase({ url: url.toString() });
            return {
              database,
              async drop() {
                await database.close();
                await admin.query(`drop database if exists ${name} with (force)`);
                await admin.end();
              },
            };
          },
        },
      ]
    : []),
];

/** Runs statements as they are, on either database. */
function execute(database: SyncDatabase, statements: string): Promise<unknown> {
  const client = (database.db as unknown as { $client: object }).$client;
  return database.kind === 'pglite'
    ? (client as { exec(sql: string): Promise<unknown> }).exec(statements)
    : (client as pg.Pool).query(statements);
}

describe.each(kinds)('pull values on $name', (kind) => {
  let database: SyncDatabase;
  let drop: () => Promise<void>;
  /** What the tests ask of a Yoga instance. */
  type Answerer = { fetch(url: string, init: RequestInit): Promise<Response> | Response };
  let yogas: { plain: Answerer; compiled: Answerer };
  const paths: string[] = [];

  async function ask(
    yoga: Answerer,
    query: string,
    accept?: string,
  ): Promise<{ status: number; type: string | null; body: unknown }> {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
      body: JSON.stringify({ query }),
    });
    const text = await response.text();
    const type = response.headers.get('content-type');
    return {
      status: response.status,
      type,
      body: type?.includes('json') ? JSON.parse(text) : text,
    };
  }

  beforeAll(async () => {
    ({ database, drop } = await kind.open());
    await database.migrate(exampleMigrations);
    await execute(database, DDL);
    await execute(
      database,
      `insert into sample (${COLUMNS}) values ${ROWS.map((row) => `(${row})`).join(', ')}`,
    );
    const schema = createSchema({
      tables: serveTables([sample]),
      db: database.db,
      readRows: database.readRows,
      hub: new ChangeHub(database, () => {}),
      limits: DEFAULT_LIMITS,
      logger: pino({ level: 'silent' }),
    });
    const context = () => ({ userId: 'alice' });
    const compiled = useCompiledPulls({ onPull: (field, path) => paths.push(`${field}:${path}`) });
    yogas = {
      plain: createYoga({ schema, context, logging: false }),
      compiled: createYoga({ schema, context, logging: false, plugins: [compiled] }),
    };
  });
  afterAll(() => drop());

  it('answers every kind of value exactly as GraphQL does, on the compiled path', async () => {
    paths.length = 0;
    const query = `{ pullSamples { rows { ${ALL_FIELDS} } cursor hasMore movedOut } }`;
    const expected = await ask(yogas.plain, query);
    expect(expected.status).toBe(200);
    const rows = (expected.body as { data: { pullSamples: { rows: Record<string, unknown>[] } } })
      .data.pullSamples.rows;
    expect(rows.map((row) => row.id)).toEqual(['a', 'b', 'c']);
    expect(rows[0]).toMatchObject({
      label: 'He said "hi" \\ back\n\ttab \u0001 \u001f é 漢 🎉',
      at: '2026-05-01T06:30:00.123Z',
      localTime: '2026-05-01T08:30:00.500Z',
      doc: { a: [1, 'x"y'], b: null, é: 1e300 },
    });
    expect(rows[1]).toMatchObject({ amount: 0, doc: null, raw: null, required: 'text' });
    expect(await ask(yogas.compiled, query)).toEqual(expected);
    expect(paths).toEqual(['pullSamples:compiled']);
  });

  it('writes timestamps wherever a selection puts them: first, last, side by side, alone', async () => {
    const selections = [
      'at createdAt id localTime',
      'id label at',
      'updatedAt',
      'localTime at updatedAt',
      'first: at second: at',
    ];
    for (const selection of selections) {
      paths.length = 0;
      const query = `{ pullSamples { rows { ${selection} } } }`;
      const expected = await ask(yogas.plain, query);
      expect(expected.status, selection).toBe(200);
      expect(await ask(yogas.compiled, query), selection).toEqual(expected);
      expect(paths, selection).toEqual(['pullSamples:compiled']);
    }
  });

  it('sends the same bytes under the same media type, whatever the client accepts', async () => {
    const query = `{ p: pullSamples(limit: 2) { more: hasMore rows { ref n: note label } c: cursor } }`;
    const accepts = [
      undefined,
      '*/*',
      'application/json',
      'application/graphql-response+json',
      // urql's
      'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
      'text/event-stream',
      'application/json;q=0.5, application/graphql-response+json',
      'application/json; charset=latin1',
    ];
    for (const accept of accepts) {
      const expected = await ask(yogas.plain, query, accept);
      const answered = await ask(yogas.compiled, query, accept);
      expect(answered, accept).toEqual(expected);
    }
  });

  it('leaves a value it cannot write to GraphQL, which answers it', async () => {
    for (const row of UNWRITABLE) {
      await execute(database, `insert into sample (${COLUMNS}) values (${row})`);
      paths.length = 0;
      const query = `{ pullSamples { rows { ${ALL_FIELDS} } } }`;
      const expected = await ask(yogas.plain, query);
      const answered = await ask(yogas.compiled, query);
      expect(answered, row).toEqual(expected);
      if (/NaN|Infinity|'null'/.test(row)) {
        expect((expected.body as { errors?: unknown[] }).errors, row).toHaveLength(1);
      }
      expect(paths, row).toEqual(['pullSamples:graphql']);
      await execute(database, `delete from sample where id = ${row.split(',')[0]}`);
    }
  });
});
