import type { Outcome } from '@syncline/schema';
import type { StoredRow } from '../types';
import type { EngineContext } from './context';
import { OUTBOX, rowsOf } from './layout';
import { operationOf, type QueuedEntry } from './outbox';
import { type PushError, type PushResult, pushError } from './push-result';
import type { ErrorDetails } from './resolve';
import { resolveConflict } from './resolve';
import { requeue, settle } from './settle';

/** What one push run remembers between its batches. */
interface PushRun {
  /** Entries reported in `errors`: not sent again in this run. */
  reported: Set<number>;
  /** Conflict resolutions per entry in this run, against `maxConflictRetries`. */
  attempts: Map<number, number>;
  errors: PushError[];
  pushed: number;
  aborted: boolean;
}

/**
 * Pushes the outbox: batches in queue order, one request per batch, one batch at a time,
 * until it is empty or a request fails. Two operations on one row never share a batch, so
 * the second is sent on the version the first produced.
 */
export async function pushOutbox(context: EngineContext): Promise<PushResult> {
  const run: PushRun = {
    reported: new Set(),
    attempts: new Map(),
    errors: [],
    pushed: 0,
    aborted: false,
  };
  while (!run.aborted) {
    const batch = await takeBatch(context, run);
    if (batch.length === 0) break;
    const answer = await context.transport.push(batch.map(operationOf));
    if (!answer.ok) {
      const status = answer.failure === 'cursor-expired' ? 'server-error' : answer.failure;
      const { message, retryAfterMs } = answer;
      const later = retryAfterMs === undefined ? {} : { retryAfterMs };
      return { status, pushed: run.pushed, errors: run.errors, message, ...later };
    }
    for (const [i, entry] of batch.entries()) {
      const outcome = answer.value[i];
      if (outcome?.opId !== entry.opId || answer.value.length !== batch.length) {
        const message = `the server answered ${answer.value.length} outcomes for ${batch.length} operations`;
        return { status: 'server-error', pushed: run.pushed, errors: run.errors, message };
      }
      await applyOutcome(context, run, entry, outcome);
    }
  }
  return { status: run.aborted ? 'aborted' : 'complete', pushed: run.pushed, errors: run.errors };
}

/**
 * The next batch, marked as sent in the same transaction that reads it, so that no local
 * write can merge into an operation between reading and sending it.
 */
function takeBatch(context: EngineContext, run: PushRun): Promise<QueuedEntry[]> {
  return context.store.write([OUTBOX], async (tx) => {
    const entries = await tx.getAll<QueuedEntry>(OUTBOX, {
      limit: context.batchSize + run.reported.size,
    });
    const batch: QueuedEntry[] = [];
    const rows = new Set<string>();
    // Rows with a reported entry: their later entries wait for the next push, in order.
    const held = new Set<string>();
    for (const entry of entries) {
      const row = `${entry.table}\u0000${entry.id}`;
      if (run.reported.has(entry.seq) || held.has(row)) {
        held.add(row);
        continue;
      }
      if (rows.has(row) || batch.length === context.batchSize) break;
      if (!context.tables.has(entry.table)) {
        run.reported.add(entry.seq);
        run.errors.push(
          pushError(context, entry, {
            status: 'REJECTED',
            code: 'INVALID',
            message: `${entry.table} is not one of this client's tables; the operation stays queued`,
            local: null,
            server: null,
          }),
        );
        continue;
      }
      rows.add(row);
      batch.push(entry);
      if (!entry.sent) await tx.put(OUTBOX, { ...entry, sent: true });
    }
    return batch;
  });
}

async function applyOutcome(
  context: EngineContext,
  run: PushRun,
  entry: QueuedEntry,
  outcome: Outcome<StoredRow>,
) {
  const table = context.tables.get(entry.table);
  if (!table) return;
  if (outcome.status === 'APPLIED') {
    await settle(context, table, entry, outcome.row);
    run.pushed++;
    return;
  }
  const local = await context.store.read([rowsOf(table.name)], (tx) =>
    tx.get<StoredRow>(rowsOf(table.name), entry.id),
  );
  const details: ErrorDetails = {
    status: outcome.status,
    code: outcome.code,
    message: outcome.message ?? outcome.code,
    local: local ?? null,
    server: outcome.row,
  };
  if (outcome.status === 'CONFLICT' && !run.aborted) {
    const attempt = (run.attempts.get(entry.seq) ?? 0) + 1;
    run.attempts.set(entry.seq, attempt);
    if (attempt <= context.maxConflictRetries) {
      const resolved = await resolveConflict(context, table, entry, details, attempt);
      if (resolved === 'resolved') return;
      if (resolved === 'aborted') run.aborted = true;
      else details.message = resolved.message;
    } else {
      details.message = `still conflicting after ${context.maxConflictRetries} resolutions in this push (${details.message})`;
    }
  }
  await report(context, run, entry, details);
}

async function report(
  context: EngineContext,
  run: PushRun,
  entry: QueuedEntry,
  details: ErrorDetails,
) {
  const table = context.tables.get(entry.table);
  if (table) {
    const lastFailure = { status: details.status, code: details.code, message: details.message };
    await requeue(context, table, entry, { lastFailure });
  }
  run.reported.add(entry.seq);
  run.errors.push(pushError(context, entry, details));
}
