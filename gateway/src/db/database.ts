import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pino, { type Logger } from 'pino';
import { openPostgres } from './postgres';

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
  /** Applies the Drizzle Kit SQL migrations in `folder` that have not run yet. */
  migrate(folder: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A Postgres connection string. Absent: embedded PGlite. */
  url?: string | undefined;
  /** PGlite's folder, or `memory:` for a throwaway database. Default `./.syncline`. */
  dataDir?: string | undefined;
  /** Most Postgres connections in the pool. */
  maxConnections?: number | undefined;
  /** Where connection failures are reported (Postgres); default: nowhere. */
  logger?: Logger | undefined;
}

export const MEMORY = 'memory:';

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<SyncDatabase> {
  if (options.url) {
    const logger = options.logger ?? pino({ level: 'silent' });
    return openPostgres(options.url, options.maxConnections ?? 10, logger);
  }
  return openPglite(options.dataDir ?? './.syncline');
}

async function openPglite(dataDir: string): Promise<SyncDatabase> {
  const inMemory = dataDir === MEMORY;
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  const client = inMemory ? new PGlite() : new PGlite(dataDir);
  await client.waitReady;
  const db = drizzlePglite({ client }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    listen: (channel, onMessage) => client.listen(channel, onMessage),
    migrate: (folder) => migratePglite(drizzlePglite({ client }), { migrationsFolder: folder }),
    close: () => client.close(),
  };
}

/** Rows of a raw `db.execute()`: node-postgres and PGlite both answer `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
