import { eq, type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/database';
import { pruneHorizon } from '../db/system-tables';
import { type ChangePosition, comparePositions, positionOf } from './cursor';
import type { Row } from './outcomes';
import { COVERED, pullProjection } from './pull-projection';
import { type PullShape, pullShape, pullStatement } from './pull-statement';
import type { ServedTable } from './tables';

export interface PullRequest {
  served: ServedTable;
  userId: string;
  after: ChangePosition | null;
  /** From the cursor, while a first pull pages: the position its last page ends at. */
  firstPullEnd?: ChangePosition | null;
  limit: number;
  where: SQL | undefined;
}

export type PullResult =
  | {
      status: 'ok';
      rows: Row[];
      /** Ids of rows changed after `after` that the query no longer covers. */
      movedOut: string[];
      position: ChangePosition | null;
      hasMore: boolean;
      /** On a page of a first pull with more to come: for the cursor (`firstPullEnd`). */
      firstPullEnd?: ChangePosition;
    }
  | { status: 'expired' };

/**
 * The rows changed after a position, in change order, tombstones included, and the ids of
 * those that left the query: one stream, one statement, `limit` items in all.
 *
 * Only changes written by transactions below the snapshot's xmin are returned: every one
 * of those has finished, so no transaction still running can later commit a change that
 * sorts before what this page returns. A transaction that started early and commits late
 * is therefore never skipped; its changes wait until it is done.
 */
export async function pullChanges(db: Db, request: PullRequest): Promise<PullResult> {
  const { served, after, firstPullEnd } = request;
  const shape = pullShape(request);
  const raw = rowsOf<Record<string, unknown>>(await db.execute(pullStatement(request, shape)));

  // Read after the rows: a prune that committed before the read moved the horizon too. A
  // first pull whose end it passed while it paged expires as well.
  const horizon = await horizonOf(db, served);
  if (before(after, horizon) || before(firstPullEnd, horizon)) return { status: 'expired' };

  const { rows, movedOut, hasMore, last, newest } = readPage(raw, shape, request);
  let position = last ?? after;
  let end: ChangePosition | undefined;
  if (shape === 'first' || firstPullEnd) {
    // A first pull ends where its first page found the table's newest settled change (or
    // the horizon, if later), wherever its last row is: every change of a row it sent has
    // a later position, so the next pull reports the rows that left the query since; the
    // rows before it that it did not send never matched, and the next pull need not
    // report them. Rows of later pages after it may come again in the next pull.
    end = firstPullEnd ?? later(newest, horizon?.settled ? horizon : undefined);
    if (!hasMore) position = end ?? position;
  }
  // The last page of a query whose newest row is older than the horizon (another user's
  // tombstone was pruned later, say) would hand out a cursor that is already expired.
  // Every change up to the horizon is settled and this pull has seen all of them that it
  // may, so the cursor moves up to the horizon.
  if (!hasMore && horizon?.settled && (!position || comparePositions(position, horizon) < 0)) {
    position = horizon;
  }
  const ok = { status: 'ok', rows, movedOut, position, hasMore } as const;
  return hasMore && end ? { ...ok, firstPullEnd: end } : ok;
}

/** A page of a statement's items: rows, moved-out ids, and the positions that count. */
function readPage(raw: Record<string, unknown>[], shape: PullShape, request: PullRequest) {
  const projection = pullProjection(request.served);
  // The first page of a first pull also read the table's newest settled change.
  const newestAt = shape === 'first' ? raw.findLastIndex((item) => item[COVERED] === null) : -1;
  const newest = newestAt < 0 ? undefined : projection.positionOf(raw[newestAt] ?? {});
  const items = newestAt < 0 ? raw : raw.toSpliced(newestAt, 1);
  const hasMore = items.length > request.limit;
  const page = hasMore ? items.slice(0, request.limit) : items;
  const rows: Row[] = shape === 'changes' ? [] : page.map(projection.toRow);
  const movedOut: string[] = [];
  if (shape === 'changes') {
    for (const item of page) {
      if (item[COVERED] === false) movedOut.push(item.id as string);
      else rows.push(projection.toRow(item));
    }
  }
  const last = page.at(-1);
  return { rows, movedOut, hasMore, last: last && projection.positionOf(last), newest };
}

function before(a: ChangePosition | null | undefined, b: ChangePosition | undefined) {
  return a != null && b !== undefined && comparePositions(a, b) < 0;
}

function later(a: ChangePosition | undefined, b: ChangePosition | undefined) {
  if (!a || !b) return a ?? b;
  return comparePositions(a, b) < 0 ? b : a;
}

/** The table's horizon; `settled` when its transaction is below the snapshot's xmin. */
async function horizonOf(db: Db, served: ServedTable) {
  const [found] = await db
    .select({
      changeTxid: pruneHorizon.changeTxid,
      changeSeq: pruneHorizon.changeSeq,
      settled: sql<boolean>`${pruneHorizon.changeTxid} < pg_snapshot_xmin(pg_current_snapshot())`,
    })
    .from(pruneHorizon)
    .where(eq(pruneHorizon.tableName, served.info.name));
  return found && { ...positionOf(found), settled: found.settled };
}
