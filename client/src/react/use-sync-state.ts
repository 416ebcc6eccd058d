import { useSyncExternalStore } from 'react';
import type { SyncStatus } from '../client-types';
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

/** Whether the device hears others' changes as they happen, updated as it changes. */
export function useLive(): boolean {
  const client = useSyncClient();
  return useSyncExternalStore(
    (changed) => client.on('live', changed),
    () => client.live,
  );
}
