import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin, type YogaInitialContext } from 'graphql-yoga';

/** What turns a result into a response (Yoga does not export the type). */
type ResultProcessor = Parameters<
  Parameters<NonNullable<Plugin['onResultProcess']>>[0]['setResultProcessor']
>[0];

/** How often an open change stream says it is alive, by default; see docs/protocol.md. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** An SSE comment: every client ignores it, and every proxy sees bytes go by. */
const HEARTBEAT = ': heartbeat\n\n';

/**
 * Sends a heartbeat every `intervalMs` on every subscription stream (server-sent events),
 * so that proxies and load balancers keep a quiet stream open and a client can tell a dead
 * stream from a quiet one: no byte for a few intervals means the stream is gone.
 *
 * Yoga 5's own SSE writer pings every 12 s, a figure nobody can change (300 ms when
 * NODE_ENV is `test`), so this plugin swaps in a writer of its own for subscription
 * streams: the same GraphQL over SSE format, with the heartbeat at `intervalMs`.
 */
export function useHeartbeats(intervalMs: number): Plugin {
  const subscriptions = new WeakSet<Request>();
  const writer = eventStream(intervalMs);
  return {
    onSubscribe({ args }) {
      const { request } = args.contextValue as Partial<YogaInitialContext>;
      if (request) subscriptions.add(request);
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      // For a subscription that started a stream, Yoga can only have chosen its SSE writer
      // (its JSON one takes no streams); a refused one (no stream) keeps Yoga's.
      if (resultProcessor && subscriptions.has(request) && isAsyncIterable(result)) {
        setResultProcessor(writer, 'text/event-stream');
      }
    },
  };
}

/** GraphQL over server-sent events, as Yoga writes it ("distinct connections" mode). */
function eventStream(intervalMs: number): ResultProcessor {
  return (result, fetchAPI) => {
    const encoder = new fetchAPI.TextEncoder();
    const iterator = (result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
    let heartbeat: NodeJS.Timeout | undefined;
    const body = new fetchAPI.ReadableStream<Uint8Array>({
      start(controller) {
        // Some browsers hold a fetch back until the first bytes of its body arrive.
        controller.enqueue(encoder.encode(':\n\n'));
        heartbeat = setInterval(() => {
          // null: the stream failed. 0: nothing was read since the last bytes (a slow or
          // vanished reader): another heartbeat would only queue up behind them.
          if (controller.desiredSize === null) clearInterval(heartbeat);
          else if (controller.desiredSize > 0) controller.enqueue(encoder.encode(HEARTBEAT));
        }, intervalMs);
      },
      async pull(controller) {
        try {
          const { done, value } = await iterator.next();
          if (value != null)
            controller.enqueue(encoder.encode(`event: next\ndata: ${json(value)}\n\n`));
          if (done) {
            clearInterval(heartbeat);
            controller.enqueue(encoder.encode('event: complete\ndata:\n\n'));
            controller.close();
          }
        } catch (error) {
          clearInterval(heartbeat);
          controller.error(error);
        }
      },
      async cancel(reason) {
        clearInterval(heartbeat);
        await iterator.return?.(reason);
      },
    });
    return new fetchAPI.Response(body, {
      status: 200,
      headers: {
        'Content-Type': 'text/event-stream',
        Connection: 'keep-alive',
        'Cache-Control': 'no-cache',
        'Content-Encoding': 'none',
        // nginx buffers what it proxies unless told not to: hints would wait in its buffer.
        'X-Accel-Buffering': 'no',
      },
    });
  };
}

/** A result as JSON, without the extensions Yoga keeps for itself (`http`, `unexpected`). */
function json(result: ExecutionResult): string {
  if (!result.errors?.length) return JSON.stringify(result);
  const errors = result.errors.map((error) => {
    const { http: _http, unexpected: _unexpected, ...extensions } = error.extensions ?? {};
    return { ...error.toJSON(), extensions };
  });
  return JSON.stringify({ ...result, errors });
}
