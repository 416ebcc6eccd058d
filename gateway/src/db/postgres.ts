import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import { DatabaseErrors } from './database-errors';
import { ListenConnection } from './listen-connection';
import { readRowsOf } from './postgres-rows';
import type { Db, SyncDatabase } from './sync-database';

/**
 * How long a query may wait for a connection (a free one of the pool, or a new one) before
 * it fails: while the server is down or unreachable, requests fail after this instead of
 * hanging.
 */
const CONNECT_TIMEOUT_MS = 5_000;
/** Idle connections are probed (TCP keep-alive) after this, so dead ones are noticed. */
const KEEP_ALIVE_DELAY_MS = 10_000;

/**
 * Postgres through node-postgres (`pg`): a pool for queries, and a connection of its own
 * per `listen()`. Both come back by themselves after the server restarts; meanwhile
 * queries fail, and nothing throws out of the event loop.
 */
export function openPostgres(url: string, max: number, logger: Logger): SyncDatabase {
  const connection = {
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS,
  };
  const pool = new pg.Pool({ ...connection, max });
  const errors = new DatabaseErrors();
  // The pool emits the error of an idle connection that died (it drops that connection);
  // unheard, the error would crash the process.
  pool.on('error', (error) => {
    errors.report(error);
    logger.warn({ err: error }, 'an idle database connection failed; it was dropped');
  });
  // A connection in use (a transaction's) that dies emits the error too; its query fails
  // with it, and the pool drops the connection when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => {});
    // Every query runs on a connection, `pool.query` too: each failure is reported once.
    client.query = errors.reporting(client.query.bind(client)) as typeof client.query;
  });
  // A connection that cannot be had (the server is down, the pool waited too long).
  pool.connect = errors.reporting(pool.connect.bind(pool)) as typeof pool.connect;
  const db = drizzle({ client: pool }) as unknown as Db;
  const listening = new Set<ListenConnection>();
  let closing: Promise<void> | undefined;

  return {
    kind: 'postgres',
    db,
    async listen(channel, onMessage, onResume = () => {}) {
      const listener = new ListenConnection({
        config: connection,
        channel,
        onMessage,
        onResume,
        onLost: errors.report,
        logger,
      });
      await listener.start();
      listening.add(listener);
      return async () => {
        listening.delete(listener);
        await listener.stop();
      };
    },
    readRows: readRowsOf(pool, errors),
    migrate: (folder) => migrate(drizzle({ client: pool }), { migrationsFolder: folder }),
    connections: () => ({
      open: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max,
    }),
    watchErrors: (listener) => errors.watch(listener),
    close() {
      closing ??= (async () => {
        await Promise.all([...listening].map((listener) => listener.stop()));
        listening.clear();
        await pool.end();
      })();
      return closing;
    },
  };
}
