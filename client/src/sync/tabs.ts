/**
 * The cross-tab seam: what the clients of one database, one per tab, share. In a browser
 * it is Web Locks and a BroadcastChannel; elsewhere (Node, tests, old browsers) each client
 * is alone and the same calls work within it.
 */
export interface Tabs {
  /** Runs `fn` when no other sync work of this database runs, in this tab or another. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Calls `lead` once this tab is the one that keeps the live connection, which lasts
   * until `close()` (another tab takes over when this one closes).
   */
  lead(lead: () => void): void;
  /** Tells the other tabs. */
  post(message: TabMessage): void;
  /** What the other tabs tell. */
  onMessage(listener: (message: TabMessage) => void): void;
  close(): void;
}

export type TabMessage =
  /** Rows of these tables changed in the sending tab. */
  | { kind: 'changed'; tables: string[] }
  /** The leading tab's live connection opened or closed (also its answer to `asking`). */
  | { kind: 'live'; live: boolean }
  /** A tab that just started asks the leading tab whether it is live. */
  | { kind: 'asking' };

interface LockManagerLike {
  request<T>(
    name: string,
    options: { signal?: AbortSignal } | (() => Promise<T>),
    callback?: () => Promise<T>,
  ): Promise<T>;
}

export function createTabs(name: string): Tabs {
  const browser = globalThis as { navigator?: { locks?: LockManagerLike } };
  const locks = browser.navigator?.locks;
  let queue: Promise<unknown> = Promise.resolve();
  const closing = new AbortController();
  let closed = false;
  let release: (() => void) | undefined;
  const channel =
    typeof BroadcastChannel === 'function' ? new BroadcastChannel(`syncline:${name}`) : undefined;
  // Node keeps a process alive while a channel is open; a browser tab does not care.
  (channel as { unref?: () => void } | undefined)?.unref?.();
  const listeners = new Set<(message: TabMessage) => void>();
  if (channel) {
    channel.onmessage = (event: MessageEvent<TabMessage>) => {
      if (!isMessage(event.data)) return;
      for (const listener of listeners) listener(event.data);
    };
  }

  return {
    exclusive(fn) {
      const run = () => (locks ? locks.request(`syncline:${name}`, fn) : fn());
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    lead(lead) {
      if (!locks) {
        lead();
        return;
      }
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      locks
        .request(`syncline:${name}:live`, { signal: closing.signal }, () => {
          lead();
          return held;
        })
        .catch(() => undefined); // Aborted: this tab closed before its turn came.
    },
    post(message) {
      if (!closed) channel?.postMessage(message);
    },
    onMessage(listener) {
      listeners.add(listener);
    },
    close() {
      closed = true;
      closing.abort();
      release?.();
      listeners.clear();
      channel?.close();
    },
  };
}

function isMessage(data: unknown): data is TabMessage {
  const message = data as TabMessage | undefined;
  if (message?.kind === 'changed') return Array.isArray(message.tables);
  if (message?.kind === 'live') return typeof message.live === 'boolean';
  return message?.kind === 'asking';
}
