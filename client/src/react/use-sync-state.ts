import { useSyncExternalStore } from 'react';
import type { SyncStatus } from '../create-sync-client';
import { useSyncClient } from './sync-provider';

/** `online`, `offline` or `syncing`, updated as it changes. */
export function useSyncStatus(): SyncStatus {
  const client = useSyncClient();
  return useSyncExternalStore(
    (changed) => client.on('status', changed),
    () => client.status,
  );
}

/** The number of changes waiting to be pushed, across this database's tabs. */
export function usePendingOperations(): number {
  const client = useSyncClient();
  return useSyncExternalStore(
    (changed) => client.on('pending', changed),
    () => client.pendingOperations(),
  );
}
