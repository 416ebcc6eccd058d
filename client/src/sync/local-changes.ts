import type { SyncClientEvents } from '../client-types';
import type { Emitter } from '../engine/events';
import type { LiveQueries } from '../engine/live-queries';
import type { Tabs } from './tabs';

/**
 * Where rows changed, here or in another tab of the same database: live queries run again,
 * the other tabs hear of it, the `change` event fires, and the pending count follows.
 */
export class LocalChanges {
  pending = 0;
  #counting: Promise<void> = Promise.resolve();
  readonly #writeListeners = new Set<() => void>();

  constructor(
    private readonly tabs: Tabs,
    private readonly events: Emitter<SyncClientEvents>,
    private readonly live: LiveQueries,
    private readonly countPending: () => Promise<number>,
  ) {
    tabs.onMessage((message) => {
      // The count is read in the background; nobody waits for another tab's change.
      if (message.kind === 'changed') void this.#changedHere(message.tables);
    });
  }

  async start(): Promise<void> {
    this.pending = await this.countPending();
  }

  /**
   * Rows of these tables changed in this tab: tell live queries and other tabs; resolves
   * once the pending count is up to date. A local write that knows how it changed the
   * outbox passes `pendingDelta`, which saves reading the count again.
   */
  changed(tables: Iterable<string>, pendingDelta?: number): Promise<void> {
    const list = [...tables];
    this.tabs.post({ kind: 'changed', tables: list });
    return this.#changedHere(list, pendingDelta);
  }

  /** Called when the pending count goes up, i.e. after a local write here or in another tab. */
  onLocalWrite(listener: () => void): void {
    this.#writeListeners.add(listener);
  }

  close(): void {
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
