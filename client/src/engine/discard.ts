import type { TableDescription } from '@syncline/schema';
import type { StoredRow } from '../types';
import type { EngineContext } from './context';
import { MEMBERS, OUTBOX, QUERIES, rowsOf } from './layout';
import { forget, settleMembership } from './membership';
import { entriesOfRow } from './outbox';

/**
 * `discarded`: the pending change was dropped and the row is back as the server last had
 * it; `nothing-pending`; `in-flight`: the change is being sent (or its answer was lost), so
 * it may already be applied and cannot be taken back here.
 */
export type DiscardResult = 'discarded' | 'nothing-pending' | 'in-flight';

/** Undo before push: drops a row's pending change and restores the row. */
export async function discardPending(
  context: EngineContext,
  table: string,
  id: string,
): Promise<DiscardResult> {
  const described = context.tables.get(table) as TableDescription;
  const collections = [OUTBOX, rowsOf(table), QUERIES, MEMBERS];
  const result = await context.store.write(collections, async (tx) => {
    const entries = await entriesOfRow(tx, table, id);
    const entry = entries.at(-1);
    if (!entry) return 'nothing-pending';
    if (entry.sent) return 'in-flight';
    await tx.delete(OUTBOX, entry.seq);
    const restored: StoredRow | null = entry.server === undefined ? entry.base : entry.server;
    if (restored && !restored.deleted) {
      await tx.put(rowsOf(table), restored);
      // With nothing pending any more, a row its queries no longer cover leaves.
      if (entries.length === 1) await settleMembership(tx, described, restored);
    } else {
      await tx.delete(rowsOf(table), id);
      await forget(tx, table, id);
    }
    return 'discarded';
  });
  if (result === 'discarded') await context.changed([table]);
  return result;
}
