import type { SyncDatabase } from '../db/database';
import type { PullCursor } from './cursor';
import { PULL_COLUMN } from './pull-columns';
import type { PageRows, PullProjection } from './pull-projection';
import { type PullRequest, pullQuery, pullShape } from './pull-statement';
import { mayMissUpTo, parseSnapshot, type Snapshot } from './snapshot';

export type { PullFilter, PullRequest } from './pull-statement';

/** What a pull reads with: Drizzle, and the rows of a statement as they come. */
export type PullSource = Pick<SyncDatabase, 'db' | 'readRows'>;

/** One page of a pull's answer: at most `limit` items, and where the next page starts. */
export interface PulledPage<TRows> {
  rows: TRows;
  rowCount: number;
  /** Ids of rows changed in the window that the query no longer covers. */
  movedOut: string[];
  cursor: PullCursor;
  hasMore: boolean;
}

export type PullResult<TRows> =
  | {
      status: 'ok';
      /** At least one page; every one but the last has more. */
      pages: PulledPage<TRows>[];
      /** The snapshot the pages were read in. */
      readAt: Snapshot;
    }
  | { status: 'expired' };

/**
 * The changes of a window, in change order, tombstones included, and the ids of the rows
 * that left the query: one stream, one statement, up to `pages` pages of `limit` items each
 * (see docs/protocol.md, "Cursors and pulls"). Rows come as the request's projection makes
 * them.
 *
 * The window is every change by a transaction that the cursor's snapshot did not see and
 * the pull's snapshot sees: whatever order transactions commit in, and however long one
 * stays open, each change falls in exactly one window, the first whose snapshot sees its
 * transaction. A transaction still running delays only its own changes: the others'
 * come at once. A window larger than a page is paged in change order, against the snapshot
 * its first page took, which the cursor carries until the window is done.
 *
 * Several pages are read by one statement and cut at every `limit` items, each page with
 * the cursor of its last item: exactly the pages that pulls of one page each would give, in
 * one request (`pages`), for a device catching up on a large window.
 */
export async function pullChanges<TRows>(
  database: PullSource,
  request: PullRequest<TRows>,
): Promise<PullResult<TRows>> {
  const { cursor, projection, limit } = request;
  const { query, values } = pullQuery(request, pullShape(request));
  const pages: Cut<TRows>[] = [];
  const most = limit * (request.pages ?? 1);
  let page = cut(projection);
  let items = 0;
  let unwritten = 0;
  let hasMore = false;
  let snapshot: string | null = null;
  let horizon: string | null = null;
  await database.readRows(query, values, (item) => {
    const own = item.text(PULL_COLUMN.snapshot);
    if (own !== null) {
      snapshot = own;
      horizon = item.text(PULL_COLUMN.horizon);
    }
    // The item past the last page: the window has more.
    else if (items === most) hasMore = true;
    else {
      if (page.items === limit) {
        pages.push(page);
        page = cut(projection);
      }
      items += 1;
      page.items += 1;
      page.txid = item.integer(PULL_COLUMN.txid);
      page.seq = item.integer(PULL_COLUMN.seq);
      const movedOut = item.text(PULL_COLUMN.movedOut);
      if (movedOut !== null) page.movedOut.push(movedOut);
      else if (page.rows.add(item)) page.rowCount += 1;
      else unwritten += 1;
    }
  });
  pages.push(page);
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
  const pulled = pages.map(({ rows, rowCount, movedOut, txid, seq }, index) => {
    const more = index < pages.length - 1 || hasMore;
    const next: PullCursor =
      more && txid != null && seq != null
        ? { seen: cursor.seen, upto, after: { txid: BigInt(txid), seq: BigInt(seq) } }
        : { seen: upto, upto: null, after: null };
    return { rows: rows.done(), rowCount, movedOut, cursor: next, hasMore: more };
  });
  return { status: 'ok', pages: pulled, readAt: now };
}

/** The last page of a pull's answer: where the pull goes on from. */
export function lastPage<TRows>(pages: readonly PulledPage<TRows>[]): PulledPage<TRows> {
  const last = pages.at(-1);
  if (!last) throw new Error('pull: an answer without a page');
  return last;
}

/** A page being cut from the statement's items. */
interface Cut<TRows> {
  rows: PageRows<TRows>;
  rowCount: number;
  movedOut: string[];
  items: number;
  /** The position of the page's last item. */
  txid: number | bigint | null;
  seq: number | bigint | null;
}

function cut<TRows>(projection: PullProjection<TRows>): Cut<TRows> {
  return {
    rows: projection.collect(),
    rowCount: 0,
    movedOut: [],
    items: 0,
    txid: null,
    seq: null,
  };
}
