import type { AddressInfo } from 'node:net';
import { createDrainer, createHttpServer, GRAPHQL_ENDPOINT } from '@syncline/gateway';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type ChangeStream, type FetchLike, openChangeStream } from './support/change-stream';
import { databaseKinds } from './support/databases';
import { startGateway, type TestGateway, useTestGateway } from './support/gateway-client';
import { newOpId, push, todo } from './support/sync-calls';

const URL_IN_PROCESS = `http://gateway.test${GRAPHQL_ENDPOINT}`;

/** Opens a stream on an in-process gateway, closed when the test ends. */
async function open(gateway: TestGateway, options: { tables?: string[] | null; user?: string }) {
  const stream = await openChangeStream(gateway.yoga.fetch as FetchLike, URL_IN_PROCESS, options);
  onTestFinished(() => stream.close());
  return stream;
}

const hints = (stream: ChangeStream, table: string) =>
  stream.events.filter((event) => event.data?.changes.table === table);

/** A command on a shared table: every subscriber of vehicleModel hears it. */
const accolade = (i: number) => ({
  vehicleModelUpdate: {
    opId: newOpId(),
    kind: 'INSERT',
    id: `accolade-${newOpId()}-${i}`,
    data: { vehicleModelId: 'vm-man-tgx', accoladeCount: 1 },
  },
});

/**
 * Writes until the stream has heard a hint of `table`: a subscription listens from its
 * first read on, so this is how a test knows that the stream hears what comes next.
 */
async function writeUntilHeard(
  stream: ChangeStream,
  table: string,
  write: (attempt: number) => Promise<unknown>,
) {
  for (let attempt = 0; hints(stream, table).length === 0; attempt++) {
    if (attempt === 200) throw new Error(`no hint of ${table} after 200 writes`);
    await write(attempt);
    await stream
      .until(`a hint of ${table}`, () => hints(stream, table).length > 0, 200)
      .catch(() => {});
  }
}

describe.each(databaseKinds)('change streams on $name', (kind) => {
  const suite = useTestGateway(kind);
  /** A gateway of its own over the suite's database, disposed after the test. */
  const gatewayWith = async (options: Parameters<typeof startGateway>[1]) => {
    const gateway = await startGateway(suite.db.database, options);
    onTestFinished(() => gateway.yoga.dispose());
    return gateway;
  };
  // Heartbeats and the cap do not depend on the database: once is enough.
  const once = it.runIf(kind.name === 'pglite');

  once('sends a heartbeat comment at the configured interval on an idle stream', async () => {
    const gateway = await gatewayWith({ heartbeatMs: 150 });
    const opened = performance.now();
    const stream = await open(gateway, { tables: ['todoItem'] });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    expect(stream.headers.get('x-accel-buffering')).toBe('no');
    await stream.until('two heartbeats', () => stream.heartbeats.length >= 2, 5_000);
    expect(stream.events).toEqual([]);
    // At the interval, never before it (a timer does not fire early).
    const [first, second] = stream.heartbeats as [number, number];
    expect(first - opened).toBeGreaterThanOrEqual(140);
    expect(second - first).toBeGreaterThan(100);
  });

  once(
    'refuses the stream one too many with LIMIT_EXCEEDED, never another user, and frees a place when one closes',
    async () => {
      const gateway = await gatewayWith({ limits: { maxStreamsPerUser: 2 } });
      const first = await open(gateway, { user: 'alice' });
      await open(gateway, { user: 'alice' });
      const refused = await open(gateway, { user: 'alice' });
      expect(refused.status).toBe(429);
      await refused.until('the refusal', () => refused.events.length > 0);
      expect(refused.events[0]?.errors?.[0]).toMatchObject({
        message:
          'changes: the limit of open change streams per user is 2 on this gateway; close one (another tab or device) or try again later',
        extensions: { code: 'LIMIT_EXCEEDED', field: 'changes' },
      });
      expect(refused.events[0]?.errors?.[0]?.extensions).not.toHaveProperty('http');
      await refused.until('the end of the refused stream', () => refused.ended);

      const bob = await open(gateway, { user: 'bob' });
      expect(bob.status).toBe(200);

      // A closed stream gives its place back as soon as it is closed.
      await first.close();
      expect((await open(gateway, { user: 'alice' })).status).toBe(200);
      expect((await open(gateway, { user: 'alice' })).status).toBe(429);
    },
  );

  once(
    'frees the places of clients that go away and of streams the drain ends, over HTTP',
    async () => {
      const gateway = await gatewayWith({ limits: { maxStreamsPerUser: 2 } });
      const serve = async () => {
        const server = createHttpServer(gateway.yoga);
        const drainer = createDrainer(server);
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        onTestFinished(() => {
          server.closeAllConnections();
          server.close();
        });
        const port = (server.address() as AddressInfo).port;
        return { drainer, url: `http://127.0.0.1:${port}${GRAPHQL_ENDPOINT}` };
      };
      const openOver = async (url: string, signal?: AbortSignal) => {
        const stream = await openChangeStream(fetch, url, {
          user: 'carol',
          ...(signal && { signal }),
        });
        onTestFinished(() => stream.close());
        return stream;
      };
      /** Opens streams until one is accepted: the server learns of a close a moment after it. */
      const openWhenFree = async (url: string) => {
        const deadline = performance.now() + 5_000;
        for (;;) {
          const stream = await openOver(url);
          if (stream.status === 200) return stream;
          await stream.close();
          if (performance.now() > deadline) throw new Error('no place came free within 5 s');
        }
      };

      const http = await serve();
      const leaving = new AbortController();
      const gone = await openOver(http.url, leaving.signal);
      const staying = await openOver(http.url);
      expect((await openOver(http.url)).status).toBe(429);
      leaving.abort();
      await gone.until('the stream to end', () => gone.ended);
      const replacement = await openWhenFree(http.url);

      // Both places are held again; the drain on SIGTERM ends both streams.
      await http.drainer.drain(2_000);
      await staying.until('the drain to end it', () => staying.ended);
      await replacement.until('the drain to end it', () => replacement.ended);
      const other = await serve();
      await openWhenFree(other.url);
      expect((await openOver(other.url)).status).toBe(200);
      expect((await openOver(other.url)).status).toBe(429);
    },
  );

  it('under a burst, sends at most one hint per window, fewer than writes, the last at the newest position', async () => {
    const window = 250;
    const gateway = await gatewayWith({ hintWindowMs: window });
    const user = `burst-${kind.name}`;
    const stream = await open(gateway, { tables: ['todoItem'], user });
    await writeUntilHeard(stream, 'todoItem', (i) =>
      push(gateway, [todo('INSERT', `${user}-warm-${i}`, { data: { text: 'x' } })], user),
    );
    const heardBefore = stream.events.length;

    // 40 writes one after the other, each its own transaction and NOTIFY: a burst of
    // hundreds of commits a second, which the stream keeps up with.
    const writes = 40;
    const began = performance.now();
    const outcomes = [];
    for (let i = 0; i < writes; i++) {
      const data = { text: `burst ${i}` };
      outcomes.push(await push(gateway, [todo('INSERT', `${user}-${i}`, { data })], user));
    }
    expect(outcomes.flat().every((outcome) => outcome.status === 'APPLIED')).toBe(true);

    // The last hint sent is at the newest position: a pull after its cursor finds nothing.
    const nothingAfter = async (cursor: string) => {
      const page = await gateway.data<{ pullTodoItems: { rows: unknown[] } }>(
        'query($after: Cursor) { pullTodoItems(after: $after) { rows { id } } }',
        { after: cursor },
        user,
      );
      return page.pullTodoItems.rows.length === 0;
    };
    let checked = heardBefore;
    let newest = false;
    while (!newest) {
      await stream.until('another hint', () => stream.events.length > checked, 5_000);
      const cursor = stream.events[checked]?.data?.changes.cursor as string;
      checked++;
      newest = await nothingAfter(cursor);
    }
    const burstHints = checked - heardBefore;
    expect(burstHints).toBeGreaterThan(0);
    expect(burstHints).toBeLessThan(writes);
    // One per window, from the warm-up's hint (at most a window before `began`) on; one
    // more for slack. A stream that reads slowly gets fewer still.
    const newestAt = stream.events[checked - 1]?.at as number;
    expect(burstHints).toBeLessThanOrEqual(Math.floor((newestAt - began) / window) + 3);
  });

  it("sends a lone write's hint at once, without waiting for the window", async () => {
    const gateway = await gatewayWith({ hintWindowMs: 60_000 });
    const user = `lone-${kind.name}`;
    const stream = await open(gateway, { tables: null, user });
    // Another (table, owner) makes sure the stream listens; its window does not matter.
    await writeUntilHeard(stream, 'vehicleModel', (i) => push(gateway, [accolade(i)], user));

    const written = performance.now();
    await push(gateway, [todo('INSERT', `${user}-1`, { data: { text: 'alone' } })], user);
    await stream.until('the lone write’s hint', () => hints(stream, 'todoItem').length > 0, 5_000);
    // Well inside the 60 s window: sent as it came.
    expect((hints(stream, 'todoItem')[0]?.at as number) - written).toBeLessThan(2_000);
  });
});
