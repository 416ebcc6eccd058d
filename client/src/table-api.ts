import type { TableDescription } from '@syncline/schema';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { EngineContext } from './engine/context';
import { type DiscardResult, discardPending } from './engine/discard';
import { indexedColumns, rowsOf } from './engine/layout';
import type { LiveQueries } from './engine/live-queries';
import { deleteRow, insertRow, updateRow } from './engine/local-writes';
import type { PullProgress, PullResult } from './engine/pull';
import { type PurgeResult, purgeRows } from './engine/purge';
import { compareRows, indexRange, matchesWhere, normalizeWhere, sortSpec } from './engine/query';
import { SyncInputError } from './errors';
import type { FindOptions, Row, RowInsert, RowUpdate, StoredRow, Where } from './types';

export interface PullOptions<T extends PgTable> {
  where?: Where<T>;
  /** Called after each page with the number of rows received so far. */
  onProgress?: (progress: PullProgress) => void;
}

export interface PurgeOptions<T extends PgTable> {
  where?: Where<T>;
}

/** One synced table, local first: reads and writes go to the store and never wait for the network. */
export interface SyncTableApi<T extends PgTable> {
  readonly name: string;
  /** Stores the row and queues its INSERT; the id is made here (a UUID) unless given. */
  insert(values: RowInsert<T>): Promise<Row<T>>;
  /** Changes the given fields and queues an UPDATE of those that changed. */
  update(row: RowUpdate<T>): Promise<Row<T>>;
  /** Deletes the row here and queues the DELETE; false when there was no such row. */
  delete(id: string): Promise<boolean>;
  get(id: string): Promise<Row<T> | undefined>;
  find(options?: FindOptions<T>): Promise<Row<T>[]>;
  /** Calls back with the query's rows now and after every change; returns the function that stops it. */
  watch(
    options: FindOptions<T>,
    callback: (rows: Row<T>[]) => void,
    onError?: (error: unknown) => void,
  ): () => void;
  /**
   * Pushes the outbox if this table has pending changes, then pulls. With a `queryId`
   * the cursor is kept and the next pull brings only what changed; `null` pulls everything.
   */
  pull(queryId: string | null, options?: PullOptions<T>): Promise<PullResult>;
  /** Removes local rows; refuses while the table has pending changes unless `force`. */
  purge(options?: PurgeOptions<T>, flags?: { force?: boolean }): Promise<PurgeResult>;
  /** Undo before push: drops the row's pending change and restores the server's row. */
  discard(id: string): Promise<DiscardResult>;
}

export interface TableRuntime {
  context: EngineContext;
  live: LiveQueries;
  pull(
    table: TableDescription,
    queryId: string | null,
    where: Record<string, unknown> | null,
    onProgress?: (progress: PullProgress) => void,
  ): Promise<PullResult>;
}

export function createTableApi<T extends PgTable>(
  runtime: TableRuntime,
  table: TableDescription,
): SyncTableApi<T> {
  const { context, live } = runtime;
  const collection = rowsOf(table.name);
  const indexed = new Set(indexedColumns(table));
  const whereOf = (where: unknown, at: string) =>
    where === undefined ? null : normalizeWhere(table, where as Record<string, unknown>, at);

  async function find(options: FindOptions<T> = {}): Promise<Row<T>[]> {
    const where = whereOf(options.where, `${table.name}.find.where`);
    const sort = sortSpec(table, options.orderBy);
    const limit = options.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new SyncInputError(`${table.name}.find.limit`, 'must be a whole number, 0 or more');
    }
    const narrowed = where ? indexRange(indexed, where) : undefined;
    const rows = await context.store.read([collection], (tx) =>
      tx.getAll<StoredRow>(collection, narrowed ?? {}),
    );
    const found = (where ? rows.filter((row) => matchesWhere(row, where)) : rows).sort(
      compareRows(sort),
    );
    return (limit === undefined ? found : found.slice(0, limit)) as unknown as Row<T>[];
  }

  return {
    name: table.name,
    insert: (values) => insertRow(context, table, values) as Promise<Row<T>>,
    update: (row) => updateRow(context, table, row) as Promise<Row<T>>,
    delete: (id) => deleteRow(context, table, id),
    get: (id) => context.store.read([collection], (tx) => tx.get<Row<T>>(collection, id)),
    find,
    watch(options, callback, onError) {
      // Checked now, so that a bad query throws here rather than in the background.
      whereOf(options.where, `${table.name}.watch.where`);
      sortSpec(table, options.orderBy);
      return live.watch(
        table.name,
        () => find(options),
        callback as (rows: unknown[]) => void,
        onError ?? ((error) => console.error(`syncline: ${table.name}.watch failed`, error)),
      );
    },
    async pull(queryId, options = {}) {
      if (table.access === 'write') {
        throw new SyncInputError(
          `${table.name}.pull`,
          `${table.name} is write-only: it is never pulled`,
        );
      }
      if (queryId !== null && (typeof queryId !== 'string' || queryId.length === 0)) {
        throw new SyncInputError(
          `${table.name}.pull.queryId`,
          'must be a non-empty string or null',
        );
      }
      const where = whereOf(options.where, `${table.name}.pull.where`);
      return runtime.pull(table, queryId, where, options.onProgress);
    },
    async purge(options = {}, flags = {}) {
      const where = whereOf(options.where, `${table.name}.purge.where`);
      return purgeRows(context, table, where, flags.force === true);
    },
    discard: (id) => discardPending(context, table.name, id),
  };
}
