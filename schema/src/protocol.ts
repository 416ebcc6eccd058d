/** The protocol shared by the gateway and the client; see DESIGN.md, "GraphQL API". */

export type OperationKind = 'INSERT' | 'UPDATE' | 'DELETE';

export type OutcomeStatus = 'APPLIED' | 'CONFLICT' | 'REJECTED';

export type ConflictCode = 'VERSION_MISMATCH' | 'ALREADY_EXISTS' | 'NOT_FOUND' | 'DELETED';

export type RejectionCode = 'FORBIDDEN' | 'INVALID' | 'CONSTRAINT';

export type OutcomeCode = ConflictCode | RejectionCode;

/** `extensions.code` of the GraphQL errors the gateway returns. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CURSOR_EXPIRED'
  | 'LIMIT_EXCEEDED'
  | 'INTERNAL_SERVER_ERROR';

/**
 * The header that marks a request as sent by a program, not by a form or a link on another
 * site: the gateway refuses GETs and form, multipart or text/plain posts without it (CSRF).
 * Any value will do.
 */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

export const OPERATION_KINDS: readonly OperationKind[] = ['INSERT', 'UPDATE', 'DELETE'];
export const OUTCOME_STATUSES: readonly OutcomeStatus[] = ['APPLIED', 'CONFLICT', 'REJECTED'];
export const CONFLICT_CODES: readonly ConflictCode[] = [
  'VERSION_MISMATCH',
  'ALREADY_EXISTS',
  'NOT_FOUND',
  'DELETED',
];
export const REJECTION_CODES: readonly RejectionCode[] = ['FORBIDDEN', 'INVALID', 'CONSTRAINT'];

/** An opaque pull position; pass it back as `after`. */
export type Cursor = string & { readonly __cursor: unique symbol };

/** The fields every synced row has. */
export interface SystemFields {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
}

/**
 * One queued change, as the client persists it and pushes it. Plain JSON only.
 * `version` is the version the client last saw (absent for INSERT).
 */
export interface Operation<TData = Record<string, unknown>> {
  opId: string;
  table: string;
  kind: OperationKind;
  id: string;
  version?: number;
  data?: TData;
}

/** What the gateway answered for one operation; `status` tells which of the three it is. */
export type Outcome<TRow = Record<string, unknown>> =
  | AppliedOutcome<TRow>
  | ConflictOutcome<TRow>
  | RejectedOutcome;

/** The operation was applied; `row` is the row as stored now (a tombstone after a delete). */
export interface AppliedOutcome<TRow = Record<string, unknown>> {
  opId: string | null;
  status: 'APPLIED';
  code: null;
  message: null;
  row: TRow;
}

/** The row is not as the operation expected; `row` is the server's (null if it never existed). */
export interface ConflictOutcome<TRow = Record<string, unknown>> {
  opId: string | null;
  status: 'CONFLICT';
  code: ConflictCode;
  message: string | null;
  row: TRow | null;
}

/** The operation can never succeed as sent; `message` says why. */
export interface RejectedOutcome {
  opId: string | null;
  status: 'REJECTED';
  code: RejectionCode;
  message: string | null;
  row: null;
}

export interface PullPage<TRow = Record<string, unknown>> {
  rows: TRow[];
  cursor: Cursor;
  hasMore: boolean;
  /**
   * Ids of rows that changed after the cursor and that the query no longer covers (they no
   * longer match its filter, or belong to someone else now); apply before `rows`.
   */
  movedOut: string[];
}

export function isApplied<TRow>(outcome: Outcome<TRow>): outcome is AppliedOutcome<TRow> {
  return outcome.status === 'APPLIED';
}

export function isConflict<TRow>(outcome: Outcome<TRow>): outcome is ConflictOutcome<TRow> {
  return outcome.status === 'CONFLICT';
}

export function isRejected(outcome: Outcome<unknown>): outcome is RejectedOutcome {
  return outcome.status === 'REJECTED';
}

/** GraphQL names generated for a table: `todoItem` -> `TodoItem`, `pullTodoItems`, `pullTodoItemPages`, ... */
export function tableNames(name: string) {
  const type = name.charAt(0).toUpperCase() + name.slice(1);
  return {
    type,
    pull: `pull${type}s`,
    pullPages: `pull${type}Pages`,
    lookup: name,
    insert: `insert${type}`,
    update: `update${type}`,
    delete: `delete${type}`,
  };
}
