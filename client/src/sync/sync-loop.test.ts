import { type Cursor, type Operation, type PullPage, todoItem } from '@syncline/schema';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSyncClient, type SyncClient } from '../create-sync-client';
import { createMemoryStore } from '../store/memory-store';
import type {
  ChangeListener,
  ChangeStream,
  ChangeStreamEnd,
  PullRequest,
  Transport,
  TransportResult,
} from '../transport/transport';
import type { StoredRow } from '../types';
import type { AutoSyncOptions } from './sync-loop';

const tables = { todoItem };

/** A gateway stand-in: counts pulls and pushes, goes offline on demand, and hands out change streams. */
class FakeGateway implements Transport {
  online = true;
  readonly pulls: { at: number; table: string }[] = [];
  pushes = 0;
  readonly streams: FakeStream[] = [];
  /** Pulls answer that the token was refused. */
  refuseToken = false;
  /** Answers the next push 429, asking to wait this many ms (its rate limit). */
  limitNextPushMs: number | undefined;
  /** Resolves the pull in progress when set (to hold a pull open). */
  hold: Promise<void> | undefined;

  async probe(): Promise<boolean> {
    return this.online;
  }

  async pull(request: PullRequest): Promise<TransportResult<PullPage<StoredRow>[]>> {
    if (!this.online) return { ok: false, failure: 'network-error', message: 'offline' };
    this.pulls.push({ at: Date.now(), table: request.table });
    await this.hold;
    if (this.refuseToken) return { ok: false, failure: 'auth-error', message: 'token refused' };
    return { ok: true, value: [{ rows: [], cursor: 'c' as Cursor, hasMore: false, movedOut: [] }] };
  }

  async push(operations: readonly Operation[]) {
    if (!this.online)
      return { ok: false as const, failure: 'network-error' as const, message: 'x' };
    this.pushes++;
    const retryAfterMs = this.limitNextPushMs;
    if (retryAfterMs !== undefined) {
      this.limitNextPushMs = undefined;
      const message = 'request: too many requests';
      const failure = 'server-error' as const;
      return { ok: false as const, failure, message, code: 'LIMIT_EXCEEDED', retryAfterMs };
    }
    const value = operations.map((op) => ({
      opId: op.opId,
      status: 'APPLIED' as const,
      code: null,
      message: null,
      row: { ...(op.data ?? {}), id: op.id, version: 1 } as StoredRow,
    }));
    return { ok: true as const, value };
  }

  changes(listener: ChangeListener): ChangeStream {
    const stream = new FakeStream(listener);
    this.streams.push(stream);
    return stream;
  }

  get openStreams() {
    return this.streams.filter((stream) => !stream.isEnded);
  }
}

class FakeStream implements ChangeStream {
  isEnded = false;
  #end: (end: ChangeStreamEnd) => void = () => {};
  readonly ended = new Promise<ChangeStreamEnd>((resolve) => {
    this.#end = resolve;
  });

  constructor(readonly listener: ChangeListener) {}

  end(end: ChangeStreamEnd) {
    this.isEnded = true;
    this.#end(end);
  }

  close() {
    this.end({ reason: 'closed' });
  }
}

describe('the sync loop', () => {
  let client: SyncClient<typeof tables> | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    client?.close();
    client = undefined;
    vi.useRealTimers();
  });

  async function start(gateway: FakeGateway, autoSync: AutoSyncOptions | false = {}) {
    const target = new EventTarget();
    client = await createSyncClient({
      url: 'http://gateway.test/graphql',
      tables,
      store: createMemoryStore(),
      transport: gateway,
      autoSync: autoSync === false ? false : { target, ...autoSync },
    });
    const syncs: number[] = [];
    client.on('sync', () => syncs.push(Date.now()));
    return { client, target, syncs };
  }

  it('syncs at once, then on the interval', async () => {
    const started = Date.now();
    const { syncs } = await start(new FakeGateway(), { intervalMs: 10_000, live: false });
    await vi.advanceTimersByTimeAsync(25_000);
    expect(syncs.map((at) => at - started)).toEqual([0, 10_000, 20_000]);
  });

  it('backs off while offline, doubling up to the maximum, and resets on success', async () => {
    const gateway = new FakeGateway();
    gateway.online = false;
    const started = Date.now();
    const { client, syncs } = await start(gateway, {
      intervalMs: 60_000,
      maxBackoffMs: 5_000,
      live: false,
    });
    await client.table('todoItem').insert({ text: 'queued' });
    await vi.advanceTimersByTimeAsync(15_000);
    // 0, +1 s, +2 s, +4 s, +5 s (capped), +5 s
    expect(syncs.map((at) => at - started)).toEqual([0, 1_000, 3_000, 7_000, 12_000]);
    expect(client.status).toBe('offline');
    gateway.online = true;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(client.status).toBe('online');
    expect(client.pendingOperations()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(syncs.at(-1)).toBe(started + 77_000);
  });

  it('syncs on the online event without waiting for the backoff, and shows offline on the offline event', async () => {
    const gateway = new FakeGateway();
    gateway.online = false;
    const { client, target, syncs } = await start(gateway, {
      intervalMs: 60_000,
      maxBackoffMs: 60_000,
      live: false,
    });
    await client.table('todoItem').insert({ text: 'queued' });
    await vi.advanceTimersByTimeAsync(1_500); // at 0 and 1 s; the next retry is at 3 s
    expect(syncs).toHaveLength(2);
    gateway.online = true;
    target.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(syncs).toHaveLength(3);
    expect(client.pendingOperations()).toBe(0);
    target.dispatchEvent(new Event('offline'));
    expect(client.status).toBe('offline');
  });

  it('syncs soon after a local write', async () => {
    const gateway = new FakeGateway();
    const { client } = await start(gateway, { intervalMs: 60_000, live: false });
    await vi.advanceTimersByTimeAsync(0);
    await client.table('todoItem').insert({ text: 'new' });
    await vi.advanceTimersByTimeAsync(0);
    expect(gateway.pushes).toBe(1);
    expect(client.pendingOperations()).toBe(0);
  });

  it('never lets the end of a sync put off a sync a write asked for meanwhile', async () => {
    const gateway = new FakeGateway();
    const { client, syncs } = await start(gateway, { intervalMs: 60_000, live: false });
    await client.table('todoItem').pull('mine');
    await vi.advanceTimersByTimeAsync(0);
    let release = () => {};
    gateway.hold = new Promise((resolve) => {
      release = resolve;
    });
    // The interval's sync starts, and waits in its pull.
    await vi.advanceTimersByTimeAsync(60_000);
    const before = syncs.length;
    // A write lands meanwhile: it asks for a sync soon (a timer, not run yet).
    await client.table('todoItem').insert({ text: 'while syncing' });
    const ended = new Promise((resolve) => client.on('sync', resolve));
    gateway.hold = undefined;
    release();
    // The sync ends, and schedules the next one, before that timer runs.
    await ended;
    // (The rest of the sync's end runs in the next few microtasks; no timer runs here.)
    for (let turn = 0; turn < 10; turn++) await Promise.resolve();
    expect(syncs.length).toBe(before + 1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(client.pendingOperations()).toBe(0);
  });

  it('tells nothing once closed, even of a request that ends after', async () => {
    const gateway = new FakeGateway();
    const { client } = await start(gateway, { intervalMs: 60_000, live: false });
    await client.table('todoItem').pull('mine');
    await vi.advanceTimersByTimeAsync(0);
    const told: string[] = [];
    client.on('unauthenticated', ({ message }) => told.push(message));
    let release = () => {};
    gateway.hold = new Promise((resolve) => {
      release = resolve;
    });
    gateway.refuseToken = true;
    const pulling = client.table('todoItem').pull('mine');
    await vi.advanceTimersByTimeAsync(0);
    // The app signs someone else in: it closes this client while its pull is out.
    client.close();
    release();
    await pulling.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(0);
    expect(told).toEqual([]);
  });

  it('waits as long as a 429 asks before syncing again, the queue kept', async () => {
    const gateway = new FakeGateway();
    const started = Date.now();
    const { client, syncs } = await start(gateway, {
      intervalMs: 60_000,
      maxBackoffMs: 5_000,
      live: false,
    });
    await vi.advanceTimersByTimeAsync(0);
    gateway.limitNextPushMs = 20_000;
    await client.table('todoItem').insert({ text: 'limited' });
    await vi.advanceTimersByTimeAsync(0);
    expect(gateway.pushes).toBe(1);
    expect(client.pendingOperations()).toBe(1);
    // Neither the 1 s failure backoff nor another local write sends anything before 20 s.
    await client.table('todoItem').insert({ text: 'meanwhile' });
    await vi.advanceTimersByTimeAsync(19_000);
    expect(gateway.pushes).toBe(1);
    expect(syncs.map((at) => at - started)).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gateway.pushes).toBe(2);
    expect(client.pendingOperations()).toBe(0);
    expect(client.status).toBe('online');
  });

  describe('live', () => {
    it('holds one change stream, shows live, and syncs whenever it opens', async () => {
      const gateway = new FakeGateway();
      const { client, syncs } = await start(gateway, { intervalMs: 60_000 });
      const live: boolean[] = [];
      client.on('live', (value) => live.push(value));
      await vi.advanceTimersByTimeAsync(0);
      expect(gateway.streams).toHaveLength(1);
      expect(client.live).toBe(false);
      const before = syncs.length;
      gateway.streams[0]?.listener.opened();
      await vi.advanceTimersByTimeAsync(0);
      expect(client.live).toBe(true);
      // Hints sent while it was closed are lost: one sync catches up.
      expect(syncs.length).toBe(before + 1);
      expect(live).toEqual([true]);
    });

    it("pulls a hinted table's queries at once, merging the hints that come meanwhile", async () => {
      const gateway = new FakeGateway();
      const { client } = await start(gateway, { intervalMs: 60_000 });
      await client.table('todoItem').pull('mine');
      await vi.advanceTimersByTimeAsync(0);
      const stream = gateway.streams[0] as FakeStream;
      stream.listener.opened();
      await vi.advanceTimersByTimeAsync(0);
      const before = gateway.pulls.length;

      let release = () => {};
      gateway.hold = new Promise((resolve) => {
        release = resolve;
      });
      stream.listener.hint({ table: 'todoItem', cursor: 'c1' as Cursor });
      await vi.advanceTimersByTimeAsync(0);
      expect(gateway.pulls.length).toBe(before + 1); // at once, not at the interval
      for (let i = 2; i <= 20; i++) {
        stream.listener.hint({ table: 'todoItem', cursor: `c${i}` as Cursor });
      }
      gateway.hold = undefined;
      release();
      await vi.advanceTimersByTimeAsync(0);
      // Nineteen hints during the pull: one more pull, not nineteen.
      expect(gateway.pulls.length).toBe(before + 2);
      // A table this device has no query of is not pulled.
      stream.listener.hint({ table: 'vehicleModel', cursor: 'c' as Cursor });
      await vi.advanceTimersByTimeAsync(0);
      expect(gateway.pulls.length).toBe(before + 2);
      expect(client.live).toBe(true);
    });

    it('opens the stream again with backoff when it breaks, and tells of a refused token', async () => {
      const gateway = new FakeGateway();
      const { client } = await start(gateway, { intervalMs: 600_000 });
      const refused: string[] = [];
      client.on('unauthenticated', ({ message }) => refused.push(message));
      await vi.advanceTimersByTimeAsync(0);
      gateway.streams[0]?.listener.opened();
      await vi.advanceTimersByTimeAsync(0);
      expect(client.live).toBe(true);

      gateway.streams[0]?.end({ reason: 'network-error', message: 'reset' });
      await vi.advanceTimersByTimeAsync(0);
      expect(client.live).toBe(false);
      await vi.advanceTimersByTimeAsync(999);
      expect(gateway.streams).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(gateway.streams).toHaveLength(2); // after 1 s
      gateway.streams[1]?.end({ reason: 'auth-error', message: 'token refused' });
      await vi.advanceTimersByTimeAsync(1_999);
      expect(gateway.streams).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(gateway.streams).toHaveLength(3); // then after 2 s
      expect(refused).toEqual(['token refused']);
      // Once it opens, the next break starts from 1 s again.
      gateway.streams[2]?.listener.opened();
      gateway.streams[2]?.end({ reason: 'network-error', message: 'reset' });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(gateway.streams).toHaveLength(4);
    });

    it('closes the stream on the offline event and opens it again on online', async () => {
      const gateway = new FakeGateway();
      const { client, target } = await start(gateway, { intervalMs: 600_000 });
      await vi.advanceTimersByTimeAsync(0);
      gateway.streams[0]?.listener.opened();
      await vi.advanceTimersByTimeAsync(0);
      target.dispatchEvent(new Event('offline'));
      await vi.advanceTimersByTimeAsync(0);
      expect(client.live).toBe(false);
      expect(gateway.openStreams).toHaveLength(0);
      target.dispatchEvent(new Event('online'));
      await vi.advanceTimersByTimeAsync(0);
      expect(gateway.openStreams).toHaveLength(1);
    });

    it('opens no stream before the time a 429 asked for', async () => {
      const gateway = new FakeGateway();
      await start(gateway, { intervalMs: 600_000 });
      await vi.advanceTimersByTimeAsync(0);
      gateway.streams[0]?.end({ reason: 'refused', message: 'too many', retryAfterMs: 30_000 });
      await vi.advanceTimersByTimeAsync(29_999);
      expect(gateway.streams).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(gateway.streams).toHaveLength(2);
    });

    it('holds no stream when auto-sync or live is off, and none after close', async () => {
      const off = new FakeGateway();
      (await start(off, false)).client.close();
      const notLive = new FakeGateway();
      await start(notLive, { live: false });
      await vi.advanceTimersByTimeAsync(0);
      expect(off.streams).toHaveLength(0);
      expect(notLive.streams).toHaveLength(0);
      client?.close();
      const closed = new FakeGateway();
      const { client: last } = await start(closed, {});
      await vi.advanceTimersByTimeAsync(0);
      last.close();
      expect(closed.openStreams).toHaveLength(0);
    });
  });
});
