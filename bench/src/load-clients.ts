import { createSyncClient, type SyncClient } from '@syncline/client';
import { createMemoryStore } from '@syncline/client/testing';
import { answerOfText, PULL_OPERATION, PUSH_OPERATION } from '@syncline/schema';
import { benchOwned } from './bench-tables';
import { wallNow } from './fan-out-protocol';
import type {
  DeviceRows,
  FromLoadClients,
  LoadCounts,
  LoadDevice,
  LoadErrors,
  ToLoadClients,
} from './load-protocol';
import { cpuMs } from './propagation-protocol';

/**
 * The devices of the load test, in a process of their own (forked by `load.ts`), so that
 * the gateways' processes hold only the gateways: each a `createSyncClient` with a store in
 * memory, its user's token, a live change stream and one registered query (all its user's
 * rows), as an app on a device has. Their `fetch` times every push and pull and checks
 * every answer; the events and `console.error` (where the sync loop reports what failed)
 * count as errors too. Times are `wallNow()`, which every process reads from the same clock.
 */

const tables = { benchOwned };
const TABLE = 'benchOwned';
const QUERY_ID = 'load';
/** Only local writes and the live stream make it sync: the interval never comes during the test. */
const AUTO_SYNC = { intervalMs: 3_600_000 };
/** Of the writes, the share that updates a row the device wrote before (the rest insert). */
const UPDATE_SHARE = 0.3;
/** Nothing pending or under way for this long: the devices have settled. */
const QUIET_MS = 1_500;

type Client = SyncClient<typeof tables>;

interface Device extends LoadDevice {
  client: Client;
  /** Rows this device inserted, which it may update later. */
  own: string[];
  /** The body each row had when last pulled here, so that each write arrives once. */
  seen: Map<string, string>;
  written: number;
  /** Its jitter and choices, seeded with its user and number: each run writes alike. */
  random: () => number;
  /** Its requests under way: their kind and when each was sent. */
  requests: Set<{ kind: string; started: number }>;
}

const devices: Device[] = [];
let closing = false;
/** Requests (not change streams) under way, and when the last one ended. */
let inFlight = 0;
let lastActivity = 0;
/** Counting requests started in [from, until]; arrivals of writes made from `from` on. */
let window: { from: number; until: number } | undefined;
let counts: LoadCounts = emptyCounts();

const send = (message: FromLoadClients) => process.send?.(message);

function emptyCounts(): LoadCounts {
  return {
    pushMs: [],
    pullMs: [],
    writes: 0,
    arrivalMs: [],
    errors: { count: 0, kinds: {}, samples: [] },
  };
}

/** Every error, whenever it happens (opening, warm-up, load, settling): the test wants none. */
let errors: LoadErrors = { count: 0, kinds: {}, samples: [] };

/** The errors since the last time, for a phase's report. */
function takeErrors(): LoadErrors {
  const taken = errors;
  errors = { count: 0, kinds: {}, samples: [] };
  return taken;
}

function failure(kind: string, detail: string) {
  if (closing) return;
  errors.count++;
  errors.kinds[kind] = (errors.kinds[kind] ?? 0) + 1;
  if (errors.samples.length < 10) errors.samples.push(`${kind}: ${detail.slice(0, 300)}`);
}

// The sync loop reports a sync or hinted pull that threw with console.error.
const consoleError = console.error.bind(console);
console.error = (...args: unknown[]) => {
  failure('console.error', args.map(String).join(' '));
  consoleError(...args);
};

function kindOf(input: Parameters<typeof fetch>[0], init: RequestInit | undefined) {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const text = `${url} ${typeof init?.body === 'string' ? init.body : ''}`;
  if (text.includes(PUSH_OPERATION)) return 'push';
  return text.includes(PULL_OPERATION) ? 'pull' : 'other';
}

/** The device's `fetch`: times pushes and pulls to the body read, checks each answer. */
function loadFetch(device: Device): typeof fetch {
  return async (input, init) => {
    if (new Headers(init?.headers).get('accept') === 'text/event-stream') {
      try {
        const response = await fetch(input, init);
        if (!response.ok) failure('stream refused', `HTTP ${response.status}`);
        return response;
      } catch (error) {
        failure('stream failed', String(error));
        throw error;
      }
    }
    const kind = kindOf(input, init);
    const started = wallNow();
    const request = { kind, started };
    device.requests.add(request);
    inFlight++;
    try {
      const response = await fetch(input, init);
      const text = await response.text();
      const ended = wallNow();
      if (!response.ok) failure(`${kind} HTTP ${response.status}`, text);
      else if (text.includes('"errors"')) failure(`${kind} GraphQL errors`, text);
      if (window && started >= window.from && started <= window.until) {
        if (kind === 'push') counts.pushMs.push(ended - started);
        if (kind === 'pull') counts.pullMs.push(ended - started);
      }
      if (kind === 'pull' && response.ok) {
        arrived(device, text, response.headers.get('content-type'), ended);
      }
      const { status, statusText, headers } = response;
      return new Response(text, { status, statusText, headers });
    } catch (error) {
      failure(`${kind} failed`, String(error));
      throw error;
    } finally {
      device.requests.delete(request);
      inFlight--;
      lastActivity = wallNow();
    }
  };
}

/** The body a write gives its row: when it was made and by which device of the user. */
const bodyOf = (device: Device) => `load ${wallNow().toFixed(2)} by ${device.index}`;

/** Notes when the rows of a pull answer, written by other devices, reached this one. */
function arrived(device: Device, text: string, contentType: string | null, at: number) {
  type Page = { rows?: unknown[] };
  // The client's pull comes as multipart/mixed, its rows in parts.
  const data = answerOfText(text, contentType).data as Record<string, Page | Page[]> | undefined;
  // The client's pull answers a list of pages.
  for (const page of Object.values(data ?? {}).flat()) {
    for (const row of (page?.rows ?? []) as { id: string; body: string }[]) {
      if (device.seen.get(row.id) === row.body) continue;
      device.seen.set(row.id, row.body);
      const [, sent, , by] = row.body.split(' ');
      if (Number(by) === device.index || !window) continue;
      if (Number(sent) >= window.from) counts.arrivalMs.push(at - Number(sent));
    }
  }
}

async function openDevice(url: string, spec: LoadDevice): Promise<Device> {
  const random = seeded(hash(`${spec.user}/${spec.index}`));
  const device = {
    ...spec,
    own: [],
    seen: new Map(),
    written: 0,
    random,
    requests: new Set(),
  } as unknown as Device;
  device.client = await createSyncClient({
    url,
    tables,
    token: spec.user,
    store: createMemoryStore(`load-${process.pid}-${spec.user}-${spec.index}`),
    fetch: loadFetch(device),
    autoSync: AUTO_SYNC,
  });
  const client = device.client;
  const who = `${spec.user} device ${spec.index}`;
  client.on('sync', (result) => {
    if (result.status !== 'complete')
      failure(`sync ${result.status}`, `${who}: ${result.push.message ?? ''}`);
  });
  client.on('push', (result) => {
    if (result.status !== 'complete')
      failure(`push ${result.status}`, `${who}: ${result.message ?? ''}`);
    for (const error of result.errors) failure(`push ${error.status}`, `${who}: ${error.message}`);
  });
  client.on('unauthenticated', ({ message }) => failure('unauthenticated', `${who}: ${message}`));
  const pulled = await client.table(TABLE).pull(QUERY_ID);
  if (pulled.status !== 'complete')
    failure(`first pull ${pulled.status}`, `${who}: ${pulled.message ?? ''}`);
  await becameLive(client, who);
  client.on('live', (live) => {
    if (!live) failure('stream lost', who);
  });
  return device;
}

function becameLive(client: Client, who: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.live) return resolve();
    const timer = setTimeout(() => reject(new Error(`${who} never went live`)), 60_000);
    const off = client.on('live', (live) => {
      if (!live) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Inserts a row, or now and then updates one it wrote before, through the client API. */
async function write(device: Device) {
  const random = device.random;
  const table = device.client.table(TABLE);
  device.written++;
  try {
    const id = device.own[Math.floor(random() * device.own.length)];
    if (id !== undefined && random() < UPDATE_SHARE) {
      await table.update({ id, score: device.written, body: bodyOf(device) });
    } else {
      const row = await table.insert({
        title: `${device.user} device ${device.index} write ${device.written}`,
        body: bodyOf(device),
        category: device.user,
        score: device.written,
        quantity: 1,
      });
      device.own.push(row.id);
    }
  } catch (error) {
    failure('write threw', String(error));
  }
}

/** Writes on average every `meanMs` (uniform jitter from 0 to twice that) until `until`. */
async function writeLoop(device: Device, until: number, meanMs: number) {
  for (;;) {
    const wait = device.random() * 2 * meanMs;
    if (wallNow() + wait >= until) return;
    await pause(wait);
    if (window && wallNow() >= window.from) counts.writes++;
    await write(device);
  }
}

/** Waits until no device has anything pending or under way for `QUIET_MS`. */
async function settle(timeoutMs: number): Promise<boolean> {
  const deadline = wallNow() + timeoutMs;
  while (wallNow() < deadline) {
    const busy =
      inFlight > 0 ||
      devices.some(({ client }) => client.pendingOperations() > 0 || client.status === 'syncing');
    if (!busy && wallNow() - lastActivity >= QUIET_MS) return true;
    await pause(100);
  }
  // What the devices still busy are doing, for the report.
  for (const device of devices) {
    const { client } = device;
    const requests = [...device.requests].map(
      ({ kind, started }) => `${kind} sent ${((wallNow() - started) / 1000).toFixed(1)} s ago`,
    );
    if (client.pendingOperations() === 0 && client.status !== 'syncing' && requests.length === 0)
      continue;
    failure(
      'busy after the writes',
      `${device.user} device ${device.index}: ${client.pendingOperations()} pending, ${client.status}, ${client.live ? 'live' : 'not live'}, under way: ${requests.join(', ') || 'nothing'}`,
    );
  }
  return false;
}

async function rowsOf(device: Device): Promise<DeviceRows> {
  const rows = await device.client.table(TABLE).find();
  return {
    user: device.user,
    index: device.index,
    rows: rows.map((row) => `${row.id}:${row.version}:${row.title}:${row.score}`).sort(),
  };
}

/** A small seeded generator (mulberry32), one per device, so each run writes alike. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function close() {
  closing = true;
  for (const device of devices) device.client.close();
  process.disconnect();
  // A kept-alive connection of `fetch` may hold the process a little longer.
  setTimeout(() => process.exit(0), 1_000).unref();
}

process.on('message', (message: ToLoadClients) => {
  const run = async () => {
    if (message.type === 'open') {
      const opened = await Promise.all(
        message.devices.map((spec) => openDevice(message.url, spec)),
      );
      devices.push(...opened);
      send({ type: 'opened' });
    }
    if (message.type === 'warm-up') {
      await Promise.all(
        devices.map(async (device) => {
          for (let write = 0; write < message.writes; write++) {
            await writeOnce(device);
          }
        }),
      );
      send({ type: 'warmed-up' });
    }
    if (message.type === 'load') {
      window = { from: message.from, until: message.until };
      counts = emptyCounts();
      const { until, meanIntervalMs } = message;
      await Promise.all(devices.map((device) => writeLoop(device, until, meanIntervalMs)));
      send({ type: 'loaded' });
    }
    if (message.type === 'settle') {
      const quiet = await settle(message.timeoutMs);
      const rows = await Promise.all(devices.map(rowsOf));
      send({ type: 'settled', quiet, devices: rows, counts: { ...counts, errors: takeErrors() } });
    }
    if (message.type === 'usage') send({ type: 'usage', cpuMs: cpuMs() });
    if (message.type === 'close') close();
  };
  run().catch((error: unknown) => send({ type: 'failed', message: String(error) }));
});

/** One warm-up write, synced before the next. */
async function writeOnce(device: Device) {
  await write(device);
  const result = await device.client.sync();
  if (result.status !== 'complete')
    failure(`warm-up sync ${result.status}`, result.push.message ?? '');
}

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (Math.imul(value, 31) + char.charCodeAt(0)) >>> 0;
  return value;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
