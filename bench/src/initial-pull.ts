import type { BaselineSql } from './database-setup';
import { PAGES_PER_REQUEST, pullAll, type TableClient } from './graphql-http';
import { type Comparison, compare } from './harness';

export const INITIAL_ROWS = 100_000;
export const PAGE_SIZE = 1_000;

/** The baseline's keyset: the table's change position, the order a pull returns rows in. */
const keysetPage = `select * from bench_row
  where (change_txid, change_seq) > ($1::xid8, $2::bigint)
  order by change_txid, change_seq
  limit ${PAGE_SIZE}`;

/** Keyset pages of 1,000 over the whole table, straight from the database. */
export async function keysetPullAll(sql: BaselineSql, signal: AbortSignal): Promise<number> {
  let position: [string, string] = ['0', '0'];
  let rows = 0;
  for (;;) {
    signal.throwIfAborted();
    const page = await sql.query<{ change_txid: string; change_seq: string | number }>(
      keysetPage,
      position,
    );
    rows += page.length;
    const last = page.at(-1);
    if (!last || page.length < PAGE_SIZE) return rows;
    position = [String(last.change_txid), String(last.change_seq)];
  }
}

export function initialPull(
  client: Pick<TableClient, 'pullCounts'>,
  sql: BaselineSql,
  generic = false,
): Promise<Comparison> {
  const expect = (what: string, rows: number) => {
    if (rows !== INITIAL_ROWS) throw new Error(`initial pull: ${what} got ${rows} rows`);
  };
  return compare({
    name: generic ? 'initial pull, generic client' : 'initial pull',
    synclineLabel: generic
      ? `the same, posted as JSON by a plain GraphQL client with a selection of its own (8 fields, aliases)`
      : `100k rows through \`pull\` over HTTP, pages of ${PAGE_SIZE.toLocaleString('en')}, ${PAGES_PER_REQUEST} to a request, as the client sends it`,
    baselineLabel: `${sql.label} keyset pages of ${PAGE_SIZE.toLocaleString('en')} over the same table`,
    goal: 1.5,
    runs: 15,
    // The baseline is about a fifth faster from its tenth run or so in a process on.
    warmUpRuns: 10,
    budgetMs: 60_000,
    syncline: async (_run, signal) => expect('Syncline', await pullAll(client, PAGE_SIZE, signal)),
    baseline: async (_run, signal) => expect('baseline', await keysetPullAll(sql, signal)),
  });
}
