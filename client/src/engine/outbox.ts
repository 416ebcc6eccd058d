import type { Operation, OperationKind, OutcomeCode, OutcomeStatus } from '@syncline/schema';
import type { ReadTransaction, WriteTransaction } from '../store/store';
import type { StoredRow } from '../types';
import { BY_ROW, OUTBOX } from './layout';

/** Why the last push did not apply an entry; kept with it until it is resolved. */
export interface EntryFailure {
  status: OutcomeStatus;
  code: OutcomeCode | null;
  message: string | null;
}

/**
 * One pending operation as the outbox persists it: the plain operation plus what conflict
 * handling needs. Plain JSON, so it survives reloads and deploys.
 */
export interface OutboxEntry extends Operation {
  /** Position in the outbox, assigned by the store; operations are pushed in this order. */
  seq?: number;
  /** The row as the server had it when this change began (as last pulled); null if new here. */
  base: StoredRow | null;
  /** A newer server copy that a pull brought while this change was pending. */
  server?: StoredRow | null;
  /**
   * Sent at least once with no outcome known yet: the server may have applied it under this
   * opId, so nothing is ever merged into it.
   */
  sent: boolean;
  createdAt: string;
  lastFailure?: EntryFailure;
}

/** The entry with its store-assigned position. */
export type QueuedEntry = OutboxEntry & { seq: number };

/** A local change about to be queued. */
export interface NewOperation {
  table: string;
  kind: OperationKind;
  id: string;
  /** The version the change was made on; ignored when it merges into a pending entry. */
  version?: number;
  data?: Record<string, unknown>;
  base: StoredRow | null;
}

export type Collapsed =
  | { action: 'append'; entry: OutboxEntry }
  | { action: 'replace'; entry: OutboxEntry }
  | { action: 'remove'; entry: OutboxEntry };

/**
 * DESIGN.md's collapsing rules, one pending operation per row: insert+update -> insert,
 * insert+delete -> nothing, update+update -> update, update+delete -> delete,
 * delete+insert -> update. An entry already sent is never merged into.
 */
export function collapse(
  previous: OutboxEntry | undefined,
  next: NewOperation,
  newOpId: () => string,
): Collapsed {
  if (!previous || previous.sent) {
    const entry: OutboxEntry = {
      opId: newOpId(),
      table: next.table,
      kind: next.kind,
      id: next.id,
      base: next.base,
      sent: false,
      createdAt: new Date().toISOString(),
    };
    if (next.kind !== 'INSERT' && next.version !== undefined) entry.version = next.version;
    if (next.kind !== 'DELETE' && next.data) entry.data = next.data;
    return { action: 'append', entry };
  }
  const merged = { ...previous };
  delete merged.lastFailure;
  const rule = `${previous.kind}+${next.kind}`;
  switch (rule) {
    case 'INSERT+UPDATE':
    case 'UPDATE+UPDATE':
      return { action: 'replace', entry: { ...merged, data: { ...previous.data, ...next.data } } };
    case 'INSERT+DELETE':
      return { action: 'remove', entry: previous };
    case 'UPDATE+DELETE': {
      delete merged.data;
      return { action: 'replace', entry: { ...merged, kind: 'DELETE' } };
    }
    case 'DELETE+INSERT':
      return { action: 'replace', entry: { ...merged, kind: 'UPDATE', data: next.data ?? {} } };
    default:
      throw new Error(`outbox: ${rule} on ${next.table} ${next.id} cannot happen`);
  }
}

/** The outbox entries of one row, oldest first. */
export function entriesOfRow(
  tx: ReadTransaction,
  table: string,
  id: string,
): Promise<QueuedEntry[]> {
  return tx.getAll<QueuedEntry>(OUTBOX, {
    index: BY_ROW,
    range: { lower: [table, id], upper: [table, id] },
  });
}

/** The outbox entries of one table, oldest first. */
export async function entriesOfTable(tx: ReadTransaction, table: string): Promise<QueuedEntry[]> {
  const entries = await tx.getAll<QueuedEntry>(OUTBOX, {
    index: BY_ROW,
    range: { lower: [table], upper: [table, []] },
  });
  return entries.sort((a, b) => a.seq - b.seq);
}

/**
 * Queues a local change inside the transaction that writes the row. `entries` are the row's
 * entries when the caller has read them already in this transaction.
 */
export async function enqueue(
  tx: WriteTransaction,
  next: NewOperation,
  newOpId: () => string,
  entries?: readonly QueuedEntry[],
): Promise<Collapsed> {
  const known = entries ?? (await entriesOfRow(tx, next.table, next.id));
  const collapsed = collapse(known.at(-1), next, newOpId);
  if (collapsed.action === 'remove') await tx.delete(OUTBOX, collapsed.entry.seq as number);
  else await tx.put(OUTBOX, collapsed.entry);
  return collapsed;
}

/** How a collapse changed the number of pending operations. */
export function pendingDelta(collapsed: Collapsed): number {
  return collapsed.action === 'append' ? 1 : collapsed.action === 'remove' ? -1 : 0;
}

/** The plain operation of an entry, as pushed. */
export function operationOf(entry: OutboxEntry): Operation {
  const operation: Operation = {
    opId: entry.opId,
    table: entry.table,
    kind: entry.kind,
    id: entry.id,
  };
  if (entry.version !== undefined) operation.version = entry.version;
  if (entry.data !== undefined) operation.data = entry.data;
  return operation;
}
