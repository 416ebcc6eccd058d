import type { ConflictCode, Operation, TableDescription } from '@syncline/schema';

/** What `onConflict` is told: the operation, and the row as base, here and on the server. */
export interface Conflict<TRow = Record<string, unknown>> {
  table: string;
  operation: Operation;
  code: ConflictCode;
  /** The row as last pulled, before the local change; null when the row was made here. */
  base: TRow | null;
  /** The row here now; null when it was deleted here. */
  local: TRow | null;
  /** The row on the server now: a tombstone if deleted there, null if it never existed. */
  server: TRow | null;
  /** 1 the first time this operation conflicts in a push, then 2, ... up to the bound. */
  attempt: number;
}

export type ConflictResolution<TRow = Record<string, unknown>> =
  /** Drop the local change; keep the server's row here. */
  | { action: 'server-wins' }
  /** Send the local change again on the server's version. */
  | { action: 'client-wins' }
  /** Store `row` here and send its differences from the server's row. */
  | { action: 'merge'; row: TRow }
  /** Stop the push; the operation and the rest of the queue stay. */
  | { action: 'abort' };

/** Decides a conflict; returning nothing keeps the operation and reports it in `errors`. */
export type ConflictHandler = (
  conflict: Conflict,
) => ConflictResolution | undefined | Promise<ConflictResolution | undefined>;

export interface MergeResult<TRow> {
  /** The server's row with every field changed only here taken from the local row. */
  row: TRow;
  /** Fields changed both here and on the server, to different values: the server's value is kept. */
  overlapping: string[];
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

const NOT_DATA = new Set(['id', 'version', 'createdAt', 'updatedAt', 'deleted']);

/**
 * A three-way merge of a conflict's rows: fields changed only locally (against `base`) are
 * applied to the server's row. Undefined when the row is gone on either side.
 */
export function mergeRows<TRow extends Record<string, unknown>>(
  conflict: Pick<Conflict<TRow>, 'base' | 'local' | 'server'>,
): MergeResult<TRow> | undefined {
  const { base, local, server } = conflict;
  if (!local || !server || server.deleted === true) return undefined;
  const row: Record<string, unknown> = { ...server };
  const overlapping: string[] = [];
  for (const [key, value] of Object.entries(local)) {
    if (NOT_DATA.has(key)) continue;
    const localChanged = !base || !same(value, base[key]);
    if (!localChanged || same(value, server[key])) continue;
    const serverChanged = !!base && !same(server[key], base[key]);
    if (serverChanged || !base) overlapping.push(key);
    else row[key] = value;
  }
  return { row: row as TRow, overlapping };
}

/** The data columns of `row` that differ from `from`: what an UPDATE must send. */
export function changedData(
  table: TableDescription,
  row: Record<string, unknown>,
  from: Record<string, unknown> | null,
): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const { key } of table.columns) {
    if (row[key] !== undefined && (!from || !same(row[key], from[key]))) data[key] = row[key];
  }
  return data;
}

export function isResolution(value: unknown): value is ConflictResolution {
  const action = (value as { action?: unknown } | null)?.action;
  if (action === 'merge') return typeof (value as { row?: unknown }).row === 'object';
  return action === 'server-wins' || action === 'client-wins' || action === 'abort';
}
