import { fillPlaceholders, type Query } from 'drizzle-orm';
import pg from 'pg';
import { copyRows, type ReadOutcome } from './copy-rows';
import type { DatabaseErrors } from './database-errors';
import { inlineValues } from './inline-values';
import { type ReadRow, ValuesRow } from './read-row';
import type { ReadRows } from './sync-database';

/**
 * `SyncDatabase.readRows` over a node-postgres pool: the statement runs on a connection of
 * the pool, each row handed to `onRow` as node-postgres reads it, none of them collected.
 * (Collected, a page's thousand rows were all alive whenever the garbage collector ran
 * during the read, so each collection copied them, then moved them to the old generation:
 * that cost the gateway about as much CPU as everything else it does for a page.)
 *
 * The statement runs as a binary `COPY` (copy-rows.ts), its values written in: each value
 * reaches `onRow` as the bytes Postgres sent. node-postgres' own reading decodes every value
 * to a string, which for a pull's row JSON, 300 bytes or so, is decoding a string only to
 * encode it back: about a tenth of the gateway's CPU in a large pull (docs/benchmarks.md).
 * A statement whose values cannot be written in as literals runs as an ordinary query, its
 * values as text.
 *
 * A failure of the statement or of its connection is reported to `errors` and fails the
 * read; the connection is then closed rather than reused, as `pool.query` does.
 */
export function readRowsOf(pool: pg.Pool, errors: DatabaseErrors): ReadRows {
  return async (query, values, onRow) => {
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      const select = inlineValues(query, values);
      const read = select
        ? copyRows(client, select, onRow)
        : textRows(client, query, values, onRow);
      const outcome = await read.catch((error: Error) => {
        failure = error;
        errors.report(error);
        throw error;
      });
      if (outcome) throw outcome.refused;
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

/** Runs the statement to its end as an ordinary query, its values in text. */
function textRows(
  client: pg.PoolClient,
  query: Query,
  values: Record<string, unknown>,
  onRow: (row: ReadRow) => void,
): Promise<ReadOutcome> {
  return new Promise((resolve, reject) => {
    const config: pg.QueryArrayConfig = {
      text: query.sql,
      values: fillPlaceholders(query.params, values),
      rowMode: 'array',
      types: AS_TEXT,
    };
    // The types know `rowMode` for `client.query` only; `Query` takes it all the same.
    const statement = new pg.Query(config as pg.QueryConfig);
    const row = new ValuesRow();
    let outcome: ReadOutcome;
    // Called by node-postgres as it reads the connection: a throw here would break it.
    statement.on('row', (values: unknown[]) => {
      if (outcome) return;
      try {
        row.values = values;
        onRow(row);
      } catch (refused) {
        outcome = { refused };
      }
    });
    statement.on('error', reject);
    statement.on('end', () => resolve(outcome));
    client.query(statement);
  });
}
