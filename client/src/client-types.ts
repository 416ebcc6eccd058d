import type { PullResult } from './engine/pull';
import type { PushResult } from './engine/push-result';

/** What the device is doing about the network: `online`, `offline`, or `syncing` now. */
export type SyncStatus = 'online' | 'offline' | 'syncing';

export interface SyncResult {
  status: PushResult['status'];
  push: PushResult;
  /** One result per registered query, keyed `table/queryId`. */
  pulls: Record<string, PullResult>;
}

export interface SyncClientEvents {
  /** The number of pending operations changed. */
  pending: number;
  status: SyncStatus;
  /**
   * The device hears the gateway's change hints (true), so others' changes arrive within
   * moments; false while it does not (offline, reconnecting, or no live connection).
   */
  live: boolean;
  /** Rows of these tables changed here or in another tab. */
  change: { tables: string[] };
  /** A push finished (alone, in a pull or in a sync); its `errors` are what stays unresolved. */
  push: PushResult;
  /** The gateway refused the token, also after asking the token source for a new one. */
  unauthenticated: { message: string };
  /** A sync (automatic or asked for) finished. */
  sync: SyncResult;
}
