import { createSyncClient, type Row, type SyncClient } from '@syncline/client';
import { createMemoryStore } from '@syncline/client/testing';
import { benchSmall } from './bench-tables';
import { wallNow } from './fan-out-protocol';
import { cpuMs, type DeviceSteps, type FromDevices, type ToDevices } from './propagation-protocol';
import { openRawStream, type RawStream } from './raw-change-stream';

/**
 * The devices of the propagation benchmark, in a process of their own (forked by
 * `propagation.ts`) so that the gateway's process holds only the gateway: each a
 * `createSyncClient` with a store in memory, its own token (the bench gateway takes it as
 * the user), a live change stream, one registered query and a `watch()` of it, as an app
 * on a device has. Beside them, a raw change stream (no client library) times the hint
 * alone. Times are `wallNow()`, which every process reads from the same clock.
 */

const tables = { benchSmall };
const TABLE = 'benchSmall';
const QUERY_ID = 'propagation';
/** Only the live stream brings rows: the interval never comes during the benchmark. */
const AUTO_SYNC = { intervalMs: 3_600_000 };

interface Device {
  /** This round's steps, replaced at each round. */
  steps: Partial<DeviceSteps>;
  stop(): void;
}

let devices: Device[] = [];
let raw: RawStream | undefined;
/** The round: the row to show, when the raw stream heard the hint, how many still wait. */
let round: { title: string; stream?: number; waiting: number } | undefined;

const send = (message: FromDevices) => process.send?.(message);

/**
 * The device's `fetch`, noting when its pull left and its answer came, and when its change
 * stream read a hint (its body passes through a tap). It only reads the clock on the way.
 */
function timedFetch(device: Device): typeof fetch {
  return async (input, init) => {
    if (new Headers(init?.headers).get('accept') === 'text/event-stream') {
      return tapped(await fetch(input, init), () => {
        if (round) device.steps.hint ??= wallNow();
      });
    }
    const steps = round ? device.steps : undefined;
    const first = steps !== undefined && steps.pullSent === undefined;
    if (first) steps.pullSent = wallNow();
    const response = await fetch(input, init);
    if (first) steps.answered = wallNow();
    return response;
  };
}

function tapped(response: Response, onHint: () => void): Response {
  if (!response.body) return response;
  const decoder = new TextDecoder();
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (decoder.decode(chunk, { stream: true }).includes('event: next')) onHint();
        controller.enqueue(chunk);
      },
    }),
  );
  const { status, statusText, headers } = response;
  return new Response(body, { status, statusText, headers });
}

async function openDevice(url: string, index: number, category: string): Promise<Device> {
  const device: Device = { steps: {}, stop: () => {} };
  const client = await createSyncClient({
    url,
    tables,
    token: `propagation-${index}`,
    store: createMemoryStore(`propagation-${process.pid}-${index}`),
    fetch: timedFetch(device),
    autoSync: AUTO_SYNC,
  });
  const table = client.table(TABLE);
  const where = { category: { eq: category } };
  // Registers the query; nothing has that category yet, so the first pull is empty.
  const pulled = await table.pull(QUERY_ID, { where });
  if (pulled.status !== 'complete') {
    throw new Error(`device ${index}: its first pull: ${pulled.status} ${pulled.message ?? ''}`);
  }
  client.on('change', ({ tables: changed }) => {
    if (round && changed.includes(TABLE)) device.steps.stored ??= wallNow();
  });
  const unwatch = table.watch({ where }, (rows) => shown(device, rows));
  device.stop = () => {
    unwatch();
    client.close();
  };
  await becameLive(client, index);
  return device;
}

function becameLive(client: SyncClient<typeof tables>, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.live) return resolve();
    const timer = setTimeout(() => reject(new Error(`device ${index} never went live`)), 60_000);
    const off = client.on('live', (live) => {
      if (!live) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

function shown(device: Device, rows: Row<typeof benchSmall>[]) {
  const at = wallNow();
  if (!round || device.steps.shown !== undefined) return;
  const title = round.title;
  if (!rows.some((row) => row.title === title)) return;
  device.steps.shown = at;
  round.waiting--;
  roundDone();
}

function heard() {
  if (round && round.stream === undefined) {
    round.stream = wallNow();
    roundDone();
  }
}

function roundDone() {
  if (!round || round.waiting > 0 || round.stream === undefined) return;
  const steps = devices.map(({ steps }) => ({
    hint: steps.hint ?? null,
    pullSent: steps.pullSent ?? null,
    answered: steps.answered ?? null,
    stored: steps.stored ?? null,
    shown: steps.shown as number,
  }));
  if (process.env.DEBUG_HINTS && steps.length > 1) {
    const order = steps
      .map((each, index) => ({
        index,
        hint: each.hint ?? 0,
        pull: each.pullSent ?? 0,
        answered: each.answered ?? 0,
        shown: each.shown,
      }))
      .sort((a, b) => a.hint - b.hint);
    const first = order[0]?.hint ?? 0;
    const stream = round.stream;
    console.log(
      `DEBUG stream ${(stream - first).toFixed(1)} hints: ${order
        .slice(0, 3)
        .map((o) => `${o.index}@${(o.hint - first).toFixed(1)}`)
        .join(' ')} ... median ${((order[50]?.hint ?? 0) - first).toFixed(1)} ... ${order
        .slice(-3)
        .map((o) => `${o.index}@${(o.hint - first).toFixed(1)}`)
        .join(
          ' ',
        )}; first pull sent ${(Math.min(...order.map((o) => o.pull)) - first).toFixed(1)}, first answer ${(Math.min(...order.map((o) => o.answered)) - first).toFixed(1)}, last answer ${(Math.max(...order.map((o) => o.answered)) - first).toFixed(1)}, last shown ${(Math.max(...order.map((o) => o.shown)) - first).toFixed(1)}`,
    );
  }
  send({ type: 'shown', title: round.title, stream: round.stream, devices: steps });
  round = undefined;
}

async function open(url: string, count: number, category: string) {
  raw = await openRawStream(url, 'propagation-raw', TABLE, heard);
  if (!raw) throw new Error('the gateway refused the raw change stream');
  devices = await Promise.all(
    Array.from({ length: count }, (_, index) => openDevice(url, index, category)),
  );
  send({ type: 'opened' });
}

function close() {
  for (const device of devices) device.stop();
  devices = [];
  raw?.close();
  process.disconnect();
  // A kept-alive connection of `fetch` may hold the process a little longer.
  setTimeout(() => process.exit(0), 1_000).unref();
}

process.on('message', (message: ToDevices) => {
  const run = async () => {
    if (message.type === 'open') await open(message.url, message.devices, message.category);
    if (message.type === 'round') {
      round = { title: message.title, waiting: devices.length };
      for (const device of devices) device.steps = {};
      send({ type: 'round-ready' });
    }
    if (message.type === 'usage') send({ type: 'usage', cpuMs: cpuMs() });
    if (message.type === 'close') close();
  };
  run().catch((error: unknown) => send({ type: 'failed', message: String(error) }));
});
