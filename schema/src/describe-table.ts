import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { getSyncTableInfo, SYSTEM_COLUMNS, type TableAccess } from './sync-table-info';

/** How a column's values travel in JSON, and so how the client stores and compares them. */
export type ColumnKind = 'string' | 'int' | 'float' | 'boolean' | 'datetime' | 'json';

const kinds: Record<string, ColumnKind> = {
  PgText: 'string',
  PgVarchar: 'string',
  PgChar: 'string',
  PgUUID: 'string',
  PgInteger: 'int',
  PgSmallInt: 'int',
  PgBigInt53: 'float',
  PgReal: 'float',
  PgDoublePrecision: 'float',
  PgBoolean: 'boolean',
  PgTimestamp: 'datetime',
  PgTimestampString: 'datetime',
  PgJsonb: 'json',
  PgJson: 'json',
};

/** The kind of a Drizzle column; throws, naming the column, for types Syncline does not sync. */
export function columnKind(table: string, key: string, column: PgColumn): ColumnKind {
  const kind = kinds[column.columnType];
  if (!kind) {
    const served = Object.keys(kinds).join(', ');
    throw new Error(
      `${table}.${key}: column type ${column.columnType} is not synced (synced: ${served})`,
    );
  }
  return kind;
}

export interface ColumnDescription {
  key: string;
  kind: ColumnKind;
  /** The column accepts null. */
  nullable: boolean;
  /** An insert must give a value: not null and no default. */
  required: boolean;
  /** The column's default when it is a plain value (not SQL), so a client can apply it offline. */
  default?: string | number | boolean | null;
}

/** A sync table as plain data: what a client needs to store, validate and query its rows. */
export interface TableDescription {
  name: string;
  access: TableAccess;
  owner: string | undefined;
  /** Every field a client sees, system fields first (the change position is not one). */
  fields: readonly string[];
  /** The columns a client writes, in declaration order (no system or owner columns). */
  columns: readonly ColumnDescription[];
}

/**
 * Where Drizzle keeps a table's columns (`getTableColumns` reads the same global symbol):
 * read directly, so that a browser bundle carries none of Drizzle's table code.
 */
export const DRIZZLE_COLUMNS = Symbol.for('drizzle:Columns');

/** Describes a table made by `syncTable()`; throws for any other table. */
export function describeSyncTable(table: PgTable): TableDescription {
  const info = getSyncTableInfo(table);
  if (!info) throw new Error('describeSyncTable: the table was not made by syncTable()');
  const all = (table as unknown as Record<symbol, Record<string, PgColumn> | undefined>)[
    DRIZZLE_COLUMNS
  ];
  if (!all) throw new Error(`describeSyncTable: ${info.name} has no Drizzle columns`);
  const columns = info.dataColumns.map((key) => {
    const column = all[key] as PgColumn;
    const description: ColumnDescription = {
      key,
      kind: columnKind(info.name, key, column),
      nullable: !column.notNull,
      required: column.notNull && !column.hasDefault,
    };
    const value: unknown = column.default;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      description.default = value as string | number | boolean | null;
    }
    return description;
  });
  const system = SYSTEM_COLUMNS.filter((key) => key !== 'changeTxid' && key !== 'changeSeq');
  const owner = info.owner === undefined ? [] : [info.owner];
  return {
    name: info.name,
    access: info.access,
    owner: info.owner,
    fields: [...system, ...info.dataColumns, ...owner],
    columns,
  };
}
