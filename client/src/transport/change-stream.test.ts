import { describe, expect, it, vi } from 'vitest';
import { openChangeStream, type StreamConnection } from './change-stream';
import type { ChangeHint } from './transport';

/** A gateway's event stream that the test writes to, chunk by chunk. */
function eventStream() {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(started) {
      controller = started;
    },
  });
  return {
    response: new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    write: (text: string) => controller?.enqueue(encoder.encode(text)),
    end: () => controller?.close(),
  };
}

const next = (data: unknown) => `event: next\ndata: ${JSON.stringify(data)}\n\n`;
const hint = (table: string, cursor: string) => next({ data: { changes: { table, cursor } } });

function connection(answers: (() => Response)[], tokens: string[] = []): StreamConnection {
  return {
    url: 'http://gateway.test/graphql',
    fetch: vi.fn(async () => (answers.shift() as () => Response)()),
    async headers(refresh) {
      tokens.push(refresh ? 'refreshed' : 'current');
      return { authorization: `Bearer ${refresh ? 'new' : 'old'}` };
    },
    refreshable: true,
  };
}

function listen() {
  const hints: ChangeHint[] = [];
  let opened = 0;
  return {
    hints,
    opened: () => opened,
    listener: { opened: () => opened++, hint: (each: ChangeHint) => hints.push(each) },
  };
}

describe('the change stream', () => {
  it('opens, hands over hints (split across chunks, heartbeats between), and ends when the gateway does', async () => {
    const gateway = eventStream();
    const heard = listen();
    const stream = openChangeStream(connection([() => gateway.response]), heard.listener, {
      staleAfterMs: 60_000,
    });
    gateway.write(hint('todoItem', 'c1'));
    gateway.write(':\n\n');
    const second = hint('vehicleModel', 'c2');
    gateway.write(second.slice(0, 10));
    gateway.write(second.slice(10));
    gateway.end();
    expect(await stream.ended).toEqual({
      reason: 'network-error',
      message: 'the gateway ended the stream',
    });
    expect(heard.opened()).toBe(1);
    expect(heard.hints).toEqual([
      { table: 'todoItem', cursor: 'c1' },
      { table: 'vehicleModel', cursor: 'c2' },
    ]);
  });

  it('asks for a new token once when the gateway refuses one, then gives up with auth-error', async () => {
    const refused = () => new Response('{"errors":[{"message":"no"}]}', { status: 401 });
    const tokens: string[] = [];
    const heard = listen();
    const stream = openChangeStream(connection([refused, refused], tokens), heard.listener, {
      staleAfterMs: 60_000,
    });
    expect(await stream.ended).toMatchObject({ reason: 'auth-error' });
    expect(tokens).toEqual(['current', 'refreshed']);
    expect(heard.opened()).toBe(0);

    const gateway = eventStream();
    const again = openChangeStream(connection([refused, () => gateway.response]), heard.listener, {
      staleAfterMs: 60_000,
    });
    gateway.write(hint('todoItem', 'c3'));
    gateway.end();
    await again.ended;
    expect(heard.opened()).toBe(1);
    expect(heard.hints).toEqual([{ table: 'todoItem', cursor: 'c3' }]);
  });

  it('says refused when the gateway turns the stream down for too many streams', async () => {
    const gateway = eventStream();
    const stream = openChangeStream(connection([() => gateway.response]), listen().listener, {
      staleAfterMs: 60_000,
    });
    gateway.write(
      next({ errors: [{ message: 'at most 20 streams', extensions: { code: 'LIMIT_EXCEEDED' } }] }),
    );
    expect(await stream.ended).toEqual({ reason: 'refused', message: 'at most 20 streams' });
  });

  it('takes a silent stream as dead, and a closed one as closed', async () => {
    vi.useFakeTimers();
    try {
      const silent = eventStream();
      const stream = openChangeStream(connection([() => silent.response]), listen().listener, {
        staleAfterMs: 45_000,
      });
      await vi.advanceTimersByTimeAsync(30_000);
      silent.write(':\n\n'); // a heartbeat keeps it alive
      await vi.advanceTimersByTimeAsync(30_000);
      let ended = false;
      void stream.ended.then(() => {
        ended = true;
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(ended).toBe(false);
      await vi.advanceTimersByTimeAsync(15_000);
      expect(await stream.ended).toEqual({
        reason: 'network-error',
        message: 'the stream went silent',
      });

      const open = eventStream();
      const closing = openChangeStream(connection([() => open.response]), listen().listener, {
        staleAfterMs: 45_000,
      });
      await vi.advanceTimersByTimeAsync(0);
      closing.close();
      expect(await closing.ended).toEqual({ reason: 'closed' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails as a network error when the gateway cannot be reached', async () => {
    const stream = openChangeStream(
      connection([
        () => {
          throw new TypeError('fetch failed');
        },
      ]),
      listen().listener,
      { staleAfterMs: 60_000 },
    );
    expect(await stream.ended).toMatchObject({ reason: 'network-error' });
  });
});
