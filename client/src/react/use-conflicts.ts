import { useSyncExternalStore } from 'react';
import type { ConflictResolution } from '../engine/conflicts';
import type { PushError } from '../engine/push-result';
import { conflictsOf } from './conflict-tracker';
import { useSyncClient } from './sync-provider';

export interface Conflicts {
  /** Operations the last pushes could not apply: conflicts and rejections, oldest first. */
  conflicts: readonly PushError[];
  /** Keep mine (`client-wins`), keep theirs (`server-wins`) or a merged row; then syncs. */
  resolve(conflict: PushError, resolution: ConflictResolution): Promise<void>;
  /** Drops the change and keeps `row` here (default: the server's row); then syncs. */
  cancel(conflict: PushError, row?: Record<string, unknown>): Promise<void>;
  /** Drops the change and the local row. */
  discard(conflict: PushError): Promise<void>;
}

/**
 * What the app's conflict dialog needs. Each decision is stored before the promise
 * resolves (it survives a reload); the sync that carries it out runs in the background
 * and reports through the client's events, like any other.
 */
export function useConflicts(): Conflicts {
  const client = useSyncClient();
  const tracker = conflictsOf(client);
  const conflicts = useSyncExternalStore(tracker.subscribe, () => tracker.errors);
  const decided = async (conflict: PushError, decide: () => Promise<void>) => {
    await decide();
    tracker.forget(conflict);
    // Its outcome arrives through the client's events; only a bug could make it throw.
    client.sync().catch((error: unknown) => console.error('syncline: sync failed', error));
  };
  return {
    conflicts,
    resolve: (conflict, resolution) => decided(conflict, () => conflict.resolve(resolution)),
    cancel: (conflict, row) => decided(conflict, () => conflict.cancelAndUpdate(row)),
    discard: (conflict) => decided(conflict, () => conflict.cancelAndDiscard()),
  };
}
