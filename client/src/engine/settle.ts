import type { TableDescription } from '@syncline/schema';
import type { WriteTransaction } from '../store/store';
import type { StoredRow } from '../types';
import type { EngineContext } from './context';
import { MEMBERS, OUTBOX, QUERIES, rowsOf } from './layout';
import { forget, settleMembership } from './membership';
import { entriesOfRow, type OutboxEntry, type QueuedEntry } from './outbox';

const SERVER_FIELDS = ['version', 'createdAt', 'updatedAt', 'deleted'];

/** The entry as stored now, or undefined when it left the outbox (cancelled, purged). */
async function current(tx: WriteTransaction, entry: QueuedEntry) {
  const stored = await tx.get<QueuedEntry>(OUTBOX, entry.seq);
  return stored?.opId === entry.opId ? stored : undefined;
}

/**
 * The server's row is known for this entry's row: take the entry off the outbox and keep
 * the row here. When later local changes to the row are queued, they now build on this
 * server version: their `version` and `base` move to it, and the local row keeps its data
 * but takes the server's version and owner, so those changes do not conflict falsely.
 *
 * `server` may be older than a copy a pull kept beside the entry: a replayed push answers
 * with its first outcome, however much the row changed since. The newer of the two is
 * kept, so that the row never goes back to a version the cursor has moved past.
 */
export async function settle(
  context: EngineContext,
  table: TableDescription,
  entry: QueuedEntry,
  server: StoredRow | null,
): Promise<void> {
  await context.store.write([OUTBOX, rowsOf(table.name), QUERIES, MEMBERS], async (tx) => {
    const stored = await current(tx, entry);
    if (!stored) return;
    await tx.delete(OUTBOX, entry.seq);
    const later = await entriesOfRow(tx, table.name, entry.id);
    const local = await tx.get<StoredRow>(rowsOf(table.name), entry.id);
    if (later.length > 0) {
      // Later changes were made on this outcome's row; a newer copy is kept for them, and
      // sending them on this version lets the server report a conflict with it.
      const live = server && !server.deleted ? server : null;
      for (const next of later) {
        if (live && next.kind !== 'INSERT') next.version = live.version;
        next.base = server;
        const kept = newerRow(next.server, stored.server);
        if (kept) next.server = kept;
        await tx.put(OUTBOX, next);
      }
      if (local && live)
        await tx.put(rowsOf(table.name), { ...local, ...systemFields(table, live) });
      return;
    }
    // No row (a conflict saying it does not exist) is the server's state now: it stands.
    const latest = server && newerRow(server, stored.server ?? null);
    if (!latest || latest.deleted || table.access === 'write') {
      // Commands are the server's once applied: they are never pulled, so none are kept here.
      await tx.delete(rowsOf(table.name), entry.id);
      await forget(tx, table.name, entry.id);
    } else {
      await tx.put(rowsOf(table.name), latest);
      // A row that left its queries while this change was pending may leave now.
      await settleMembership(tx, table, latest);
    }
  });
  await context.changed([table.name]);
}

/** The newer of two copies of one server row (versions only grow, deletes included). */
export function newerRow<T extends StoredRow | null | undefined>(a: T, b: T): T {
  if (!a) return b;
  if (!b) return a;
  return b.version > a.version ? b : a;
}

function systemFields(table: TableDescription, row: StoredRow): Record<string, unknown> {
  const keys = table.owner === undefined ? SERVER_FIELDS : [...SERVER_FIELDS, table.owner];
  return Object.fromEntries(keys.map((key) => [key, row[key]]));
}

/**
 * Puts an entry back in the queue, changed as a conflict's resolution says (or unchanged
 * but no longer in flight), and optionally replaces the local row. False when the entry
 * had already left the outbox.
 */
export async function requeue(
  context: EngineContext,
  table: TableDescription,
  entry: QueuedEntry,
  change: Partial<OutboxEntry>,
  local?: StoredRow,
): Promise<boolean> {
  const done = await context.store.write([OUTBOX, rowsOf(table.name)], async (tx) => {
    const stored = await current(tx, entry);
    if (!stored) return false;
    const next: OutboxEntry = { ...stored, ...change, sent: false };
    if (next.kind === 'INSERT') delete next.version;
    if (next.kind === 'DELETE') delete next.data;
    await tx.put(OUTBOX, next);
    if (local) await tx.put(rowsOf(table.name), local);
    return true;
  });
  if (local) await context.changed([table.name]);
  return done;
}

/**
 * Takes an entry off the outbox without sending it and sets the local row to what `keep`
 * says (null: none). `keep` sees the entry as stored now, with the newest copy a pull kept.
 * An entry that has left the outbox (applied by a later push, or cancelled) is done with:
 * its row is left as it is.
 */
export async function cancel(
  context: EngineContext,
  table: string,
  entry: QueuedEntry,
  keep: (stored: QueuedEntry) => StoredRow | null,
): Promise<void> {
  if (!context.tables.has(table)) {
    // A table this client no longer has: there is no local row to set.
    await context.store.write([OUTBOX], async (tx) => {
      if (await current(tx, entry)) await tx.delete(OUTBOX, entry.seq);
    });
    await context.changed([table]);
    return;
  }
  const described = context.tables.get(table) as TableDescription;
  const collections = [OUTBOX, rowsOf(table), QUERIES, MEMBERS];
  const cancelled = await context.store.write(collections, async (tx) => {
    const stored = await current(tx, entry);
    if (!stored) return false;
    await tx.delete(OUTBOX, entry.seq);
    const local = keep(stored);
    if (local && !local.deleted) {
      await tx.put(rowsOf(table), local);
      if ((await entriesOfRow(tx, table, entry.id)).length === 0) {
        await settleMembership(tx, described, local);
      }
    } else {
      await tx.delete(rowsOf(table), entry.id);
      await forget(tx, table, entry.id);
    }
    return true;
  });
  if (cancelled) await context.changed([table]);
}
