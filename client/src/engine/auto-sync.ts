export interface AutoSyncOptions {
  /** Sync this often while online (default 30 s). */
  intervalMs?: number;
  /** The longest wait between retries while offline (default 5 min); retries start at 1 s and double. */
  maxBackoffMs?: number;
  /** Where `online` and `offline` events come from (default: `globalThis`, i.e. `window`). */
  target?: EventTarget;
}

/** What a sync attempt came to, for the schedule. */
export type Attempt = 'synced' | 'offline' | 'failed';

const FIRST_RETRY_MS = 1000;

/**
 * Runs `sync` on `online`, on an interval and when asked, never two at once, retrying with
 * exponential backoff while the network is down.
 */
export class AutoSync {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #running = false;
  #again = false;
  #stopped = false;
  readonly #interval: number;
  readonly #maxBackoff: number;
  readonly #target: EventTarget | undefined;
  readonly #onOnline = () => this.now();
  readonly #onOffline = () => this.onOffline();

  constructor(
    private readonly sync: () => Promise<Attempt>,
    private readonly onOffline: () => void,
    options: AutoSyncOptions,
  ) {
    this.#interval = options.intervalMs ?? 30_000;
    this.#maxBackoff = options.maxBackoffMs ?? 300_000;
    const target = options.target ?? (globalThis as Partial<EventTarget>);
    this.#target =
      typeof target.addEventListener === 'function' ? (target as EventTarget) : undefined;
    this.#target?.addEventListener('online', this.#onOnline);
    this.#target?.addEventListener('offline', this.#onOffline);
    this.#schedule(0);
  }

  /** Syncs as soon as the running sync (if any) is done, and forgets the backoff. */
  now(): void {
    this.#failures = 0;
    this.#schedule(0);
  }

  /** Syncs soon unless the network is known to be down: then the backoff decides. */
  soon(): void {
    if (this.#failures === 0) this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#target?.removeEventListener('online', this.#onOnline);
    this.#target?.removeEventListener('offline', this.#onOffline);
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      // Errors are handled inside #run.
      void this.#run();
    }, delay);
  }

  async #run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    let attempt: Attempt;
    try {
      attempt = await this.sync();
    } catch (error) {
      // After stop() the client is closed under a running sync: that failure is expected.
      if (!this.#stopped) console.error('syncline: automatic sync failed', error);
      attempt = 'failed';
    }
    this.#running = false;
    if (this.#again) {
      this.#again = false;
      this.#schedule(0);
    } else if (attempt === 'synced') {
      this.#failures = 0;
      this.#schedule(this.#interval);
    } else {
      this.#failures++;
      this.#schedule(Math.min(this.#maxBackoff, FIRST_RETRY_MS * 2 ** (this.#failures - 1)));
    }
  }
}
