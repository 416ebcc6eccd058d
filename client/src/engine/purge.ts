import type { TableDescription } from '@syncline/schema';
import type { AnyWhere, StoredRow } from '../types';
import type { EngineContext } from './context';
import { MEMBERS, OUTBOX, QUERIES, rowsOf } from './layout';
import { forget } from './membership';
import { entriesOfTable } from './outbox';
import type { StoredQuery } from './queries';
import { matchesWhere } from './query';

export type PurgeResult =
  /** `purged` rows were removed here, and `discarded` pending operations with them. */
  | { status: 'purged'; purged: number; discarded: number }
  /** Nothing was removed: the table has `pending` operations and `force` was not given. */
  | { status: 'refused'; pending: number };

/**
 * Removes local rows (those matching `where`, or all) and resets the cursors of every query
 * of the table, so that the next pull brings back whatever the server still has. Refuses
 * while the table has pending operations unless `force`, which discards the pending
 * operations of the purged rows (all of the table's when there is no `where`).
 */
export async function purgeRows(
  context: EngineContext,
  table: TableDescription,
  where: AnyWhere | null,
  force: boolean,
): Promise<PurgeResult> {
  const result = await context.store.write(
    [rowsOf(table.name), OUTBOX, QUERIES, MEMBERS],
    async (tx): Promise<PurgeResult> => {
      const pending = await entriesOfTable(tx, table.name);
      if (pending.length > 0 && !force) return { status: 'refused', pending: pending.length };
      const rows = await tx.getAll<StoredRow>(rowsOf(table.name));
      const purged = where ? rows.filter((row) => matchesWhere(row, where)) : rows;
      for (const row of purged) {
        await tx.delete(rowsOf(table.name), row.id);
        await forget(tx, table.name, row.id);
      }
      const ids = new Set(purged.map((row) => row.id));
      const discarded = where ? pending.filter((entry) => ids.has(entry.id)) : pending;
      for (const entry of discarded) await tx.delete(OUTBOX, entry.seq);
      const queries = await tx.getAll<StoredQuery>(QUERIES, {
        range: { lower: [table.name], upper: [table.name, []] },
      });
      for (const query of queries) await tx.put(QUERIES, { ...query, cursor: null });
      return { status: 'purged', purged: purged.length, discarded: discarded.length };
    },
  );
  if (result.status === 'purged') await context.changed([table.name]);
  return result;
}
