import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/database';
import { pruneHorizon } from '../db/system-tables';
import { type ChangePosition, comparePositions, positionOf } from './cursor';
import { publicRow, type Row } from './outcomes';
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
  const rows = (await db
    .select()
    .from(served.table)
    .where(and(ownedBy(served, request.userId), since, settled, request.where))
    .orderBy(changeTxid, changeSeq)
    .limit(limit + 1)) as Row[];

  // Checked after reading: a prune that committed before the read moved the horizon too.
  if (after && (await isBeforeHorizon(db, served, after))) return { status: 'expired' };

  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return {
    status: 'ok',
    rows: page.map((row) => publicRow(served, row)),
    position: last ? positionOf(last) : after,
    hasMore,
  };
}

async function isBeforeHorizon(db: Db, served: ServedTable, position: ChangePosition) {
  const found = await db
    .select()
    .from(pruneHorizon)
    .where(eq(pruneHorizon.tableName, served.info.name));
  const horizon = found[0];
  return horizon !== undefined && comparePositions(position, positionOf(horizon)) < 0;
}
