import type { SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { OperationKind, RejectionCode } from './protocol';

export type RowValues = Record<string, unknown>;

/**
 * The writes a hook may make inside the operation's transaction. They keep the sync
 * bookkeeping (version, change position) right, so pulls carry them like any write.
 */
export interface SyncWriter {
  /** Reads a live row (not a tombstone) by id, locking it for the rest of the transaction. */
  get(table: PgTable, id: string): Promise<RowValues | null>;
  /** Updates a live row; values may be SQL (`sql\`${col} + 1\``). Returns null when there is none. */
  update(
    table: PgTable,
    id: string,
    values: Record<string, unknown | SQL>,
  ): Promise<RowValues | null>;
}

export interface SyncHookContext {
  kind: OperationKind;
  /** The row as stored by this operation (a tombstone for DELETE). */
  row: RowValues;
  /** The row before this operation; null for INSERT. */
  previous: RowValues | null;
  userId: string;
  writer: SyncWriter;
}

export interface SyncTableHooks {
  /**
   * Runs after the operation's write, in its transaction. Throw `SyncRejection` to undo
   * the operation and report it `REJECTED`; any other error fails the whole request.
   * It may run again for the same operation (a transaction retried after a deadlock is
   * rolled back first), so it should act only through the transaction, never outside it.
   */
  afterWrite?: (context: SyncHookContext) => Promise<void> | void;
}

/** Thrown by a hook to refuse an operation with a code and a message for the developer. */
export class SyncRejection extends Error {
  override readonly name = 'SyncRejection';
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
  }
}
