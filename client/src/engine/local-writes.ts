import type { TableDescription } from '@syncline/schema';
import { SyncInputError } from '../errors';
import type { WriteTransaction } from '../store/store';
import type { StoredRow } from '../types';
import type { EngineContext } from './context';
import { OUTBOX, rowsOf } from './layout';
import { enqueue, entriesOfRow, type NewOperation, pendingDelta, type QueuedEntry } from './outbox';
import { checkId, checkRequired, dataOf } from './validate';

function refuseReadOnly(table: TableDescription, call: string) {
  if (table.access === 'read') {
    throw new SyncInputError(`${table.name}.${call}`, `${table.name} is read-only reference data`);
  }
}

/** Inserts a row locally and queues the INSERT, in one transaction. Returns the stored row. */
export async function insertRow(
  context: EngineContext,
  table: TableDescription,
  input: Record<string, unknown>,
): Promise<StoredRow> {
  const at = `${table.name}.insert`;
  refuseReadOnly(table, 'insert');
  const made = input.id === undefined;
  const id = made ? context.newId() : checkId(`${at}.id`, input.id);
  const data = dataOf(table, at, input, false);
  // Defaults the server would apply, so that the row reads and filters the same offline.
  for (const column of table.columns) {
    if (data[column.key] !== undefined) continue;
    if (column.default !== undefined) data[column.key] = column.default;
    else if (column.nullable) data[column.key] = null;
  }
  checkRequired(table, at, data);
  const now = new Date().toISOString();
  const { row, delta } = await context.store.write([rowsOf(table.name), OUTBOX], async (tx) => {
    // An id made here just now (a random UUID) is in neither store: no reads. Otherwise
    // both reads at once, since each awaited request costs a turn of IndexedDB.
    const [existing, entries] = made
      ? [undefined, []]
      : await Promise.all([tx.get(rowsOf(table.name), id), entriesOfRow(tx, table.name, id)]);
    if (existing) {
      throw new SyncInputError(`${at}.id`, `a ${table.name} with id "${id}" exists`);
    }
    const pending = entries.at(-1);
    // Inserting again an id deleted here, before the delete was pushed, updates the server row.
    const version = pending?.kind === 'DELETE' ? (pending.base?.version ?? 0) : 0;
    const stored: StoredRow = {
      ...(pending?.base ?? {}),
      id,
      version,
      createdAt: (pending?.base?.createdAt as string | undefined) ?? now,
      updatedAt: now,
      deleted: false,
      ...data,
    };
    const operation: NewOperation = { table: table.name, kind: 'INSERT', id, data, base: null };
    const delta = await writeAndQueue(
      context,
      tx,
      tx.put(rowsOf(table.name), stored),
      operation,
      entries,
    );
    return { row: stored, delta };
  });
  await context.changed([table.name], delta);
  return row;
}

/**
 * Changes the given fields of a local row and queues an UPDATE of the fields that really
 * changed. A call that changes nothing queues nothing.
 */
export async function updateRow(
  context: EngineContext,
  table: TableDescription,
  input: Record<string, unknown>,
): Promise<StoredRow> {
  const at = `${table.name}.update`;
  refuseReadOnly(table, 'update');
  const id = checkId(`${at}.id`, input.id);
  const patch = dataOf(table, at, input, true);
  const result = await context.store.write([rowsOf(table.name), OUTBOX], async (tx) => {
    const current = await tx.get<StoredRow>(rowsOf(table.name), id);
    if (!current) throw new SyncInputError(`${at}.id`, `there is no ${table.name} "${id}" here`);
    const data = Object.fromEntries(
      Object.entries(patch).filter(([key, value]) => !sameValue(current[key], value)),
    );
    if (Object.keys(data).length === 0) return { row: current, changed: false };
    const row: StoredRow = { ...current, ...data, updatedAt: new Date().toISOString() };
    const operation: NewOperation = {
      table: table.name,
      kind: 'UPDATE',
      id,
      version: current.version,
      data,
      base: current,
    };
    const delta = await writeAndQueue(context, tx, tx.put(rowsOf(table.name), row), operation);
    return { row, changed: true, delta };
  });
  if (result.changed) await context.changed([table.name], result.delta);
  return result.row;
}

/** Deletes a local row and queues the DELETE. False when there was no such row. */
export async function deleteRow(
  context: EngineContext,
  table: TableDescription,
  idInput: unknown,
): Promise<boolean> {
  refuseReadOnly(table, 'delete');
  const id = checkId(`${table.name}.delete.id`, idInput);
  const delta = await context.store.write([rowsOf(table.name), OUTBOX], async (tx) => {
    const current = await tx.get<StoredRow>(rowsOf(table.name), id);
    if (!current) return undefined;
    const operation: NewOperation = {
      table: table.name,
      kind: 'DELETE',
      id,
      version: current.version,
      base: current,
    };
    return writeAndQueue(context, tx, tx.delete(rowsOf(table.name), id), operation);
  });
  if (delta === undefined) return false;
  await context.changed([table.name], delta);
  return true;
}

/**
 * The row's write and its queued operation, issued together (each awaited request costs a
 * turn of IndexedDB); answers how the number of pending operations changed.
 */
async function writeAndQueue(
  context: EngineContext,
  tx: WriteTransaction,
  write: Promise<unknown>,
  operation: NewOperation,
  entries?: readonly QueuedEntry[],
): Promise<number> {
  const [, collapsed] = await Promise.all([write, enqueue(tx, operation, context.newId, entries)]);
  return pendingDelta(collapsed);
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
