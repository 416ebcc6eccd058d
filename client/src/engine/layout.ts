import type { TableDescription } from '@syncline/schema';
import type { StoreLayout } from '../store/store';

/** The outbox: one entry per pending operation, in the order they were made. */
export const OUTBOX = 'outbox';
/** Index of the outbox by `[table, id]`: the pending operations of one row. */
export const BY_ROW = 'row';
/** Registered pull queries and their cursors, keyed by `[table, queryId]`. */
export const QUERIES = 'queries';
/** Small records keyed by `key`: the local format and the tables' columns. */
export const META = 'meta';
/** Which filtered queries cover a row, keyed by `[table, id]` (see membership.ts). */
export const MEMBERS = 'members';

/** The collection of a table's local rows. */
export function rowsOf(table: string): string {
  return `rows:${table}`;
}

/**
 * What the engine keeps: a collection per table, indexed on the columns IndexedDB can key
 * (strings, numbers, dates; booleans and JSON cannot be), and the outbox, queries and meta.
 */
export function storeLayout(tables: readonly TableDescription[]): StoreLayout {
  return {
    collections: [
      {
        name: OUTBOX,
        keyPath: 'seq',
        autoIncrement: true,
        indexes: [{ name: BY_ROW, keyPath: ['table', 'id'] }],
      },
      { name: QUERIES, keyPath: ['table', 'queryId'], indexes: [] },
      { name: META, keyPath: 'key', indexes: [] },
      { name: MEMBERS, keyPath: ['table', 'id'], indexes: [] },
      ...tables.map((table) => ({
        name: rowsOf(table.name),
        keyPath: 'id',
        indexes: indexedColumns(table).map((key) => ({ name: key, keyPath: key })),
      })),
    ],
  };
}

const INDEXABLE = new Set(['string', 'int', 'float', 'datetime']);

/** The columns a table's collection is indexed on, each index named after its column. */
export function indexedColumns(table: TableDescription): string[] {
  return table.columns.filter((column) => INDEXABLE.has(column.kind)).map((column) => column.key);
}
