/** One live query: its table, how to run it, and whom to tell. */
interface Watcher {
  table: string;
  run: () => Promise<unknown[]>;
  callback: (rows: unknown[]) => void;
  onError: (error: unknown) => void;
  running: boolean;
  dirty: boolean;
  last: string | undefined;
  stopped: boolean;
}

/**
 * Live local queries: each runs once when it starts and again after every change to its
 * table (coalesced while a run is in progress); the callback hears only new results.
 */
export class LiveQueries {
  readonly #watchers = new Set<Watcher>();

  watch(
    table: string,
    run: () => Promise<unknown[]>,
    callback: (rows: unknown[]) => void,
    onError: (error: unknown) => void,
  ): () => void {
    const watcher: Watcher = {
      table,
      run,
      callback,
      onError,
      running: false,
      dirty: false,
      last: undefined,
      stopped: false,
    };
    this.#watchers.add(watcher);
    this.#refresh(watcher);
    return () => {
      watcher.stopped = true;
      this.#watchers.delete(watcher);
    };
  }

  /** Re-runs the live queries of these tables. */
  notify(tables: Iterable<string>): void {
    const changed = new Set(tables);
    for (const watcher of this.#watchers) if (changed.has(watcher.table)) this.#refresh(watcher);
  }

  stopAll(): void {
    for (const watcher of this.#watchers) watcher.stopped = true;
    this.#watchers.clear();
  }

  #refresh(watcher: Watcher): void {
    if (watcher.running) {
      watcher.dirty = true;
      return;
    }
    // Runs on its own; every error goes to the watcher's onError.
    void this.#run(watcher);
  }

  async #run(watcher: Watcher): Promise<void> {
    watcher.running = true;
    watcher.dirty = false;
    try {
      const rows = await watcher.run();
      const serialized = JSON.stringify(rows);
      if (!watcher.stopped && serialized !== watcher.last) {
        watcher.last = serialized;
        watcher.callback(rows);
      }
    } catch (error) {
      watcher.onError(error);
    } finally {
      watcher.running = false;
    }
    if (watcher.dirty && !watcher.stopped) this.#refresh(watcher);
  }
}
