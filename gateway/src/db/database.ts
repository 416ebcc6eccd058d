import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

/** Drizzle over either driver; a transaction is one too. */
export type Db = PgDatabase<PgQueryResultHKT>;

/** The gateway's handle on its database: Drizzle, notifications, migrations, shutdown. */
export interface SyncDatabase {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  /** Calls `onMessage` with the payload of every NOTIFY on `channel`; resolves to an unlisten. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
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
}

export const MEMORY = 'memory:';

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<SyncDatabase> {
  if (options.url) return openPostgres(options.url, options.maxConnections ?? 10);
  return openPglite(options.dataDir ?? './.syncline');
}

function openPostgres(url: string, max: number): SyncDatabase {
  const client = postgres(url, { max, onnotice: () => {} });
  const db = drizzlePostgres({ client }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    async listen(channel, onMessage) {
      const { unlisten } = await client.listen(channel, onMessage);
      return unlisten;
    },
    migrate: (folder) => migratePostgres(drizzlePostgres({ client }), { migrationsFolder: folder }),
    close: () => client.end({ timeout: 5 }),
  };
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

/** Rows of a raw `db.execute()`: postgres.js returns an array, PGlite `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
