import { CHANGES_DOCUMENT } from '@syncline/schema';
import type {
  ChangeHint,
  ChangeListener,
  ChangeStream,
  ChangeStreamEnd,
  ChangeStreamOptions,
} from './transport';

/** How to reach the gateway's `changes` subscription. */
export interface StreamConnection {
  url: string;
  fetch: typeof fetch;
  /** The request's headers with the current token, or a refreshed one; throws without one. */
  headers(refresh: boolean): Promise<Record<string, string>>;
  /** Whether asking again with `refresh` can give another token. */
  refreshable: boolean;
}

interface StreamEvent {
  event: string;
  data: string;
}

interface NextPayload {
  data?: { changes?: ChangeHint } | null;
  errors?: { message?: string; extensions?: { code?: unknown } }[];
}

/**
 * The `changes` subscription as server-sent events over `fetch` (a POST, so that it
 * carries the token and the CSRF header like every other request, in browsers and in
 * Node). A refused token is refreshed once, as requests do. Comments (the gateway's
 * heartbeats) only show that the stream is alive: after `staleAfterMs` without a byte, it
 * is taken as dead and ends.
 */
export function openChangeStream(
  connection: StreamConnection,
  listener: ChangeListener,
  options: ChangeStreamOptions,
): ChangeStream {
  const aborter = new AbortController();
  let closed = false;
  let stale = false;
  let reading: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /** Ends the request, and the reading of its body (which an abort alone may not reach). */
  const stop = () => {
    aborter.abort();
    reading?.cancel().catch(() => undefined);
  };

  const failed = (message: string): ChangeStreamEnd =>
    closed ? { reason: 'closed' } : { reason: 'network-error', message };

  async function subscribe(): Promise<ChangeStreamEnd> {
    for (const refresh of [false, true]) {
      let headers: Record<string, string>;
      try {
        headers = await connection.headers(refresh);
      } catch (error) {
        return { reason: 'auth-error', message: `no token: ${String(error)}` };
      }
      let response: Response;
      try {
        response = await connection.fetch(connection.url, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query: CHANGES_DOCUMENT }),
          signal: aborter.signal,
        });
      } catch (error) {
        return failed(String(error));
      }
      if (response.status === 401 && !refresh && connection.refreshable) {
        await response.body?.cancel().catch(() => undefined);
        continue;
      }
      const type = response.headers.get('content-type') ?? '';
      if (!response.ok || !type.includes('text/event-stream')) return refusal(response);
      listener.opened();
      return read(response);
    }
    return { reason: 'auth-error', message: 'the token was refused' };
  }

  async function read(response: Response): Promise<ChangeStreamEnd> {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    reading = reader;
    if (closed) return { reason: 'closed' };
    const decoder = new TextDecoder();
    let buffered = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const alive = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stale = true;
        stop();
      }, options.staleAfterMs);
    };
    alive();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return failed(stale ? 'the stream went silent' : 'the gateway ended the stream');
        alive();
        buffered += decoder.decode(value, { stream: true });
        const blocks = buffered.split(/\r?\n\r?\n/);
        buffered = blocks.pop() ?? '';
        for (const block of blocks) {
          const ended = deliver(parseEvent(block));
          if (ended) return ended;
        }
      }
    } catch (error) {
      return failed(stale ? 'the stream went silent' : String(error));
    } finally {
      clearTimeout(timer);
      reader.cancel().catch(() => undefined);
    }
  }

  /** Hands a hint to the listener; answers how the stream ends when the event ends it. */
  function deliver(event: StreamEvent | undefined): ChangeStreamEnd | undefined {
    if (!event) return undefined; // A comment: the gateway's heartbeat.
    if (event.event === 'complete') return failed('the gateway ended the stream');
    if (event.event !== 'next') return undefined;
    let payload: NextPayload;
    try {
      payload = JSON.parse(event.data) as NextPayload;
    } catch {
      return { reason: 'server-error', message: 'the gateway sent an event that is not JSON' };
    }
    const hint = payload.data?.changes;
    if (hint && typeof hint.table === 'string') listener.hint(hint);
    return payload.errors?.length ? errorEnd(payload.errors) : undefined;
  }

  const ended = subscribe().catch((error: unknown) => failed(String(error)));
  return {
    ended,
    close() {
      closed = true;
      stop();
    },
  };
}

function parseEvent(block: string): StreamEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (event === 'message' && data.length === 0) return undefined;
  return { event, data: data.join('\n') };
}

/** A stream the gateway turned down, from its HTTP answer. */
async function refusal(response: Response): Promise<ChangeStreamEnd> {
  const wait = response.status === 429 ? retryAfterMs(response) : undefined;
  const later = wait === undefined ? {} : { retryAfterMs: wait };
  const body = await response.text().catch(() => '');
  const errors = errorsIn(body);
  const message = errors?.[0]?.message ?? `HTTP ${response.status}`;
  if (response.status === 401) return { reason: 'auth-error', message };
  if (response.status === 429) return { reason: 'refused', message, ...later };
  if (errors?.length) return errorEnd(errors);
  return { reason: 'server-error', message: `HTTP ${response.status}` };
}

/** The errors of a refusal: a JSON body, or (when it asked for events) one `next` event. */
function errorsIn(body: string): NextPayload['errors'] {
  const data = body.trimStart().startsWith('{')
    ? body
    : /^event: next\r?\ndata: (.*)$/m.exec(body)?.[1];
  try {
    return data === undefined ? undefined : (JSON.parse(data) as NextPayload).errors;
  } catch {
    return undefined;
  }
}

/** The gateway's `Retry-After` (seconds, or an HTTP date) in ms; undefined without one. */
export function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

function errorEnd(errors: NonNullable<NextPayload['errors']>): ChangeStreamEnd {
  const [first] = errors;
  const message = first?.message ?? 'the gateway refused the stream';
  switch (first?.extensions?.code) {
    case 'UNAUTHENTICATED':
      return { reason: 'auth-error', message };
    case 'LIMIT_EXCEEDED':
      return { reason: 'refused', message };
    default:
      return { reason: 'server-error', message };
  }
}
