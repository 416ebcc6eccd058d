import { TEST_USER_HEADER } from './gateway-client';

/** `yoga.fetch`, or the global `fetch` for a gateway served over HTTP. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface StreamEvent {
  /** `performance.now()` when it arrived. */
  at: number;
  data?: { changes: { table: string; cursor: string } };
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

const QUERY = 'subscription($tables: [String!]) { changes(tables: $tables) { table cursor } }';

/**
 * Opens a `changes` subscription the way the client does (POST, `accept: text/event-stream`)
 * and reads it in the background: every event and every heartbeat comment, with the time
 * it arrived. `until` waits for a condition on what was read, with a deadline.
 */
export async function openChangeStream(
  fetch: FetchLike,
  url: string,
  options: { tables?: string[] | null; user?: string; signal?: AbortSignal } = {},
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      [TEST_USER_HEADER]: options.user ?? 'alice',
    },
    body: JSON.stringify({ query: QUERY, variables: { tables: options.tables ?? null } }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  const heartbeats: number[] = [];
  let ended = false;
  let buffered = '';
  let wake = () => {};

  const reading = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const at = performance.now();
          if (block === ': heartbeat') heartbeats.push(at);
          const data = block.match(/^event: next\ndata: (.*)$/s)?.[1];
          if (data) events.push({ at, ...JSON.parse(data) });
        }
        wake();
      }
    } catch {
      // Cancelled or cut: the stream has ended.
    } finally {
      ended = true;
      wake();
    }
  })();

  return {
    status: response.status,
    headers: response.headers,
    events,
    heartbeats,
    get ended() {
      return ended;
    },
    /** Resolves once `condition` holds for what was read; fails at the deadline or the end. */
    async until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
      const deadline = performance.now() + timeoutMs;
      while (!condition()) {
        if (ended) throw new Error(`the stream ended before ${what}`);
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    /** Cancels the stream, as a client closing it does, and waits until reading stopped. */
    async close() {
      await reader.cancel().catch(() => {});
      await reading;
    },
  };
}

export type ChangeStream = Awaited<ReturnType<typeof openChangeStream>>;
