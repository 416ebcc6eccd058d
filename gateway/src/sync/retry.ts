import { setTimeout as pause } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/database';
import { retryableSqlState } from './db-errors';

/** How many times a write transaction is run at most before its error goes to the client. */
export const WRITE_ATTEMPTS = 5;

/** Why an attempt is being run again: the attempt that failed (from 1) and its SQLSTATE. */
export interface TransactionRetry {
  attempt: number;
  sqlState: string;
}

/**
 * Runs `transaction` and, when Postgres aborted it for a deadlock or a serialization failure,
 * runs it again, up to `WRITE_ATTEMPTS` times in all, after a short random pause that grows
 * with each attempt.
 *
 * Postgres rolled the aborted attempt back whole, so the next one starts from nothing, as a
 * first attempt would. `transaction` must therefore do nothing that a rollback cannot undo,
 * and build everything it returns afresh each time. Any other error, and the last attempt's,
 * is thrown as it is.
 */
export async function retryTransaction<T>(
  transaction: (attempt: number) => Promise<T>,
  onRetry: (retry: TransactionRetry) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction(attempt);
    } catch (error) {
      const sqlState = retryableSqlState(error);
      if (sqlState === undefined || attempt >= WRITE_ATTEMPTS) throw error;
      onRetry({ attempt, sqlState });
      await pause(Math.random() * 10 * 2 ** attempt);
    }
  }
}

/**
 * Hooks lock rows that only they know of, in the order of their batch, so batches with hooks
 * can deadlock one another; with many at once, a retried batch would deadlock again and
 * again. So each of their transactions first takes one advisory lock: shared at the first
 * attempt, so that they run side by side, and exclusive at a retry, which then waits for
 * those running and runs alone among them. Call it first in the transaction, holding no
 * other lock, so that this lock is never part of a deadlock itself.
 */
export async function takeTurnForHooks(tx: Db, attempt: number): Promise<void> {
  const key = sql`hashtextextended('syncline: write transactions with hooks', 0)`;
  await tx.execute(
    attempt === 1
      ? sql`select pg_advisory_xact_lock_shared(${key})`
      : sql`select pg_advisory_xact_lock(${key})`,
  );
}
