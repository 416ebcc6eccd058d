import { and, eq, type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/database';
import { pruneHorizon } from '../db/system-tables';
import { type ChangePosition, comparePositions, positionOf } from './cursor';
import type { Row } from './outcomes';
import { pullProjection } from './pull-projection';
import { ownedBy } from './row-writes';
import type { ServedTable } from './tables';

export interface PullRequest {
  served: ServedTable;
  userId: string;
  after: ChangePosition | null;
  limit: number;
  where: SQL | undefined;
}

export type PullResult =
  | { status: 'ok'; rows: Row[]; position: ChangePosition | null; hasMore: boolean }
  | { status: 'expired' };

/**
 * The rows changed after a position, in change order, tombstones included.
 *
 * Only rows written by transactions below the snapshot's xmin are returned: every one of
 * those has finished, so no transaction still running can later commit a row that sorts
 * before what this page returns. A transaction that started early and commits late is
 * therefore never skipped; its rows wait until it is done.
 */
export async function pullChanges(db: Db, request: PullRequest): Promise<PullResult> {
  const { served, after, limit } = request;
  const { changeTxid, changeSeq } = served.system;
  const since = after
    ? sql`(${changeTxid}, ${changeSeq}) > (${after.txid.toString()}::xid8, ${after.seq.toString()}::bigint)`
    : undefined;
  const settled = sql`${changeTxid} < pg_snapshot_xmin(pg_current_snapshot())`;
  const projection = pullProjection(served);
  const where = and(ownedBy(served, request.userId), since, settled, request.where);
  const raw = rowsOf<Record<string, unknown>>(
    await db.execute(
      sql`select ${projection.columns} from ${served.table} where ${where}
        order by ${changeTxid}, ${changeSeq} limit ${limit + 1}`,
    ),
  );

  // Read after the rows: a prune that committed before the read moved the horizon too.
  const horizon = await horizonOf(db, served);
  if (after && horizon && comparePositions(after, horizon) < 0) return { status: 'expired' };

  const hasMore = raw.length > limit;
  const page = hasMore ? raw.slice(0, limit) : raw;
  const last = page.at(-1);
  let position = last ? projection.positionOf(last) : after;
  // The last page of a query whose newest row is older than the horizon (another user's
  // tombstone was pruned later, say) would hand out a cursor that is already expired.
  // Every change up to the horizon is settled and this pull has seen all of them that it
  // may, so the cursor moves up to the horizon.
  if (!hasMore && horizon?.settled && (!position || comparePositions(position, horizon) < 0)) {
    position = horizon;
  }
  return { status: 'ok', rows: page.map(projection.toRow), position, hasMore };
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
