import type { TableDescription } from '@syncline/schema';
import type { SyncClientEvents, SyncResult, SyncStatus } from '../client-types';
import type { EngineContext } from '../engine/context';
import type { Emitter } from '../engine/events';
import type { PullProgress, PullResult } from '../engine/pull';
import type { PushResult } from '../engine/push-result';
import type { ChangeStream } from '../transport/transport';
import type { LocalChanges } from './local-changes';
import { createSyncRuns, type RunReports, type SyncRuns } from './sync-runs';
import type { Tabs } from './tabs';

export interface AutoSyncOptions {
  /** Sync this often while online (default 30 s). */
  intervalMs?: number;
  /** The longest wait between retries while offline (default 5 min); retries start at 1 s and double. */
  maxBackoffMs?: number;
  /** Where `online` and `offline` events come from (default: `globalThis`, i.e. `window`). */
  target?: EventTarget;
  /**
   * Hold a change stream to the gateway while online, so that others' changes are pulled
   * within moments instead of at the next interval (default true).
   */
  live?: boolean;
  /**
   * A change stream that sends nothing, not even the gateway's heartbeat, for this long is
   * taken as dead and opened again (default 45 s: three of the gateway's 15 s heartbeats).
   */
  staleAfterMs?: number;
}

export interface SyncLoopParts {
  context: EngineContext;
  tabs: Tabs;
  events: Emitter<SyncClientEvents>;
  changes: LocalChanges;
  /** `false`: sync only when asked. */
  schedule: false | AutoSyncOptions;
}

const FIRST_RETRY_MS = 1000;
/** The longest wait before opening a change stream again. */
const LAST_STREAM_RETRY_MS = 30_000;

/**
 * When this device syncs, and why. Unless auto-sync is off, it syncs (pushes, then pulls
 * every registered query):
 * - at start, on the browser's `online` event, and every `intervalMs` while online;
 * - soon after a local write, here or in another tab (the pending count grew);
 * - after a failure, again in 1 s, doubling up to `maxBackoffMs` while the network is down
 *   (`online` starts over at once);
 * - never before the time the gateway asked for when it answered 429 (`Retry-After`): until
 *   then no automatic sync runs and hints wait for the sync that follows;
 * - each time the live connection opens: hints sent while it was closed are lost, so one
 *   sync catches up with whatever they would have said.
 * While live, a hint pulls the registered queries of its table at once; hints arriving
 * meanwhile are merged into the next such pull. And it syncs, pushes or pulls when the app
 * asks. One sync at a time across the database's tabs; one tab holds the live connection
 * and tells the others whether it is live.
 */
export class SyncLoop {
  status: SyncStatus;
  live = false;
  readonly #runs: SyncRuns;
  readonly #tabs: Tabs;
  readonly #events: Emitter<SyncClientEvents>;
  readonly #context: EngineContext;
  readonly #schedule: Required<Omit<AutoSyncOptions, 'target'>> | undefined;
  readonly #target: EventTarget | undefined;
  #offline: boolean;
  #closed = false;
  // The schedule.
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When `#timer` runs (`Date.now()`). */
  #dueAt = 0;
  #failures = 0;
  #running = false;
  #again = false;
  /** No automatic request before this time (`Date.now()`): the gateway asked to slow down. */
  #notBefore = 0;
  // The live connection.
  #leading = false;
  #stream: ChangeStream | undefined;
  #streamFailures = 0;
  #reconnect: ReturnType<typeof setTimeout> | undefined;
  readonly #hinted = new Set<string>();
  #pullingHinted = false;
  readonly #onOnline = () => this.#wentOnline();
  readonly #onOffline = () => this.#wentOffline();

  constructor(parts: SyncLoopParts) {
    this.#context = parts.context;
    this.#tabs = parts.tabs;
    this.#events = parts.events;
    this.status = browserOffline() ? 'offline' : 'online';
    this.#offline = this.status === 'offline';
    this.#runs = createSyncRuns(parts.context, {
      isOffline: () => this.#offline,
      answered: (result) => this.#answered(result),
      pushed: (result) => this.#events.emit('push', result),
    });
    if (parts.schedule === false) return;
    this.#schedule = {
      intervalMs: parts.schedule.intervalMs ?? 30_000,
      maxBackoffMs: parts.schedule.maxBackoffMs ?? 300_000,
      live: parts.schedule.live ?? true,
      staleAfterMs: parts.schedule.staleAfterMs ?? 45_000,
    };
    const target = parts.schedule.target ?? (globalThis as Partial<EventTarget>);
    this.#target =
      typeof target.addEventListener === 'function' ? (target as EventTarget) : undefined;
    this.#target?.addEventListener('online', this.#onOnline);
    this.#target?.addEventListener('offline', this.#onOffline);
    parts.changes.onLocalWrite(() => this.#syncSoon());
    if (this.#schedule.live && this.#context.transport.changes) {
      this.#tabs.onMessage((message) => {
        if (message.kind === 'live' && !this.#leading) this.#setLive(message.live);
        if (message.kind === 'asking' && this.#leading) {
          this.#tabs.post({ kind: 'live', live: this.live });
        }
      });
      this.#tabs.lead(() => {
        this.#leading = true;
        this.#connect();
      });
      // Until this tab leads, it is as live as the tab that does.
      if (!this.#leading) this.#tabs.post({ kind: 'asking' });
    }
    this.#syncAt(0);
  }

  // What the app asks for.

  push(): Promise<PushResult> {
    return this.#tabs.exclusive(() => this.#runs.push());
  }

  pull(
    table: TableDescription,
    queryId: string | null,
    where: Record<string, unknown> | null,
    onProgress?: (progress: PullProgress) => void,
  ): Promise<PullResult> {
    return this.#tabs.exclusive(() => this.#runs.pull(table, queryId, where, onProgress));
  }

  /** Pushes, then pulls every registered query, showing `syncing` meanwhile. */
  sync(): Promise<SyncResult> {
    return this.#tabs.exclusive(async () => {
      this.#setStatus('syncing');
      try {
        const result = await this.#runs.sync();
        this.#setStatus(result.status === 'network-error' ? 'offline' : 'online');
        this.#events.emit('sync', result);
        return result;
      } catch (error) {
        this.#setStatus(this.#offline ? 'offline' : 'online');
        throw error;
      }
    });
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#reconnect);
    this.#stream?.close();
    // The other tabs hear it now, before the seam closes; one of them leads next.
    this.#setLive(false);
    this.#target?.removeEventListener('online', this.#onOnline);
    this.#target?.removeEventListener('offline', this.#onOffline);
  }

  // The schedule.

  /** Syncs as soon as the running sync (if any) is done, and forgets the backoff. */
  #syncNow(): void {
    this.#failures = 0;
    this.#syncAt(0);
  }

  /** Syncs soon unless the network is known to be down: then the backoff decides. */
  #syncSoon(): void {
    if (this.#failures === 0) this.#syncAt(0);
  }

  /**
   * The next automatic sync, in `delay` ms (never before the time a 429 asked for). A sync
   * already due sooner stays: the end of a sync must not put off the one a write asked for
   * while it ran.
   */
  #syncAt(delay: number): void {
    if (this.#closed || !this.#schedule) return;
    const now = Date.now();
    const at = now + Math.max(delay, this.#notBefore - now);
    if (this.#timer !== undefined && this.#dueAt <= at && this.#dueAt >= this.#notBefore) return;
    clearTimeout(this.#timer);
    this.#dueAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Errors are handled inside #scheduled.
      void this.#scheduled();
    }, at - now);
  }

  async #scheduled(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    let synced: SyncResult['status'] | 'threw';
    try {
      synced = (await this.sync()).status;
    } catch (error) {
      // A client closed under a running sync fails it: that is expected.
      if (!this.#closed) console.error('syncline: automatic sync failed', error);
      synced = 'threw';
    }
    this.#running = false;
    const schedule = this.#schedule;
    if (!schedule) return;
    if (this.#again) {
      this.#again = false;
      this.#syncAt(0);
    } else if (synced === 'complete') {
      this.#failures = 0;
      this.#syncAt(schedule.intervalMs);
      this.#connect();
    } else {
      this.#failures++;
      this.#syncAt(backoff(this.#failures, schedule.maxBackoffMs));
    }
  }

  #wentOnline(): void {
    this.#syncNow();
    this.#streamFailures = 0;
    this.#connect();
  }

  #wentOffline(): void {
    this.#setStatus('offline');
    this.#stream?.close();
  }

  // The live connection.

  /** Opens the change stream, when this tab leads and none is open or about to open. */
  #connect(): void {
    const schedule = this.#schedule;
    const transport = this.#context.transport;
    if (this.#closed || !this.#leading || this.#stream || !schedule || !transport.changes) return;
    if (browserOffline()) return;
    clearTimeout(this.#reconnect);
    this.#reconnect = undefined;
    const stream = transport.changes(
      {
        opened: () => {
          this.#streamFailures = 0;
          this.#setLive(true);
          this.#syncNow();
        },
        hint: (hint) => this.#hint(hint.table),
      },
      { staleAfterMs: schedule.staleAfterMs },
    );
    this.#stream = stream;
    void stream.ended.then((end) => {
      if (this.#stream === stream) this.#stream = undefined;
      this.#setLive(false);
      if (end.reason === 'closed' || this.#closed) return;
      if (end.reason === 'auth-error')
        this.#events.emit('unauthenticated', { message: end.message });
      this.#streamFailures++;
      // A 429 says how long to wait before opening another.
      const wait = Math.max(
        backoff(this.#streamFailures, LAST_STREAM_RETRY_MS),
        end.retryAfterMs ?? 0,
      );
      clearTimeout(this.#reconnect);
      this.#reconnect = setTimeout(() => this.#connect(), wait);
    });
  }

  #hint(table: string): void {
    this.#hinted.add(table);
    // Errors are handled inside #pullHinted.
    if (!this.#pullingHinted) void this.#pullHinted();
  }

  /** Pulls the hinted tables' queries until no hint is left; hints meanwhile join the next round. */
  async #pullHinted(): Promise<void> {
    this.#pullingHinted = true;
    try {
      while (this.#hinted.size > 0 && !this.#closed) {
        if (Date.now() < this.#notBefore) {
          // The gateway asked to wait: the sync after the wait pulls every query.
          this.#hinted.clear();
          this.#syncAt(0);
          break;
        }
        const tables = new Set(this.#hinted);
        this.#hinted.clear();
        await this.#tabs.exclusive(() => this.#runs.pullRegistered(tables));
      }
    } catch (error) {
      if (!this.#closed) console.error('syncline: pulling after a change hint failed', error);
    } finally {
      this.#pullingHinted = false;
    }
  }

  #setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.#events.emit('live', live);
    if (this.#leading) this.#tabs.post({ kind: 'live', live });
  }

  // Status.

  /** What a request came to: the gateway answered, or it could not be reached. */
  #answered(result: Parameters<RunReports['answered']>[0]): void {
    if (result.retryAfterMs !== undefined) {
      this.#notBefore = Math.max(this.#notBefore, Date.now() + result.retryAfterMs);
    }
    this.#setStatus(result.status === 'network-error' ? 'offline' : 'online');
    if (result.status === 'auth-error') {
      this.#events.emit('unauthenticated', { message: result.message ?? 'unauthenticated' });
    }
  }

  #setStatus(wanted: SyncStatus): void {
    // A sync that finished well after the browser lost its network (an `offline` event
    // during the sync) must not show `online`: the browser knows better.
    const status = wanted === 'online' && browserOffline() ? 'offline' : wanted;
    if (status !== 'syncing') this.#offline = status === 'offline';
    if (status === this.status) return;
    this.status = status;
    this.#events.emit('status', status);
  }
}

/** The wait before the next attempt after `failures` in a row: 1 s, doubling, at most `max`. */
function backoff(failures: number, max: number): number {
  return Math.min(max, FIRST_RETRY_MS * 2 ** (failures - 1));
}

function browserOffline(): boolean {
  return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
}
