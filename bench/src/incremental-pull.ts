import type { Cursor } from '@syncline/schema';
import { rowId } from './bench-tables';
import type { TableClient } from './graphql-http';
import { type Comparison, compare } from './harness';

const CHANGES = 10;
/** One pull takes a few milliseconds: each run times this many and reports one. */
const PULLS_PER_RUN = 50;

/**
 * Gets a cursor at the end of a seeded table (the newest row is the last id), then
 * changes 10 rows spread over the table through the gateway: a pull after that cursor
 * returns exactly those 10.
 */
async function cursorBefore10Changes(
  client: TableClient,
  table: string,
  tableRows: number,
): Promise<Cursor> {
  const last = await client.pull(null, 1, { id: { eq: rowId(tableRows) } });
  if (last.rows.length !== 1) throw new Error(`incremental pull: no row ${rowId(tableRows)}`);
  const step = Math.floor(tableRows / CHANGES);
  const ids = Array.from({ length: CHANGES }, (_, index) => rowId(1 + index * step));
  const current = await Promise.all(
    ids.map(async (id) => (await client.pull(null, 1, { id: { eq: id } })).rows[0]),
  );
  const outcomes = await client.push(
    current.map((row, index) => ({
      opId: `incremental-${process.pid}-${Date.now()}-${index}`,
      table,
      kind: 'UPDATE' as const,
      id: row?.id as string,
      version: row?.version as number,
      data: { score: -1 },
    })),
  );
  if (outcomes.some((outcome) => outcome.status !== 'APPLIED')) {
    throw new Error(`incremental pull: a change was not applied: ${JSON.stringify(outcomes)}`);
  }
  return last.cursor;
}

async function pullChanges(client: TableClient, cursor: Cursor, signal: AbortSignal) {
  for (let pull = 0; pull < PULLS_PER_RUN; pull++) {
    signal.throwIfAborted();
    const page = await client.pull(cursor, 1000);
    if (page.rows.length !== CHANGES || page.hasMore) {
      throw new Error(`incremental pull: expected ${CHANGES} changes, got ${page.rows.length}`);
    }
  }
}

export async function incrementalPull(
  large: { client: TableClient; rows: number; table: string },
  small: { client: TableClient; rows: number; table: string },
): Promise<Comparison> {
  const largeCursor = await cursorBefore10Changes(large.client, large.table, large.rows);
  const smallCursor = await cursorBefore10Changes(small.client, small.table, small.rows);
  const count = (rows: number) => `${rows >= 1e6 ? `${rows / 1e6}M` : `${rows / 1e3}k`} rows`;
  return compare({
    name: 'incremental pull',
    synclineLabel: `pull of ${CHANGES} changes after a cursor, table of ${count(large.rows)}`,
    baselineLabel: `the same pull on a table of ${count(small.rows)}`,
    goal: 1.5,
    runs: 5,
    budgetMs: 30_000,
    perRun: PULLS_PER_RUN,
    unit: 'ms/pull',
    syncline: (_run, signal) => pullChanges(large.client, largeCursor, signal),
    baseline: (_run, signal) => pullChanges(small.client, smallCursor, signal),
  });
}
