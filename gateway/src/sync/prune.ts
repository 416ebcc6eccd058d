import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/database';
import { pruneHorizon, storedOutcome } from '../db/system-tables';
import type { ServedTable } from './tables';

export interface PruneResult {
  /** Tombstones removed, per table name. */
  tombstones: Record<string, number>;
  /** Stored outcomes removed (their opIds can no longer be replayed). */
  outcomes: number;
}

/**
 * Removes tombstones and stored outcomes older than the retention period. Each table's
 * horizon moves to the newest pruned tombstone, so that pulls from an older cursor fail
 * with CURSOR_EXPIRED instead of silently missing a delete.
 */
export async function pruneExpired(
  db: Db,
  tables: readonly ServedTable[],
  retentionMs: number,
): Promise<PruneResult> {
  const seconds = Math.max(0, retentionMs) / 1000;
  const tombstones: Record<string, number> = {};
  for (const served of tables) {
    const { table, system } = served;
    const result = await db.execute(sql`
      with pruned as (
        delete from ${table}
        where ${system.deleted} and ${served.columns.updatedAt} < now() - make_interval(secs => ${seconds})
        returning ${system.changeTxid} as txid, ${system.changeSeq} as seq
      ), horizon as (
        insert into ${pruneHorizon} (table_name, change_txid, change_seq)
        select ${served.info.name}, txid, seq from pruned order by txid desc, seq desc limit 1
        on conflict (table_name) do update
          set change_txid = excluded.change_txid, change_seq = excluded.change_seq, pruned_at = now()
          where (excluded.change_txid, excluded.change_seq)
            > (${pruneHorizon.changeTxid}, ${pruneHorizon.changeSeq})
      )
      select count(*)::int as count from pruned`);
    tombstones[served.info.name] = rowsOf<{ count: number }>(result)[0]?.count ?? 0;
  }
  const result = await db.execute(sql`
    with pruned as (
      delete from ${storedOutcome}
      where ${storedOutcome.createdAt} < now() - make_interval(secs => ${seconds})
      returning 1
    )
    select count(*)::int as count from pruned`);
  return { tombstones, outcomes: rowsOf<{ count: number }>(result)[0]?.count ?? 0 };
}
