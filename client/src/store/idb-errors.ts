import { StoreError } from './store';

const HINTS: Record<string, string> = {
  QuotaExceededError: 'the storage quota is exceeded',
  DataError: 'not a valid key',
  DataCloneError: 'the value cannot be stored (structured clone failed)',
  ConstraintError: 'a constraint failed',
  InvalidStateError: 'the database connection is closed',
  TransactionInactiveError:
    'the transaction has already committed (did fn await something other than the store?)',
  AbortError: 'the transaction was aborted',
  VersionError: 'the database is newer than requested',
};

export function errorName(error: unknown): string {
  const name = typeof error === 'object' && error !== null ? Reflect.get(error, 'name') : undefined;
  return typeof name === 'string' ? name : '';
}

export function toStoreError(error: unknown, what: string): StoreError {
  if (error instanceof StoreError) return error;
  const name = errorName(error);
  const detail = error instanceof Error ? `${name}: ${error.message}` : String(error);
  return new StoreError(`${what}: ${HINTS[name] ?? 'IndexedDB failed'} (${detail})`, {
    cause: error,
  });
}

export async function attempt<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStoreError(error, what);
  }
}

export function abortQuietly(transaction: { abort(): void }): void {
  try {
    transaction.abort();
  } catch {
    // The transaction has already finished or aborted.
  }
}
