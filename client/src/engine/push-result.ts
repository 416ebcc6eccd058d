import type { Operation, OutcomeCode } from '@syncline/schema';
import type { StoredRow } from '../types';
import type { ConflictResolution } from './conflicts';
import type { EngineContext } from './context';
import { OUTBOX, rowsOf } from './layout';
import { operationOf, type QueuedEntry } from './outbox';
import { carryOut, type ErrorDetails } from './resolve';
import { cancel, newerRow } from './settle';

export type PushStatus = 'complete' | 'network-error' | 'auth-error' | 'aborted' | 'server-error';

/** An operation the push could not apply; it stays in the outbox until one of the calls below. */
export interface PushError {
  table: string;
  operation: Operation;
  /** CONFLICT: left unresolved; REJECTED: the server can never apply it as it is. */
  status: 'CONFLICT' | 'REJECTED';
  code: OutcomeCode | null;
  message: string;
  base: StoredRow | null;
  local: StoredRow | null;
  /** The server's row, when the outcome carried one. */
  server: StoredRow | null;
  /** Drops the operation and keeps `row` here (default: the server's row as last known here). */
  cancelAndUpdate(row?: Record<string, unknown>): Promise<void>;
  /** Drops the operation and the local row. */
  cancelAndDiscard(): Promise<void>;
  /**
   * Decides a reported conflict later, as `onConflict` would have (a dialog's answer):
   * the operation is changed as the resolution says and goes out with the next push.
   * Throws when the resolution cannot apply (the message says why); the entry then stays.
   */
  resolve(resolution: ConflictResolution): Promise<void>;
}

export interface PushResult {
  status: PushStatus;
  /** Operations the server applied in this push. */
  pushed: number;
  errors: PushError[];
  /** What went wrong, when `status` is not `complete`. */
  message?: string;
  /**
   * The gateway asked to slow down (HTTP 429, its rate limit; `status` is `server-error`):
   * how long, in ms, it asked to wait. The queue is kept, and the automatic syncs wait at
   * least this long before the next attempt.
   */
  retryAfterMs?: number;
}

export function pushError(
  context: EngineContext,
  entry: QueuedEntry,
  details: ErrorDetails,
): PushError {
  return {
    table: entry.table,
    operation: operationOf(entry),
    base: entry.base,
    ...details,
    cancelAndUpdate: (row) =>
      cancel(context, entry.table, entry, (stored) => {
        // The newest server copy known here: the outcome's, or one a pull kept since. A
        // rejection carries no server row: the row as last pulled stands in for it.
        const server = newerRow(details.server, stored.server ?? null) ?? stored.base;
        if (!row) return server;
        return { ...(server ?? details.local ?? {}), ...row, id: entry.id } as StoredRow;
      }),
    cancelAndDiscard: () => cancel(context, entry.table, entry, () => null),
    resolve: (resolution) => resolveLater(context, entry, details, resolution),
  };
}

async function resolveLater(
  context: EngineContext,
  entry: QueuedEntry,
  details: ErrorDetails,
  resolution: ConflictResolution,
): Promise<void> {
  const table = context.tables.get(entry.table);
  if (details.status !== 'CONFLICT' || !table) {
    throw new Error(
      `${entry.table} ${entry.id}: only a conflict can be resolved; a rejected operation is cancelled`,
    );
  }
  // The entry and the row as they are now: the row may have changed since the push.
  const [current, local] = await context.store.read([OUTBOX, rowsOf(table.name)], async (tx) => [
    await tx.get<QueuedEntry>(OUTBOX, entry.seq),
    await tx.get<StoredRow>(rowsOf(table.name), entry.id),
  ]);
  if (current?.opId !== entry.opId) {
    throw new Error(`${entry.table} ${entry.id}: the operation is no longer queued`);
  }
  const done = await carryOut(
    context,
    table,
    current as QueuedEntry,
    { ...details, local: (local as StoredRow | undefined) ?? null },
    resolution,
  );
  if (typeof done === 'object') throw new Error(done.message);
}
