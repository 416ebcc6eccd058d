import { SyncRejection } from '@syncline/schema';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/database';
import { storedOutcome } from '../db/system-tables';
import type { ApplyContext } from './apply-context';
import { applyInBulk } from './apply-in-bulk';
import { ChangeLog } from './changes';
import { positionOf } from './cursor';
import { rejectionFor } from './db-errors';
import { createHookWriter } from './hook-writer';
import { rejected, toStored, type WriteOutcome } from './outcomes';
import { retryTransaction, takeTurnForHooks, WRITE_ATTEMPTS } from './retry';
import { writeRow } from './row-writes';
import { claimOpId, findStored } from './stored-outcomes';
import type { WriteOperation } from './write-operation';

export type { ApplyContext } from './apply-context';

/**
 * Applies operations in order, in one transaction: an operation that conflicts or is
 * rejected changes nothing, and the others still apply. Change notices go out when the
 * transaction commits. Errors that are not the data's fault roll back the whole batch, so
 * that the client can send it again.
 *
 * Batches without hooks are applied in bulk first (see `applyInBulk`); hooks, and a
 * statement the database refuses, need a savepoint per operation.
 *
 * Concurrent batches, and their hooks, may lock the same rows in other orders. When Postgres
 * breaks such a deadlock (or a serialization failure) by aborting this batch's transaction,
 * the batch is applied again from the start: the opId claims were rolled back with
 * everything else and change notices are only sent on commit, so the client cannot tell a
 * retried batch from one applied at the first attempt.
 */
export async function applyOperations(
  db: Db,
  context: ApplyContext,
  operations: readonly WriteOperation[],
): Promise<WriteOutcome[]> {
  return retryTransaction(
    (attempt) => applyOnce(db, context, operations, attempt),
    ({ attempt, sqlState }) =>
      context.logger.warn(
        {
          attempt,
          of: WRITE_ATTEMPTS,
          sqlState,
          userId: context.userId,
          operations: operations.length,
        },
        'write transaction aborted by a deadlock or serialization failure; applying it again',
      ),
  );
}

async function applyOnce(
  db: Db,
  context: ApplyContext,
  operations: readonly WriteOperation[],
  attempt: number,
): Promise<WriteOutcome[]> {
  const hooked = operations.some((op) => op.served.info.hooks.afterWrite);
  if (hooked) return applyWithSavepoints(db, context, operations, attempt);
  return (
    (await applyInBulk(db, context, operations)) ??
    applyWithSavepoints(db, context, operations, null)
  );
}

/**
 * Each operation in its own savepoint, so that one the database refuses can be undone alone.
 * A batch with hooks takes its turn first (see `takeTurnForHooks`): `attempt` is its number.
 */
async function applyWithSavepoints(
  db: Db,
  context: ApplyContext,
  operations: readonly WriteOperation[],
  hookedAttempt: number | null,
): Promise<WriteOutcome[]> {
  return db.transaction(async (tx) => {
    if (hookedAttempt !== null) await takeTurnForHooks(tx, hookedAttempt);
    const changes = new ChangeLog();
    const outcomes: WriteOutcome[] = [];
    for (const op of operations) outcomes.push(await applyOne(tx, context, op, changes));
    await changes.notify(tx);
    return outcomes;
  });
}

/** Thrown inside a savepoint to undo it and answer with this outcome instead. */
class Undo {
  constructor(readonly outcome: WriteOutcome) {}
}

async function applyOne(
  tx: Db,
  context: ApplyContext,
  op: WriteOperation,
  batchChanges: ChangeLog,
): Promise<WriteOutcome> {
  const { userId } = context;
  if (op.opId !== null) {
    const replayed = await findStored(tx, userId, op.opId);
    if (replayed) return replayed;
  }
  const changes = new ChangeLog();
  try {
    const outcome = await tx.transaction(async (sp) => {
      if (op.opId !== null && !(await claimOpId(sp, userId, op.opId, op.served))) {
        // The same opId committed meanwhile in a concurrent request: answer with its outcome.
        throw new Undo(await replayAfterRace(sp, userId, op.opId));
      }
      const { outcome, stored, previous } = await writeRow(sp, userId, op);
      if (outcome.status !== 'APPLIED' || !stored) throw new Undo(outcome);
      const owner =
        op.served.info.owner === undefined ? null : String(stored[op.served.info.owner]);
      changes.record(op.served, owner, positionOf(stored));
      const hook = op.served.info.hooks.afterWrite;
      if (hook) {
        const writer = createHookWriter(sp, context.servedTables, changes);
        await hook({ kind: op.kind, row: stored, previous, userId, writer });
      }
      if (op.opId !== null) {
        await sp
          .update(storedOutcome)
          .set({ outcome: toStored(outcome) })
          .where(and(eq(storedOutcome.userId, userId), eq(storedOutcome.opId, op.opId)));
      }
      return outcome;
    });
    batchChanges.absorb(changes);
    return outcome;
  } catch (error) {
    if (error instanceof Undo) return error.outcome;
    if (error instanceof SyncRejection)
      return rejected(op.served, op.opId, error.code, error.message);
    const rejection = rejectionFor(error, op.served, op.dataField);
    if (rejection) return rejected(op.served, op.opId, rejection.code, rejection.message);
    throw error;
  }
}

async function replayAfterRace(tx: Db, userId: string, opId: string): Promise<WriteOutcome> {
  const replayed = await findStored(tx, userId, opId);
  if (!replayed) throw new Error(`opId ${opId} was claimed but has no stored outcome`);
  return replayed;
}
