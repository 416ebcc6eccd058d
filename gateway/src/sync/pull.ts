import { type Db, rowsOf } from '../db/database';
import type { PullCursor } from './cursor';
import type { Row } from './outcomes';
import { COVERED, META, pullProjection } from './pull-projection';
import { type PullRequest, pullShape, pullStatement } from './pull-statement';
import { mayMissUpTo, parseSnapshot } from './snapshot';

export type { PullRequest } from './pull-statement';

export type PullResult =
  | {
      status: 'ok';
      rows: Row[];
      /** Ids of rows changed in the window that the query no longer covers. */
      movedOut: string[];
      cursor: PullCursor;
      hasMore: boolean;
    }
  | { status: 'expired' };

/**
 * The changes of a window, in change order, tombstones included, and the ids of the rows
 * that left the query: one stream, one statement, `limit` items in all (see
 * docs/protocol.md, "Cursors and pulls").
 *
 * The window is every change by a transaction that the cursor's snapshot did not see and
 * the pull's snapshot sees: whatever order transactions commit in, and however long one
 * stays open, each change falls in exactly one window, the first whose snapshot sees its
 * transaction. A transaction still running delays only its own changes: the others'
 * come at once. A window larger than a page is paged in change order, against the snapshot
 * its first page took, which the cursor carries until the window is done.
 */
export async function pullChanges(db: Db, request: PullRequest): Promise<PullResult> {
  const { cursor } = request;
  const shape = pullShape(request);
  const raw = rowsOf<Record<string, unknown>>(await db.execute(pullStatement(request, shape)));
  const metaAt = raw.findIndex((item) => item[META] != null);
  const [snapshotText = '', horizonText = ''] = String(raw[metaAt]?.[META] ?? '').split('|');
  const now = parseSnapshot(snapshotText);
  if (!now) throw new Error(`pull: no snapshot in the statement's answer ("${snapshotText}")`);
  // Tombstones pruned after this cursor's snapshot was taken may never have reached it.
  if (cursor.seen && horizonText && mayMissUpTo(cursor.seen, BigInt(horizonText))) {
    return { status: 'expired' };
  }

  const projection = pullProjection(request.served);
  const items = metaAt < 0 ? raw : raw.toSpliced(metaAt, 1);
  const hasMore = items.length > request.limit;
  const page = hasMore ? items.slice(0, request.limit) : items;
  const rows: Row[] = [];
  const movedOut: string[] = [];
  for (const item of page) {
    if (item[COVERED] === false) movedOut.push(item.id as string);
    else rows.push(projection.toRow(item));
  }
  const upto = cursor.upto ?? now;
  const last = page.at(-1);
  const next: PullCursor =
    hasMore && last
      ? { seen: cursor.seen, upto, after: projection.positionOf(last) }
      : { seen: upto, upto: null, after: null };
  return { status: 'ok', rows, movedOut, cursor: next, hasMore };
}
