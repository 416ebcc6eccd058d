import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** How a drain ended: `cut` connections were still open at the deadline and were closed. */
export interface DrainResult {
  cut: number;
}

/**
 * What an HTTP server needs to stop the way a load balancer expects: no new connections,
 * requests in flight answered, then every connection closed, keep-alive ones included.
 */
export interface Drainer {
  /**
   * Stops accepting; requests in flight finish (their connections close after the answer);
   * change streams (server-sent events) end at once, so that their clients reconnect to
   * another gateway; whatever is still open after `timeoutMs` is cut.
   */
  drain(timeoutMs: number): Promise<DrainResult>;
}

/** Watches every request of `server` (from before its own handler runs) to drain it later. */
export function createDrainer(server: Server): Drainer {
  const active = new Set<ServerResponse>();
  let draining = false;

  /** Ends what can end now: a stream's connection, an idle keep-alive connection. */
  const release = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('connection', 'close');
    else if (isStream(response)) response.socket?.destroy();
  };

  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    active.add(response);
    response.once('close', () => {
      active.delete(response);
      // Its connection is idle now: close it rather than keep it alive.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    if (draining) response.setHeader('connection', 'close');
  });

  return {
    async drain(timeoutMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const response of active) release(response);
      server.closeIdleConnections();
      // A stream whose headers were not out yet, or that a kept-alive connection opened
      // after this began, ends too; so does a connection that went idle without a request.
      const ending = setInterval(() => {
        for (const response of active) if (isStream(response)) release(response);
        server.closeIdleConnections();
      }, 100);
      let cut = 0;
      const deadline = setTimeout(() => {
        cut = active.size;
        server.closeAllConnections();
      }, timeoutMs);
      await closed;
      clearInterval(ending);
      clearTimeout(deadline);
      return { cut };
    },
  };
}

/**
 * A response of server-sent events (a change stream): it lasts until it is ended. Known by
 * its content type once its headers are out, however they were written (Yoga's server
 * adapter may pass them to `writeHead` at once, which `getHeader` then does not see).
 */
function isStream(response: ServerResponse): boolean {
  if (!response.headersSent) return false;
  const type = response.getHeader('content-type');
  if (type !== undefined) return String(type).startsWith('text/event-stream');
  const head = (response as ServerResponse & { _header?: string | null })._header ?? '';
  return /^content-type:\s*text\/event-stream/im.test(head);
}
