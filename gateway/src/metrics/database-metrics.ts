import { sql } from 'drizzle-orm';
import { Counter, Gauge, type Registry } from 'prom-client';
import { rowsOf, type SyncDatabase } from '../db/database';

/** How long a scrape waits for the database before it reports the age as unknown (NaN). */
const QUERY_TIMEOUT_MS = 2_000;

/**
 * The database's families: failed calls (both drivers), the pool's use (node-postgres; PGlite
 * has one embedded connection and says only that), and, on Postgres, the age of the oldest
 * open transaction that has written something.
 */
export function watchDatabase(registry: Registry, database: SyncDatabase): void {
  const errors = new Counter({
    name: 'syncline_db_errors_total',
    help: 'Failed database calls: queries the database refused or could not answer, connections that could not be opened or died. By SQLSTATE class (23: a constraint, answered as REJECTED; 40: a deadlock or serialization failure, retried; 08 and 57: the connection or the server), "none" for failures without one (a connection refused or timed out).',
    labelNames: ['sqlstate_class'],
    registers: [registry],
  });
  database.watchErrors((error) => errors.inc({ sqlstate_class: sqlStateClass(error) }));

  const use = () =>
    database.connections() ?? { open: 1, idle: undefined, waiting: undefined, max: 1 };
  gauge(
    registry,
    'syncline_db_pool_connections',
    'Database connections open, busy or idle (PGlite: its one embedded connection).',
    () => use().open,
  );
  gauge(
    registry,
    'syncline_db_pool_max_connections',
    'The most database connections the pool opens.',
    () => use().max,
  );
  if (database.kind === 'pglite') return;
  gauge(
    registry,
    'syncline_db_pool_idle_connections',
    'Open database connections that are idle.',
    () => use().idle ?? 0,
  );
  gauge(
    registry,
    'syncline_db_pool_waiting_requests',
    'Queries and transactions waiting for a database connection (the pool is busy or the server unreachable).',
    () => use().waiting ?? 0,
  );
  new Gauge({
    name: 'syncline_db_oldest_writing_transaction_seconds',
    help: "Age in seconds of the oldest open transaction on the Postgres server, in any database, that has written something (it holds a transaction id: pg_stat_activity.backend_xid). The sync rows it writes reach pulls only once it ends. 0 when there is none; NaN when the server did not answer. Read when scraped; other roles' sessions count only when the gateway's role may see them (pg_read_all_stats).",
    registers: [registry],
    async collect() {
      this.set(await oldestWritingTransactionSeconds(database));
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

async function oldestWritingTransactionSeconds(database: SyncDatabase): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => {
    timer = setTimeout(() => resolve(Number.NaN), QUERY_TIMEOUT_MS);
  });
  const read = database.db
    .execute(
      sql`select coalesce(extract(epoch from clock_timestamp() - min(xact_start)), 0)::float8 as seconds
        from pg_stat_activity where backend_xid is not null`,
    )
    .then(
      (result) => Number(rowsOf<{ seconds: number | string }>(result)[0]?.seconds ?? 0),
      () => Number.NaN,
    );
  try {
    return await Promise.race([read, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The class (first two characters) of the SQLSTATE behind `error`, or "none". */
export function sqlStateClass(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Object; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code.slice(0, 2);
    current = (current as { cause?: unknown }).cause;
  }
  return 'none';
}
