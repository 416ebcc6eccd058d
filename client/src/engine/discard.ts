import type { StoredRow } from '../types';
import type { EngineContext } from './context';
import { OUTBOX, rowsOf } from './layout';
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
  const result = await context.store.write([OUTBOX, rowsOf(table)], async (tx) => {
    const entry = (await entriesOfRow(tx, table, id)).at(-1);
    if (!entry) return 'nothing-pending';
    if (entry.sent) return 'in-flight';
    await tx.delete(OUTBOX, entry.seq);
    const restored: StoredRow | null = entry.server === undefined ? entry.base : entry.server;
    if (restored && !restored.deleted) await tx.put(rowsOf(table), restored);
    else await tx.delete(rowsOf(table), id);
    return 'discarded';
  });
  if (result === 'discarded') await context.changed([table]);
  return result;
}
