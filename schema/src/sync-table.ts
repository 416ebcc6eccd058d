import type { BuildColumns } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  type PgColumn,
  type PgColumnBuilderBase,
  type PgTableWithColumns,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { SyncTableHooks } from './hooks';
import { SYNC_INFO, SYSTEM_COLUMNS, type SyncTableInfo, type TableAccess } from './sync-table-info';

export type { SyncTableInfo, TableAccess } from './sync-table-info';
export { getSyncTableInfo, SYSTEM_COLUMNS } from './sync-table-info';

export interface SyncTableOptions<TColumnKey extends string = string> {
  /** Column holding the user id; rows are then private to that user, who is set by the server. */
  owner?: TColumnKey;
  /** `read`: reference data that clients only pull; `write`: command rows that clients only push. */
  access?: TableAccess;
  /** Server-side hooks that run inside the write's transaction. */
  hooks?: SyncTableHooks;
}

/** The sequence that orders writes inside one transaction. */
export const CHANGE_SEQUENCE = 'syncline_change_seq';

/** PostgreSQL's 64-bit transaction id; drivers hand it over as a decimal string. */
const xid8 = customType<{ data: string; driverData: string }>({
  dataType: () => 'xid8',
});

declare const ownerBrand: unique symbol;

/** Type-level only: the key of a table's owner column, which clients never write. */
export interface OwnedBy<TOwner extends string> {
  readonly [ownerBrand]?: TOwner;
}

function systemColumns() {
  return {
    id: text('id').primaryKey(),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    deleted: boolean('deleted').notNull().default(false),
    /** Change position, part 1: the writing transaction (`pg_current_xact_id()`). */
    changeTxid: xid8('change_txid').notNull().default(sql`pg_current_xact_id()`),
    /** Change position, part 2: the order of writes inside that transaction. */
    changeSeq: bigint('change_seq', { mode: 'number' })
      .notNull()
      .default(sql.raw(`nextval('${CHANGE_SEQUENCE}')`)),
  };
}

/** The system columns' builders, as `syncTable` adds them to every table. */
export type SystemColumnBuilders = ReturnType<typeof systemColumns>;

/**
 * What `syncTable()` returns: a Drizzle table with the system columns and the app's, and the
 * owner column's key (type-level only). Written out, so that declarations stay portable.
 */
export type SyncTableOf<
  TColumns extends Record<string, PgColumnBuilderBase>,
  TOwner extends string = never,
> = PgTableWithColumns<{
  name: string;
  schema: undefined;
  columns: BuildColumns<string, SystemColumnBuilders & TColumns, 'pg'>;
  dialect: 'pg';
}> &
  OwnedBy<TOwner>;

function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Declares a synced table: the app's columns plus the system columns, as a Drizzle
 * table that drizzle-kit migrates and the gateway serves.
 */
export function syncTable<
  TName extends string,
  TColumns extends Record<string, PgColumnBuilderBase>,
  TOwner extends Extract<keyof TColumns, string> = never,
>(
  name: TName,
  columns: TColumns,
  options: SyncTableOptions<Extract<keyof TColumns, string>> & { owner?: TOwner } = {},
): SyncTableOf<TColumns, TOwner> {
  if (!/^[a-z][A-Za-z0-9]*$/.test(name)) {
    throw new Error(`syncTable: name "${name}" must be camelCase letters and digits`);
  }
  for (const key of Object.keys(columns)) {
    if ((SYSTEM_COLUMNS as readonly string[]).includes(key)) {
      throw new Error(`syncTable ${name}: column "${key}" is a system column`);
    }
  }
  if (options.owner !== undefined && !(options.owner in columns)) {
    throw new Error(`syncTable ${name}: owner "${options.owner}" is not one of its columns`);
  }
  const sqlName = snakeCase(name);
  const table = pgTable(sqlName, { ...systemColumns(), ...columns }, (t) => {
    const byChange = index(`${sqlName}_change_idx`).on(t.changeTxid, t.changeSeq);
    if (options.owner === undefined) return [byChange];
    // Owned tables are always pulled per owner: that index serves those pulls.
    const owner = (t as unknown as Record<string, PgColumn>)[options.owner] as PgColumn;
    return [byChange, index(`${sqlName}_owner_change_idx`).on(owner, t.changeTxid, t.changeSeq)];
  });
  const info: SyncTableInfo = {
    name,
    owner: options.owner,
    access: options.access ?? 'read-write',
    hooks: options.hooks ?? {},
    dataColumns: Object.keys(columns).filter((key) => key !== options.owner),
  };
  return Object.assign(table, { [SYNC_INFO]: info }) as SyncTableOf<TColumns, TOwner>;
}

export type SyncTable = ReturnType<typeof syncTable>;
