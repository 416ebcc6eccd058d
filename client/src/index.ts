export type { SyncClientEvents, SyncResult, SyncStatus } from './client-types';
export type {
  SyncClient,
  SyncClientCommonOptions,
  SyncClientOptions,
} from './create-sync-client';
export { createSyncClient } from './create-sync-client';
export type {
  Conflict,
  ConflictHandler,
  ConflictResolution,
  MergeResult,
} from './engine/conflicts';
export { mergeRows } from './engine/conflicts';
export type { DiscardResult } from './engine/discard';
export type { PullProgress, PullResult, PullStatus } from './engine/pull';
export type { PurgeResult } from './engine/purge';
export type { PushError, PushResult, PushStatus } from './engine/push-result';
export { SyncInputError } from './errors';
export { createIndexedDbStore } from './store/idb-store';
export type {
  Key,
  KeyRange,
  QueryOptions,
  ReadTransaction,
  Store,
  StoreDriver,
  StoreLayout,
  WriteOptions,
  WriteTransaction,
} from './store/store';
export { StoreError } from './store/store';
export type { AutoSyncOptions } from './sync/sync-loop';
export type { PullOptions, PurgeOptions, SyncTableApi } from './table-api';
export type {
  ChangeHint,
  ChangeListener,
  ChangeStream,
  ChangeStreamEnd,
  ChangeStreamOptions,
  PullRequest,
  Transport,
  TransportFailure,
  TransportResult,
} from './transport/transport';
export type { TokenSource, UrqlTransportOptions } from './transport/urql-transport';
export { createUrqlTransport } from './transport/urql-transport';
export type {
  ColumnFilter,
  FindOptions,
  OrderBy,
  Row,
  RowInsert,
  RowUpdate,
  Where,
} from './types';
