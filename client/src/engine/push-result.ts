import type { Operation, OutcomeCode } from '@syncline/schema';
import type { StoredRow } from '../types';
import type { EngineContext } from './context';
import { operationOf, type QueuedEntry } from './outbox';
import { cancel } from './settle';

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
}

export interface PushResult {
  status: PushStatus;
  /** Operations the server applied in this push. */
  pushed: number;
  errors: PushError[];
  /** What went wrong, when `status` is not `complete`. */
  message?: string;
}

export interface ErrorDetails {
  status: PushError['status'];
  code: OutcomeCode | null;
  message: string;
  local: StoredRow | null;
  server: StoredRow | null;
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
    cancelAndUpdate: async (row) => {
      // A rejection carries no server row: the last one known here stands in for it.
      const server = details.server ?? entry.server ?? entry.base;
      const kept = row ? { ...(server ?? details.local ?? {}), ...row, id: entry.id } : server;
      await cancel(context, entry.table, entry, (kept as StoredRow | null) ?? null);
    },
    cancelAndDiscard: () => cancel(context, entry.table, entry, null),
  };
}
