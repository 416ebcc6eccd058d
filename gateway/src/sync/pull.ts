import type { Db } from '../db/database';
import { executeRendered } from '../db/rendered-query';
import type { PullCursor } from './cursor';
import { type PullRequest, type PullStatementRow, pullQuery, pullShape } from './pull-statement';
import { mayMissUpTo, parseSnapshot, type Snapshot } from './snapshot';

export type { PullFilter, PullRequest } from './pull-statement';

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
  db: Db,
  request: PullRequest<TRows>,
): Promise<PullResult<TRows>> {
  const { cursor, projection, limit } = request;
  const { query, values } = pullQuery(request, pullShape(request));
  const items = (await executeRendered(db, query, values)) as PullStatementRow[];
  // The statement's own row comes last (see `pullStatement`).
  const [, , , , snapshot, horizon] = items.pop() ?? [];
  const now = parseSnapshot(snapshot ?? '');
  if (!now) throw new Error(`pull: no snapshot in the statement's answer`);
  // Tombstones pruned after this cursor's snapshot was taken may never have reached it.
  if (cursor.seen && horizon && mayMissUpTo(cursor.seen, BigInt(horizon))) {
    return { status: 'expired' };
  }
  const hasMore = items.length > limit;
  if (hasMore) items.length = limit;
  const texts: string[] = [];
  const movedOut: string[] = [];
  let unwritten = 0;
  for (const item of items) {
    if (item[0] !== null) texts.push(item[0]);
    else if (item[1] !== null) movedOut.push(item[1]);
    else unwritten += 1;
  }
  if (unwritten > 0) {
    throw new Error(`pull: ${unwritten} rows have a value their fields cannot hold`);
  }
  const upto = cursor.upto ?? now;
  const [, , txid, seq] = items.at(-1) ?? [];
  const next: PullCursor =
    hasMore && txid != null && seq != null
      ? { seen: cursor.seen, upto, after: { txid: BigInt(txid), seq: BigInt(seq) } }
      : { seen: upto, upto: null, after: null };
  return {
    status: 'ok',
    rows: projection.toRows(texts),
    rowCount: texts.length,
    movedOut,
    cursor: next,
    hasMore,
    readAt: now,
  };
}
