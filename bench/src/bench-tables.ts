import { getSyncTableInfo, syncTable } from '@syncline/schema';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { integer, text } from 'drizzle-orm/pg-core';

/**
 * The benchmarks' own sync tables, so that the example model stays untouched. Every one has
 * the same columns: about 200 bytes of data a row (three texts of 40, 120 and 12 characters
 * and two integers) besides the system fields.
 */
function benchTable<TName extends string>(name: TName) {
  return syncTable(name, {
    title: text('title').notNull(),
    body: text('body').notNull(),
    category: text('category').notNull(),
    score: integer('score').notNull(),
    quantity: integer('quantity').notNull(),
  });
}

/** 100k rows: initial pull, push, the browser benchmarks. */
export const benchRow = benchTable('benchRow');
/** 10k rows: the incremental pull's baseline and the concurrent pulls. */
export const benchSmall = benchTable('benchSmall');
/** Rows of `benchLarge`. */
export const LARGE_ROWS = 1_000_000;

/** 1M rows: the incremental pull, the browser's large first sync. */
export const benchLarge = benchTable('benchLarge');

/**
 * Rows private to their user (the owner column is set by the gateway): the load test's,
 * where each user's devices sync their own rows and hints reach that user's devices only.
 */
export const benchOwned = syncTable(
  'benchOwned',
  {
    title: text('title').notNull(),
    body: text('body').notNull(),
    category: text('category').notNull(),
    score: integer('score').notNull(),
    quantity: integer('quantity').notNull(),
    userId: text('user_id').notNull(),
  },
  { owner: 'userId' },
);

export const benchTables = [benchRow, benchSmall, benchLarge, benchOwned];

export type BenchTableName = 'benchRow' | 'benchSmall' | 'benchLarge';

/**
 * The DDL drizzle-kit generates for a sync table (compare `gateway/drizzle/0000_init.sql`).
 * Written out because the gateway's migrations are files generated for the example model.
 * An owned table (`benchOwned`) gets its owner column and the index its pulls use.
 */
export function createTableSql(sqlName: string): string[] {
  const table = benchTables.find((each) => getTableName(each) === sqlName);
  const ownerKey = table ? getSyncTableInfo(table)?.owner : undefined;
  const columns: Record<string, { name: string }> = table ? getTableColumns(table) : {};
  const owner = ownerKey ? columns[ownerKey]?.name : undefined;
  return [
    `create table "${sqlName}" (
      "id" text primary key not null,
      "version" integer default 1 not null,
      "created_at" timestamp (3) with time zone default now() not null,
      "updated_at" timestamp (3) with time zone default now() not null,
      "deleted" boolean default false not null,
      "change_txid" xid8 default pg_current_xact_id() not null,
      "change_seq" bigint default nextval('syncline_change_seq') not null,
      "title" text not null,
      "body" text not null,
      "category" text not null,
      "score" integer not null,
      "quantity" integer not null${owner ? `,\n      "${owner}" text not null` : ''}
    )`,
    `create index "${sqlName}_change_idx" on "${sqlName}" using btree ("change_txid", "change_seq")`,
    ...(owner
      ? [
          `create index "${sqlName}_owner_change_idx" on "${sqlName}" using btree ("${owner}", "change_txid", "change_seq")`,
        ]
      : []),
  ];
}

/**
 * Seeds `count` rows in one statement. The system columns take their defaults, so the rows
 * get the change positions an insert through the gateway would give them (one transaction,
 * increasing sequence). Ids sort in insertion order: `r0000001`, `r0000002`, ...
 */
export function seedSql(sqlName: string, count: number): string {
  return `insert into "${sqlName}" (id, title, body, category, score, quantity)
    select 'r' || lpad(n::text, 7, '0'),
      rpad('Title ' || n, 40, '.'),
      rpad('Body of row ' || n || ': ', 120, 'lorem ipsum '),
      'category-' || lpad((n % 100)::text, 3, '0'),
      n % 1000,
      n % 7
    from generate_series(1, ${count}) as n`;
}

export function rowId(n: number): string {
  return `r${String(n).padStart(7, '0')}`;
}
