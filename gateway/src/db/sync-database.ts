import type { Query } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { DatabaseErrorListener } from './database-errors';
import type { ReadRow } from './read-row';

/** Drizzle over either driver; a transaction is one too. */
export type Db = PgDatabase<PgQueryResultHKT>;

/** The gateway's handle on its database: Drizzle, notifications, migrations, shutdown. */
export interface SyncDatabase {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  /**
   * Calls `onMessage` with the payload of every NOTIFY on `channel`; resolves to an unlisten.
   * A lost connection comes back by itself; NOTIFYs sent meanwhile are lost, and `onResume`
   * is called once it listens again.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onResume?: () => void,
  ): Promise<() => Promise<void>>;
  /**
   * Runs a statement rendered once (`renderSql`), with `values` for its placeholders, and
   * hands each row to `onRow` (`ReadRow`: each column read as its reader needs it). On
   * Postgres each row is handed over as its bytes arrive, valid only during the call, and
   * nothing is kept: a pull's thousand rows leave nothing for the garbage collector to copy.
   * A throwing `onRow` hears of no more rows and fails the read.
   */
  readRows: ReadRows;
  /** Applies the Drizzle Kit SQL migrations in `folder` that have not run yet. */
  migrate(folder: string): Promise<void>;
  /** How the connection pool is used now (Postgres); undefined for PGlite's one connection. */
  connections(): ConnectionUse | undefined;
  /**
   * Calls `listener` with every failed database call from now on: a query the database
   * refused (a constraint, a deadlock), a connection that could not be opened or that died.
   * Returns the way to stop.
   */
  watchErrors(listener: DatabaseErrorListener): () => void;
  close(): Promise<void>;
}

/** A connection pool's use, as node-postgres counts it. */
export interface ConnectionUse {
  /** Connections open now, busy or idle. */
  open: number;
  idle: number;
  /** Queries (and transactions) waiting for a connection. */
  waiting: number;
  /** The most connections the pool opens. */
  max: number;
}

/** See `SyncDatabase.readRows`. */
export type ReadRows = (
  query: Query,
  values: Record<string, unknown>,
  onRow: (row: ReadRow) => void,
) => Promise<void>;
