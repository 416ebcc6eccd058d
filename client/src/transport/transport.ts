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
  | {
      ok: false;
      failure: TransportFailure;
      message: string;
      code?: string;
      /**
       * The gateway asked to slow down (HTTP 429, `LIMIT_EXCEEDED`): wait at least this long
       * before asking again, from its `Retry-After`.
       */
      retryAfterMs?: number;
    };

export interface PullRequest {
  table: string;
  after: Cursor | null;
  /** Rows a page holds at most. */
  limit: number;
  /** Pages to answer at most, in order; the gateway may answer fewer. */
  pages: number;
  where?: AnyWhere;
}

/**
 * The network seam of the sync engine: the gateway's pull and push, nothing else. Failures
 * are values; an implementation never throws for a network or server problem.
 */
export interface Transport {
  /**
   * The pages after `request.after`, in order: at least one, each the page a pull from the
   * cursor of the one before would give, all but the last with `hasMore`.
   */
  pull(request: PullRequest): Promise<TransportResult<PullPage<StoredRow>[]>>;
  /** Sends one batch; the outcomes come back in the operations' order. */
  push(operations: readonly Operation[]): Promise<TransportResult<Outcome<StoredRow>[]>>;
  /**
   * Whether the gateway answers at all. Asked before pushing while the client is offline,
   * so that an attempt with the network down never sends (and so never ties up) operations.
   */
  probe?(): Promise<boolean>;
  /**
   * Subscribes to the gateway's change hints (server-sent events), for a device that wants
   * to hear of others' changes at once. Optional: without it the client syncs on its
   * schedule only.
   */
  changes?(listener: ChangeListener, options: ChangeStreamOptions): ChangeStream;
}

/** A change hint: rows of `table` changed (at `cursor`); pull it. Never carries data. */
export interface ChangeHint {
  table: string;
  cursor: Cursor;
}

/** Why a change stream ended. */
export type ChangeStreamEnd =
  /** `close()` was called. */
  | { reason: 'closed' }
  | {
      /**
       * `network-error`: no connection, or it broke or went silent; `auth-error`: the token
       * was refused even after a refresh; `refused`: the gateway turned the stream down
       * (too many open streams); `server-error`: anything else.
       */
      reason: 'network-error' | 'auth-error' | 'refused' | 'server-error';
      message: string;
      /** `refused` with HTTP 429: how long the gateway asked to wait before opening another. */
      retryAfterMs?: number;
    };

/** An open subscription to the gateway's change hints. */
export interface ChangeStream {
  /** Resolves once the stream has ended, whatever the reason; never rejects. */
  readonly ended: Promise<ChangeStreamEnd>;
  close(): void;
}

export interface ChangeListener {
  /** The gateway accepted the stream: from now on no change goes unhinted. */
  opened(): void;
  hint(hint: ChangeHint): void;
}

export interface ChangeStreamOptions {
  /** A stream that sends nothing (not even a heartbeat) for this long is taken as dead. */
  staleAfterMs: number;
}
