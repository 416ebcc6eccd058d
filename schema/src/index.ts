export { answerOfText, type GraphQLAnswer, type OnItems, readAnswer } from './answer-parts';
export type { ColumnDescription, ColumnKind, TableDescription } from './describe-table';
export { columnKind, describeSyncTable } from './describe-table';
export {
  CHANGES_DOCUMENT,
  CHANGES_OPERATION,
  PROBE_DOCUMENT,
  PROBE_OPERATION,
  PULL_OPERATION,
  PUSH_OPERATION,
  pullDocument,
  pushDocument,
} from './documents';
export {
  exampleTables,
  MAX_ACCOLADES_PER_COMMAND,
  todoItem,
  vehicleManufacturer,
  vehicleModel,
  vehicleModelUpdate,
} from './example-model';
export type { RowValues, SyncHookContext, SyncTableHooks, SyncWriter } from './hooks';
export { SyncRejection } from './hooks';
export type {
  AppliedOutcome,
  ConflictCode,
  ConflictOutcome,
  Cursor,
  ErrorCode,
  Operation,
  OperationKind,
  Outcome,
  OutcomeCode,
  OutcomeStatus,
  PullPage,
  RejectedOutcome,
  RejectionCode,
  SystemFields,
} from './protocol';
export {
  CONFLICT_CODES,
  CSRF_HEADER,
  isApplied,
  isConflict,
  isRejected,
  OPERATION_KINDS,
  OUTCOME_STATUSES,
  REJECTION_CODES,
  tableNames,
} from './protocol';
export type {
  OwnedBy,
  SyncTable,
  SyncTableInfo,
  SyncTableOptions,
  TableAccess,
} from './sync-table';
export { CHANGE_SEQUENCE, getSyncTableInfo, SYSTEM_COLUMNS, syncTable } from './sync-table';
