import { getSyncTableInfo, SYSTEM_COLUMNS, type SyncTableInfo, tableNames } from '@syncline/schema';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/** A sync table as the gateway works with it: Drizzle table, metadata and generated names. */
export interface ServedTable {
  readonly table: PgTable;
  readonly info: SyncTableInfo;
  readonly sqlName: string;
  readonly names: ReturnType<typeof tableNames>;
  readonly columns: Record<string, PgColumn>;
  /** The system columns the sync logic reads and writes. */
  readonly system: Record<'id' | 'version' | 'deleted' | 'changeTxid' | 'changeSeq', PgColumn>;
  /** The owner column, when rows are private to a user. */
  readonly ownerColumn: PgColumn | undefined;
}

export function serveTables(tables: readonly PgTable[]): ServedTable[] {
  const seen = new Set<string>();
  return tables.map((table) => {
    const info = getSyncTableInfo(table);
    if (!info)
      throw new Error(`createGateway: table ${getTableName(table)} was not made by syncTable()`);
    if (seen.has(info.name)) throw new Error(`createGateway: table ${info.name} is listed twice`);
    seen.add(info.name);
    const columns = getTableColumns(table) as Record<string, PgColumn>;
    return {
      table,
      info,
      sqlName: getTableName(table),
      names: tableNames(info.name),
      columns,
      system: {
        id: columns.id as PgColumn,
        version: columns.version as PgColumn,
        deleted: columns.deleted as PgColumn,
        changeTxid: columns.changeTxid as PgColumn,
        changeSeq: columns.changeSeq as PgColumn,
      },
      ownerColumn: info.owner === undefined ? undefined : columns[info.owner],
    };
  });
}

/** The fields a client sees: system fields (without the change position), data and owner. */
export function publicColumnKeys(served: ServedTable): string[] {
  const system = SYSTEM_COLUMNS.filter((key) => key !== 'changeTxid' && key !== 'changeSeq');
  const owner = served.info.owner === undefined ? [] : [served.info.owner];
  return [...system, ...served.info.dataColumns, ...owner];
}
