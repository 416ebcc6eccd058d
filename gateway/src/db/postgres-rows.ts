import { fillPlaceholders, type Query } from 'drizzle-orm';
import pg from 'pg';
import type { DatabaseErrors } from './database-errors';
import type { ReadRows } from './sync-database';

/**
 * `SyncDatabase.readRows` over a node-postgres pool: the statement runs on a connection of
 * the pool, each row handed to `onRow` as node-postgres reads it (its values as text), none
 * of them collected.
 * (Collected, a page's thousand rows were all alive whenever the garbage collector ran
 * during the read, so each collection copied them, then moved them to the old generation:
 * that cost the gateway about as much CPU as everything else it does for a page.)
 *
 * A failure of the statement or of its connection is reported to `errors` and fails the
 * read; the connection is then closed rather than reused, as `pool.query` does.
 */
export function readRowsOf(pool: pg.Pool, errors: DatabaseErrors): ReadRows {
  return async (query, values, onRow) => {
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      const refused = await run(client, query, values, onRow).catch((error: Error) => {
        failure = error;
        errors.report(error);
        throw error;
      });
      if (refused) throw refused.error;
    } finally {
      client.release(failure);
    }
  };
}

/**
 * Every value as the text Postgres sent: the rows' readers parse what they use (a pull, the
 * position of its last item only), rather than node-postgres every value of every row.
 */
const AS_TEXT: pg.CustomTypesConfig = { getTypeParser: () => (text: string) => text };

/** Runs the statement to its end; what `onRow` threw, if it did (no row went to it after). */
function run(
  client: pg.PoolClient,
  query: Query,
  values: Record<string, unknown>,
  onRow: (row: unknown[]) => void,
): Promise<{ error: unknown } | undefined> {
  return new Promise((resolve, reject) => {
    const config: pg.QueryArrayConfig = {
      text: query.sql,
      values: fillPlaceholders(query.params, values),
      rowMode: 'array',
      types: AS_TEXT,
    };
    // The types know `rowMode` for `client.query` only; `Query` takes it all the same.
    const statement = new pg.Query(config as pg.QueryConfig);
    let refused: { error: unknown } | undefined;
    // Called by node-postgres as it reads the connection: a throw here would break it.
    statement.on('row', (row: unknown[]) => {
      if (refused) return;
      try {
        onRow(row);
      } catch (error) {
        refused = { error };
      }
    });
    statement.on('error', reject);
    statement.on('end', () => resolve(refused));
    client.query(statement);
  });
}
