export type { ConflictTracker } from './conflict-tracker';
export type { SyncProviderProps } from './sync-provider';
export { SyncProvider, useSyncClient } from './sync-provider';
export type { Conflicts } from './use-conflicts';
export { useConflicts } from './use-conflicts';
export type { LiveQuery } from './use-live-query';
export { useLiveQuery } from './use-live-query';
export { useLive, usePendingOperations, useSyncStatus } from './use-sync-state';
