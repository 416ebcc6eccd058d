import { sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { type Db, rowsOf } from '../db/database';
import { ownerMove, pruneHorizon, storedOutcome } from '../db/system-tables';
import { serveTables } from './tables';

export interface PruneResult {
  /** Tombstones removed, per table name. */
  tombstones: Record<string, number>;
  /** Records of rows that moved to another owner removed, per table name. */
  moves: Record<string, number>;
  /** Stored outcomes removed (their opIds can no longer be replayed). */
  outcomes: number;
}

/**
 * Removes tombstones, records of owner moves and stored outcomes older than the retention
 * period. Each table's horizon moves to the newest pruned tombstone or move, so that pulls
 * from an older cursor fail with CURSOR_EXPIRED instead of silently missing a delete or a
 * row that left the caller.
 */
export async function pruneExpired(
  db: Db,
  tables: readonly PgTable[],
  retentionMs: number,
): Promise<PruneResult> {
  const seconds = Math.max(0, retentionMs) / 1000;
  const tombstones: Record<string, number> = {};
  const moves: Record<string, number> = {};
  for (const served of serveTables(tables)) {
    const { table, system } = served;
    const expired = sql`now() - make_interval(secs => ${seconds})`;
    const result = await db.execute(sql`
      with pruned as (
        delete from ${table}
        where ${system.deleted} and ${served.columns.updatedAt} < ${expired}
        returning ${system.changeTxid} as txid, ${system.changeSeq} as seq
      ), pruned_moves as (
        delete from ${ownerMove}
        where ${ownerMove.tableName} = ${served.sqlName} and ${ownerMove.movedAt} < ${expired}
        returning ${ownerMove.changeTxid} as txid, ${ownerMove.changeSeq} as seq
      ), horizon as (
        insert into ${pruneHorizon} (table_name, change_txid, change_seq)
        select ${served.info.name}, txid, seq
        from (select txid, seq from pruned union all select txid, seq from pruned_moves) as gone
        order by txid desc, seq desc limit 1
        on conflict (table_name) do update
          set change_txid = excluded.change_txid, change_seq = excluded.change_seq, pruned_at = now()
          where (excluded.change_txid, excluded.change_seq)
            > (${pruneHorizon.changeTxid}, ${pruneHorizon.changeSeq})
      )
      select (select count(*) from pruned)::int as tombstones,
        (select count(*) from pruned_moves)::int as moves`);
    const [counts] = rowsOf<{ tombstones: number; moves: number }>(result);
    tombstones[served.info.name] = counts?.tombstones ?? 0;
    moves[served.info.name] = counts?.moves ?? 0;
  }
  const result = await db.execute(sql`
    with pruned as (
      delete from ${storedOutcome}
      where ${storedOutcome.createdAt} < now() - make_interval(secs => ${seconds})
      returning 1
    )
    select count(*)::int as count from pruned`);
  return { tombstones, moves, outcomes: rowsOf<{ count: number }>(result)[0]?.count ?? 0 };
}
