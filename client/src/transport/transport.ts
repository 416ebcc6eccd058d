import type { Cursor, Operation, Outcome, PullPage } from '@syncline/schema';
import type { AnyWhere, StoredRow } from '../types';

/** Why a request did not give an answer the engine can use. */
export type TransportFailure =
  /** No answer: offline, the request or the response was lost. The server may have applied it. */
  | 'network-error'
  /** The token was missing, expired or refused. */
  | 'auth-error'
  /** The cursor is older than the server's tombstone horizon: pull again from the start. */
  | 'cursor-expired'
  /** The server answered with an error that is not the above. */
  | 'server-error';

export type TransportResult<T> =
  | { ok: true; value: T }
  | { ok: false; failure: TransportFailure; message: string; code?: string };

export interface PullRequest {
  table: string;
  after: Cursor | null;
  limit: number;
  where?: AnyWhere;
}

/**
 * The network seam of the sync engine: the gateway's pull and push, nothing else. Failures
 * are values; an implementation never throws for a network or server problem.
 */
export interface Transport {
  pull(request: PullRequest): Promise<TransportResult<PullPage<StoredRow>>>;
  /** Sends one batch; the outcomes come back in the operations' order. */
  push(operations: readonly Operation[]): Promise<TransportResult<Outcome<StoredRow>[]>>;
  /**
   * Whether the gateway answers at all. Asked before pushing while the client is offline,
   * so that an attempt with the network down never sends (and so never ties up) operations.
   */
  probe?(): Promise<boolean>;
}
