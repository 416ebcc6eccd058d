import type { ConflictCode, OutcomeCode, TableDescription } from '@syncline/schema';
import type { StoredRow } from '../types';
import { type ConflictResolution, changedData, isResolution } from './conflicts';
import type { EngineContext } from './context';
import { operationOf, type QueuedEntry } from './outbox';
import { requeue, settle } from './settle';
import { dataOf } from './validate';

/** What the push learned of an operation it could not apply. */
export interface ErrorDetails {
  status: 'CONFLICT' | 'REJECTED';
  code: OutcomeCode | null;
  message: string;
  local: StoredRow | null;
  server: StoredRow | null;
}

/** `resolved`: handled, or queued to be sent again; `aborted`; or why it stays reported. */
export type Resolved = 'resolved' | 'aborted' | { message: string };

/** Asks `onConflict` and carries out its answer. */
export async function resolveConflict(
  context: EngineContext,
  table: TableDescription,
  entry: QueuedEntry,
  details: ErrorDetails,
  attempt: number,
): Promise<Resolved> {
  if (!context.onConflict) return { message: details.message };
  const code = details.code as ConflictCode;
  let answer: unknown;
  try {
    answer = await context.onConflict({
      table: table.name,
      operation: operationOf(entry),
      code,
      base: entry.base,
      local: details.local,
      server: details.server,
      attempt,
    });
  } catch (error) {
    return { message: `onConflict threw: ${String(error)} (${details.message})` };
  }
  if (answer === undefined) return { message: details.message };
  if (!isResolution(answer)) {
    return { message: `onConflict returned ${JSON.stringify(answer)}, not a resolution` };
  }
  return carryOut(context, table, entry, details, answer);
}

/** Carries out a resolution, from `onConflict` or decided later through `PushError.resolve`. */
export async function carryOut(
  context: EngineContext,
  table: TableDescription,
  entry: QueuedEntry,
  details: ErrorDetails,
  answer: ConflictResolution,
): Promise<Resolved> {
  const { server, local } = details;
  const live = server && !server.deleted ? server : null;
  switch (answer.action) {
    case 'abort':
      return 'aborted';
    case 'server-wins':
      await settle(context, table, entry, server);
      return 'resolved';
    case 'client-wins': {
      if (entry.kind === 'DELETE') {
        if (!live) {
          await settle(context, table, entry, server);
          return 'resolved';
        }
        await requeue(context, table, entry, { version: live.version, base: live });
        return 'resolved';
      }
      if (live) {
        // Send the local change on the server's version; an insert of a taken id updates it.
        const data = entry.data ?? {};
        await requeue(context, table, entry, {
          kind: 'UPDATE',
          version: live.version,
          data,
          base: live,
        });
        return 'resolved';
      }
      if (!server && local) {
        // The row is not on the server (never was, or not visible): create it from the local row.
        await requeue(context, table, entry, {
          kind: 'INSERT',
          data: changedData(table, local, null),
          base: null,
        });
        return 'resolved';
      }
      return {
        message: `client-wins cannot apply: the row was deleted on the server (${details.message})`,
      };
    }
    case 'merge': {
      let merged: Record<string, unknown>;
      try {
        merged = dataOf(table, `onConflict merge row of ${table.name}`, answer.row, true);
      } catch (error) {
        return { message: String(error) };
      }
      const base = live ?? local ?? null;
      const row = { ...(base ?? {}), ...merged, id: entry.id } as StoredRow;
      if (live) {
        const data = changedData(table, row, live);
        if (Object.keys(data).length === 0) {
          await settle(context, table, entry, live);
          return 'resolved';
        }
        await requeue(
          context,
          table,
          entry,
          { kind: 'UPDATE', version: live.version, data, base: live },
          { ...row, version: live.version },
        );
        return 'resolved';
      }
      if (!server) {
        await requeue(
          context,
          table,
          entry,
          { kind: 'INSERT', data: changedData(table, row, null), base: null },
          row,
        );
        return 'resolved';
      }
      return {
        message: `merge cannot apply: the row was deleted on the server (${details.message})`,
      };
    }
  }
}
