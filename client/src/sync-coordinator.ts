import type { SyncClientEvents, SyncResult, SyncStatus } from './create-sync-client';
import type { Emitter } from './engine/events';
import type { LiveQueries } from './engine/live-queries';

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * What the clients of one database share across tabs: one sync at a time (Web Locks when
 * the browser has them), change notices for live queries (BroadcastChannel), the pending
 * count and the status.
 */
export class SyncCoordinator {
  status: SyncStatus;
  pending = 0;
  readonly #channel: BroadcastChannel | undefined;
  readonly #locks: LockManagerLike | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #counting: Promise<void> = Promise.resolve();
  readonly #writeListeners = new Set<() => void>();
  #offline: boolean;

  constructor(
    private readonly name: string,
    private readonly events: Emitter<SyncClientEvents>,
    private readonly live: LiveQueries,
    private readonly countPending: () => Promise<number>,
  ) {
    const navigator = (globalThis as { navigator?: { onLine?: boolean; locks?: LockManagerLike } })
      .navigator;
    this.status = navigator?.onLine === false ? 'offline' : 'online';
    this.#offline = this.status === 'offline';
    this.#locks = navigator?.locks;
    if (typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(`syncline:${name}`);
      // Node keeps a process alive while a channel is open; a browser tab does not care.
      (this.#channel as { unref?: () => void }).unref?.();
      this.#channel.onmessage = (message: MessageEvent<{ tables?: string[] }>) => {
        // The count is read in the background; nobody waits for another tab's change.
        if (Array.isArray(message.data?.tables)) void this.#changedHere(message.data.tables);
      };
    }
  }

  async start(): Promise<void> {
    this.pending = await this.countPending();
  }

  /** Runs `fn` when no other sync work of this database runs, in this tab or another. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = () => (this.#locks ? this.#locks.request(`syncline:${this.name}`, fn) : fn());
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** `exclusive`, showing `syncing` meanwhile and `online`/`offline` after. */
  syncing(fn: () => Promise<SyncResult>): Promise<SyncResult> {
    return this.exclusive(async () => {
      this.setStatus('syncing');
      try {
        const result = await fn();
        this.setStatus(result.status === 'network-error' ? 'offline' : 'online');
        this.events.emit('sync', result);
        return result;
      } catch (error) {
        this.setStatus(this.#offline ? 'offline' : 'online');
        throw error;
      }
    });
  }

  /** The network was down at the last attempt or `offline` event (also while `syncing`). */
  get offline(): boolean {
    return this.#offline;
  }

  setStatus(wanted: SyncStatus): void {
    // A sync that finished well after the browser lost its network (an `offline` event
    // during the sync) must not show `online`: the browser knows better.
    const status = wanted === 'online' && this.#browserOffline() ? 'offline' : wanted;
    if (status !== 'syncing') this.#offline = status === 'offline';
    if (status === this.status) return;
    this.status = status;
    this.events.emit('status', status);
  }

  /**
   * Rows of these tables changed in this tab: tell live queries and other tabs; resolves
   * once the pending count is up to date. A local write that knows how it changed the
   * outbox passes `pendingDelta`, which saves reading the count again.
   */
  changed(tables: Iterable<string>, pendingDelta?: number): Promise<void> {
    const list = [...tables];
    this.#channel?.postMessage({ tables: list });
    return this.#changedHere(list, pendingDelta);
  }

  /** Called when the pending count goes up, i.e. after a local write here or in another tab. */
  onLocalWrite(listener: () => void): void {
    this.#writeListeners.add(listener);
  }

  #browserOffline(): boolean {
    return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
  }

  close(): void {
    this.#channel?.close();
    this.#writeListeners.clear();
  }

  #changedHere(tables: string[], pendingDelta?: number): Promise<void> {
    this.live.notify(tables);
    this.events.emit('change', { tables });
    // Counts and deltas apply in order; a count read later corrects any drift.
    this.#counting = this.#counting.then(() =>
      pendingDelta === undefined ? this.#count() : this.#setPending(this.pending + pendingDelta),
    );
    return this.#counting;
  }

  async #count(): Promise<void> {
    let count: number;
    try {
      count = await this.countPending();
    } catch {
      return; // The store was closed; nobody is listening any more.
    }
    this.#setPending(count);
  }

  #setPending(count: number): void {
    if (count === this.pending) return;
    const grew = count > this.pending;
    this.pending = count;
    this.events.emit('pending', count);
    if (grew) for (const listener of this.#writeListeners) listener();
  }
}
