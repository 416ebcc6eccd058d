import { request } from 'node:http';
import { BENCH_USER_HEADER } from './fan-out-protocol';

/** A change stream read by hand: no client library, only the events counted. */
export interface RawStream {
  table: string;
  events: number;
  close(): void;
}

/**
 * Opens a `changes` stream on `table` the way the client opens one (POST, `accept:
 * text/event-stream`), on a connection of its own, as `user` (the bench gateway's header).
 * Calls `onEvent` as each hint is read; resolves once the gateway has subscribed it (its
 * first bytes), or to undefined when the gateway refused it.
 */
export function openRawStream(
  url: string,
  user: string,
  table: string,
  onEvent: () => void,
): Promise<RawStream | undefined> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({
      query: 'subscription($tables: [String!]) { changes(tables: $tables) { table cursor } }',
      variables: { tables: [table] },
    });
    const stream: RawStream = { table, events: 0, close: () => req.destroy() };
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'content-length': Buffer.byteLength(body),
          [BENCH_USER_HEADER]: user,
        },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          resolve(undefined);
          return;
        }
        let opened = false;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          // The stream's first bytes (a comment) say that the gateway subscribed it.
          if (!opened) {
            opened = true;
            resolve(stream);
          }
          for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
            if (text.startsWith('event: next')) {
              stream.events++;
              onEvent();
            }
            text = text.slice(end + 2);
          }
        });
        res.on('error', () => {});
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
