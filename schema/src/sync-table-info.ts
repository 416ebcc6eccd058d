import type { SyncTableHooks } from './hooks';

/*
 * What a sync table is beyond its Drizzle columns, with no Drizzle code at run time, so
 * that the browser client can read tables without bundling Drizzle's column classes.
 */

/** Who may do what with a table's rows through the gateway. */
export type TableAccess = 'read-write' | 'read' | 'write';

/** What the gateway needs to know about a sync table, beyond its Drizzle columns. */
export interface SyncTableInfo {
  /** The public name: `todoItem` gives `TodoItem`, `pullTodoItems`, `insertTodoItem`, ... */
  readonly name: string;
  readonly owner: string | undefined;
  readonly access: TableAccess;
  readonly hooks: SyncTableHooks;
  /** Keys of the columns a client may write (everything but system and owner columns). */
  readonly dataColumns: readonly string[];
}

/** Where `syncTable()` keeps a table's info. */
export const SYNC_INFO = Symbol.for('syncline.syncTable');

/** The system columns every sync table has; see DESIGN.md, "Data model". */
export const SYSTEM_COLUMNS = [
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'deleted',
  'changeTxid',
  'changeSeq',
] as const;

/** The sync metadata of a table made by `syncTable`, or undefined for any other table. */
export function getSyncTableInfo(table: object): SyncTableInfo | undefined {
  return (table as { [SYNC_INFO]?: SyncTableInfo })[SYNC_INFO];
}
