import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pino, { type Logger } from 'pino';
import { DatabaseErrors } from './database-errors';
import { openPostgres } from './postgres';
import { ValuesRow } from './read-row';
import { executeRendered } from './rendered-query';
import type { Db, SyncDatabase } from './sync-database';

export type { ConnectionUse, Db, ReadRows, SyncDatabase } from './sync-database';

export interface OpenDatabaseOptions {
  /** A Postgres connection string. Absent: embedded PGlite. */
  url?: string | undefined;
  /** PGlite's folder, or `memory:` for a throwaway database. Default `./.syncline`. */
  dataDir?: string | undefined;
  /** Most Postgres connections in the pool (default `DEFAULT_POOL_SIZE`). */
  maxConnections?: number | undefined;
  /** Where connection failures are reported (Postgres); default: nowhere. */
  logger?: Logger | undefined;
}

export const MEMORY = 'memory:';

/** Pool connections per gateway process: see docs/deployment.md for sizing them. */
export const DEFAULT_POOL_SIZE = 10;

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<SyncDatabase> {
  if (options.url) {
    const logger = options.logger ?? pino({ level: 'silent' });
    return openPostgres(options.url, options.maxConnections ?? DEFAULT_POOL_SIZE, logger);
  }
  return openPglite(options.dataDir ?? './.syncline');
}

async function openPglite(dataDir: string): Promise<SyncDatabase> {
  const inMemory = dataDir === MEMORY;
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  const client = inMemory ? new PGlite() : new PGlite(dataDir);
  await client.waitReady;
  const errors = new DatabaseErrors();
  reportFailures(client, errors);
  const db = drizzlePglite({ client }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    listen: (channel, onMessage) => client.listen(channel, onMessage),
    // PGlite answers a statement's rows all at once, its values parsed.
    async readRows(query, values, onRow) {
      const row = new ValuesRow();
      for (row.values of await executeRendered(db, query, values)) onRow(row);
    },
    migrate: (folder) => migratePglite(drizzlePglite({ client }), { migrationsFolder: folder }),
    connections: () => undefined,
    watchErrors: (listener) => errors.watch(listener),
    close: () => client.close(),
  };
}

/**
 * Reports the failures of the queries Drizzle sends PGlite, in a transaction or not. (Its
 * `query` runs a statement; a transaction's own `query` is another function.)
 */
function reportFailures(client: PGlite, errors: DatabaseErrors): void {
  client.query = errors.reporting(client.query.bind(client));
  const transaction = client.transaction.bind(client);
  client.transaction = (callback) =>
    transaction((tx) => {
      const query = errors.reporting(tx.query);
      return callback(
        new Proxy(tx, {
          get: (target, name) => (name === 'query' ? query : Reflect.get(target, name, target)),
        }),
      );
    });
}

/** Rows of a raw `db.execute()`: node-postgres and PGlite both answer `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
