import type { SyncDatabase } from '../db/database';
import type { PullCursor } from './cursor';
import { type PullRequest, type PullStatementRow, pullQuery, pullShape } from './pull-statement';
import { mayMissUpTo, parseSnapshot, type Snapshot } from './snapshot';

export type { PullFilter, PullRequest } from './pull-statement';

/** What a pull reads with: Drizzle, and the rows of a statement as they come. */
export type PullSource = Pick<SyncDatabase, 'db' | 'readRows'>;

export type PullResult<TRows> =
  | {
      status: 'ok';
      rows: TRows;
      rowCount: number;
      /** Ids of rows changed in the window that the query no longer covers. */
      movedOut: string[];
      cursor: PullCursor;
      hasMore: boolean;
      /** The snapshot the page was read in. */
      readAt: Snapshot;
    }
  | { status: 'expired' };

/**
 * The changes of a window, in change order, tombstones included, and the ids of the rows
 * that left the query: one stream, one statement, `limit` items in all (see
 * docs/protocol.md, "Cursors and pulls"). Rows come as the request's projection makes them.
 *
 * The window is every change by a transaction that the cursor's snapshot did not see and
 * the pull's snapshot sees: whatever order transactions commit in, and however long one
 * stays open, each change falls in exactly one window, the first whose snapshot sees its
 * transaction. A transaction still running delays only its own changes: the others'
 * come at once. A window larger than a page is paged in change order, against the snapshot
 * its first page took, which the cursor carries until the window is done.
 */
export async function pullChanges<TRows>(
  database: PullSource,
  request: PullRequest<TRows>,
): Promise<PullResult<TRows>> {
  const { cursor, projection, limit } = request;
  const { query, values } = pullQuery(request, pullShape(request));
  const rows = projection.collect();
  const movedOut: string[] = [];
  let items = 0;
  let rowCount = 0;
  let unwritten = 0;
  let hasMore = false;
  let last: PullStatementRow | undefined;
  let own: PullStatementRow | undefined;
  await database.readRows(query, values, (answered) => {
    const item = answered as PullStatementRow;
    if (item[4] !== null) own = item;
    // The item past the page: the window has more.
    else if (items === limit) hasMore = true;
    else {
      items += 1;
      last = item;
      if (item[0] !== null) {
        rows.add(item[0]);
        rowCount += 1;
      } else if (item[1] !== null) movedOut.push(item[1]);
      else unwritten += 1;
    }
  });
  const [, , , , snapshot, horizon] = own ?? [];
  const now = parseSnapshot(snapshot ?? '');
  if (!now) throw new Error(`pull: no snapshot in the statement's answer`);
  // Tombstones pruned after this cursor's snapshot was taken may never have reached it.
  if (cursor.seen && horizon && mayMissUpTo(cursor.seen, BigInt(horizon))) {
    return { status: 'expired' };
  }
  if (unwritten > 0) {
    throw new Error(`pull: ${unwritten} rows have a value their fields cannot hold`);
  }
  const upto = cursor.upto ?? now;
  const [, , txid, seq] = last ?? [];
  const next: PullCursor =
    hasMore && txid != null && seq != null
      ? { seen: cursor.seen, upto, after: { txid: BigInt(txid), seq: BigInt(seq) } }
      : { seen: upto, upto: null, after: null };
  return {
    status: 'ok',
    rows: rows.done(),
    rowCount,
    movedOut,
    cursor: next,
    hasMore,
    readAt: now,
  };
}
