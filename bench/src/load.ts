import type { ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { conversation, exited, forkScript } from './conversation';
import type { BaselineSql } from './database-setup';
import { wallNow } from './fan-out-protocol';
import type { FromGateway, ToGateway } from './gateway-process';
import { quantile } from './harness';
import type {
  DeviceRows,
  FromLoadClients,
  LoadCounts,
  LoadDevice,
  LoadErrors,
  ToLoadClients,
} from './load-protocol';

/** Two gateway processes, 200 live clients pulling, pushing and subscribing. */
export interface LoadReport {
  /** When and where it was measured: `pnpm bench load` updates this alone. */
  date: string;
  machine: string;
  gateways: number;
  clients: number;
  users: number;
  /** One after the other, with the same clients: a load the machine keeps up with, then more. */
  phases: LoadPhase[];
  /** Each gateway process's memory per client: the growth from one client to all of them. */
  memory: GatewayMemory[];
}

export interface LoadPhase {
  /** Each client writes on average this often (uniform jitter from 0 to twice it). */
  writeIntervalMs: number;
  /** The counted stretch, after the warm-up, in seconds. */
  seconds: number;
  warmUpSeconds: number;
  writesPerSecond: number;
  /** Requests answered per second, over both gateways. */
  pushesPerSecond: number;
  pullsPerSecond: number;
  /** As the clients saw them: from the call of `fetch` to the body read. */
  push: Latency;
  pull: Latency;
  /** From just before a write to the pull answer that brought it to another device of its user. */
  arrival: Latency & { count: number };
  /** Errors of every kind in the phase (the first also from the clients' opening); the goal is none. */
  errors: LoadErrors;
  /** Clients whose rows differed from the server's once the phase had settled. */
  diverged: number;
  /** CPU time over the counted stretch, as a share of one core: per gateway, per clients' process. */
  gatewayCpu: number[];
  clientsCpu: number[];
  /** The machine's CPUs busy over the counted stretch, every process included (others' too). */
  machineBusy: number;
}

export interface Latency {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface GatewayMemory {
  clients: number;
  /** After full collections, per client added: all connected and idle, before the writes. */
  connected: { heapKb: number; rssKb: number };
  /** The same with all of them still connected after the phases. */
  afterLoad: { heapKb: number; rssKb: number };
}

const GATEWAYS = 2;
const USERS = 50;
const DEVICES_PER_USER = 4;
/**
 * Each client's mean time between writes: about what two cores (gateways, clients and
 * Postgres together) keep up with, then five times as much.
 */
const WRITE_INTERVALS_MS = [10_000, 2_000];
const WARM_UP_MS = 5_000;
const COUNTED_MS = 20_000;
/** Rows each gateway's first device writes, one after the other, before the others open. */
const FIRST_WRITES = 5;
/** The longest the clients may take, once the writes stop, to have nothing pending or under way. */
const SETTLE_MS = 20_000;

type Memory = { rss: number; heapUsed: number };

/**
 * Two gateway processes over the bench's Postgres database and 200 devices
 * (`createSyncClient`, live) of 50 users in two processes of their own, each user's four
 * devices two on each gateway, so that a write reaches the user's other devices through
 * hints on both. In each phase every device writes on average every `WRITE_INTERVALS_MS`
 * for a warm-up and then 20 s counted, and its automatic sync pushes it; the hints make the
 * user's devices pull. Once a phase has settled, every device's rows must equal the
 * server's rows of its user.
 */
export async function load(
  databaseUrl: string,
  baseline: BaselineSql,
  context: { date: string; machine: string },
): Promise<LoadReport> {
  const gateways: Gateway[] = [];
  const processes: Clients[] = [];
  try {
    for (let index = 0; index < GATEWAYS; index++) gateways.push(await startGateway(databaseUrl));
    for (const [index, gateway] of gateways.entries()) processes.push(startClients(index, gateway));
    const plans = processes.map((_, index) => devicesOf(index));

    // One device on each gateway first: the gateways' memory with one client, warmed up.
    await Promise.all(processes.map((each, index) => each.open(plans[index]?.slice(0, 1) ?? [])));
    await Promise.all(
      processes.map((each) =>
        each.talk.ask({ type: 'warm-up', writes: FIRST_WRITES }, 'warmed-up', 60_000),
      ),
    );
    const one = await Promise.all(gateways.map((gateway) => gateway.memory()));
    const opening = performance.now();
    await Promise.all(processes.map((each, index) => each.open(plans[index]?.slice(1) ?? [])));
    const clients = plans.reduce((sum, plan) => sum + plan.length, 0);
    console.log(
      `  load: ${clients} clients open and live in ${((performance.now() - opening) / 1000).toFixed(1)} s`,
    );
    const connected = await Promise.all(gateways.map((gateway) => gateway.memory()));
    const phases: LoadPhase[] = [];
    for (const interval of WRITE_INTERVALS_MS) {
      const phase = await runPhase(interval, gateways, processes, baseline);
      console.log(formatPhase(phase));
      phases.push(phase);
    }
    const afterLoad = await Promise.all(gateways.map((gateway) => gateway.memory()));
    const perClient = (after: Memory, before: Memory, added: number) => ({
      heapKb: (after.heapUsed - before.heapUsed) / 1024 / added,
      rssKb: (after.rss - before.rss) / 1024 / added,
    });
    const memory = gateways.map((_, index) => {
      const added = (plans[index]?.length ?? 1) - 1;
      const first = one[index] as Memory;
      return {
        clients: plans[index]?.length ?? 0,
        connected: perClient(connected[index] as Memory, first, added),
        afterLoad: perClient(afterLoad[index] as Memory, first, added),
      };
    });
    const kb = (value: number) => `${value.toFixed(1)} kB`;
    for (const [index, each] of memory.entries()) {
      console.log(
        `    gateway ${index + 1}, memory per client (${each.clients}): connected heap ${kb(each.connected.heapKb)}, resident set ${kb(each.connected.rssKb)}; after the phases heap ${kb(each.afterLoad.heapKb)}, resident set ${kb(each.afterLoad.rssKb)}`,
      );
    }
    return { ...context, gateways: GATEWAYS, clients, users: USERS, phases, memory };
  } finally {
    await Promise.all(processes.map((each) => each.close()));
    await Promise.all(gateways.map((gateway) => gateway.close()));
  }
}

/** One phase: the writes, the CPU over the counted stretch, then settling and the check. */
async function runPhase(
  interval: number,
  gateways: Gateway[],
  processes: Clients[],
  baseline: BaselineSql,
): Promise<LoadPhase> {
  const from = wallNow() + WARM_UP_MS;
  const until = from + COUNTED_MS;
  const loading = Promise.all(
    processes.map((each) =>
      each.talk.ask(
        { type: 'load', from, until, meanIntervalMs: interval },
        'loaded',
        WARM_UP_MS + COUNTED_MS + 60_000,
      ),
    ),
  );
  const cpu = () =>
    Promise.all([
      ...gateways.map((each) => each.cpuMs()),
      ...processes.map((each) => each.cpuMs()),
    ]);
  await pause(from - wallNow());
  const cpuBefore = await cpu();
  const machineBefore = machineCpu();
  await pause(until - wallNow());
  const cpuAfter = await cpu();
  const machineAfter = machineCpu();
  const cpuShare = (index: number) =>
    ((cpuAfter[index] ?? 0) - (cpuBefore[index] ?? 0)) / COUNTED_MS;
  await loading;
  const settling = performance.now();
  const settled = await Promise.all(
    processes.map((each) =>
      each.talk.ask({ type: 'settle', timeoutMs: SETTLE_MS }, 'settled', SETTLE_MS + 10_000),
    ),
  );
  console.log(
    `  load: the clients settled ${((performance.now() - settling) / 1000).toFixed(1)} s after the writes stopped`,
  );
  const diverged = await converged(
    baseline,
    settled.flatMap((each) => each.devices),
  );
  const counts = merge(settled.map((each) => each.counts));
  for (const [index, each] of settled.entries()) {
    if (!each.quiet) {
      addError(
        counts.errors,
        'not settled',
        `process ${index} still busy after ${SETTLE_MS / 1000} s`,
      );
    }
  }
  for (const difference of diverged.samples) addError(counts.errors, 'diverged', difference);
  const seconds = COUNTED_MS / 1000;
  return {
    writeIntervalMs: interval,
    seconds,
    warmUpSeconds: WARM_UP_MS / 1000,
    writesPerSecond: counts.writes / seconds,
    pushesPerSecond: counts.pushMs.length / seconds,
    pullsPerSecond: counts.pullMs.length / seconds,
    push: latency(counts.pushMs),
    pull: latency(counts.pullMs),
    arrival: { ...latency(counts.arrivalMs), count: counts.arrivalMs.length },
    errors: counts.errors,
    diverged: diverged.devices,
    gatewayCpu: gateways.map((_, index) => cpuShare(index)),
    clientsCpu: processes.map((_, index) => cpuShare(gateways.length + index)),
    machineBusy:
      (machineAfter.busy - machineBefore.busy) /
      (machineAfter.busy + machineAfter.idle - machineBefore.busy - machineBefore.idle),
  };
}

/** CPU time of all the machine's cores so far, busy and idle, in ms. */
function machineCpu(): { busy: number; idle: number } {
  let busy = 0;
  let idle = 0;
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    idle += times.idle;
  }
  return { busy, idle };
}

/** The devices on gateway `gateway`: of each user, the devices whose number has its parity. */
function devicesOf(gateway: number): LoadDevice[] {
  const devices: LoadDevice[] = [];
  for (let user = 0; user < USERS; user++) {
    for (let index = gateway; index < DEVICES_PER_USER; index += GATEWAYS) {
      devices.push({ user: `load-user-${user}`, index });
    }
  }
  return devices;
}

type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** A gateway process over the database (`gateway-process.ts`). */
async function startGateway(databaseUrl: string) {
  const child = forkScript(new URL('./gateway-process.ts', import.meta.url), [databaseUrl]);
  const talk = conversation<ToGateway, FromGateway>(child, 'a load gateway');
  const { url } = await talk.next('listening', 60_000);
  return {
    url,
    cpuMs: async () => (await talk.ask({ type: 'usage' }, 'usage')).cpuMs,
    memory: async (): Promise<Memory> => {
      const { rss, heapUsed } = await talk.ask({ type: 'memory' }, 'memory', 30_000);
      return { rss, heapUsed };
    },
    async close() {
      if (child.exitCode === null)
        await talk.ask({ type: 'close' }, 'closed', 30_000).catch(() => child.kill());
      await exited(child);
    },
  };
}

type Clients = ReturnType<typeof startClients>;

/** A process of devices (`load-clients.ts`) on one gateway. */
function startClients(index: number, gateway: Gateway) {
  const child: ChildProcess = forkScript(new URL('./load-clients.ts', import.meta.url));
  const talk = conversation<ToLoadClients, FromLoadClients>(child, `load clients ${index}`);
  return {
    talk,
    open: (devices: LoadDevice[]) =>
      talk.ask({ type: 'open', url: gateway.url, devices }, 'opened', 120_000),
    cpuMs: async () => (await talk.ask({ type: 'usage' }, 'usage')).cpuMs,
    async close() {
      if (child.connected) child.send({ type: 'close' } satisfies ToLoadClients);
      await exited(child);
    },
  };
}

/**
 * Compares every device's rows with the server's rows of its user; answers how many
 * devices differ, with a few of them described.
 */
async function converged(
  sql: BaselineSql,
  devices: DeviceRows[],
): Promise<{ devices: number; samples: string[] }> {
  const rows = await sql.query<{ user_id: string; row: string }>(
    `select user_id, id || ':' || version || ':' || title || ':' || score as row
     from bench_owned where not deleted`,
  );
  const server = new Map<string, Set<string>>();
  for (const { user_id, row } of rows) {
    const set = server.get(user_id) ?? new Set();
    set.add(row);
    server.set(user_id, set);
  }
  let differing = 0;
  const samples: string[] = [];
  for (const device of devices) {
    const expected = server.get(device.user) ?? new Set<string>();
    const missing = [...expected].filter((row) => !device.rows.includes(row));
    const extra = device.rows.filter((row) => !expected.has(row));
    if (missing.length === 0 && extra.length === 0) continue;
    differing++;
    if (samples.length < 5) {
      samples.push(
        `${device.user} device ${device.index}: ${missing.length} of the server's ${expected.size} rows missing or older, ${extra.length} not on the server (e.g. ${extra[0] ?? missing[0]})`,
      );
    }
  }
  return { devices: differing, samples };
}

function merge(all: LoadCounts[]): LoadCounts {
  const errors: LoadErrors = { count: 0, kinds: {}, samples: [] };
  for (const counts of all) {
    errors.count += counts.errors.count;
    for (const [kind, count] of Object.entries(counts.errors.kinds)) {
      errors.kinds[kind] = (errors.kinds[kind] ?? 0) + count;
    }
    errors.samples.push(...counts.errors.samples.slice(0, 10 - errors.samples.length));
  }
  return {
    pushMs: all.flatMap((counts) => counts.pushMs),
    pullMs: all.flatMap((counts) => counts.pullMs),
    writes: all.reduce((sum, counts) => sum + counts.writes, 0),
    arrivalMs: all.flatMap((counts) => counts.arrivalMs),
    errors,
  };
}

function addError(errors: LoadErrors, kind: string, detail: string) {
  errors.count++;
  errors.kinds[kind] = (errors.kinds[kind] ?? 0) + 1;
  if (errors.samples.length < 10) errors.samples.push(`${kind}: ${detail}`);
}

function latency(times: number[]): Latency {
  const sorted = [...times].sort((a, b) => a - b);
  if (sorted.length === 0) return { p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
  return {
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.at(-1) as number,
  };
}

function formatPhase(phase: LoadPhase): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const both = (time: Latency) =>
    `p50 ${ms(time.p50Ms)}, p99 ${ms(time.p99Ms)}, max ${ms(time.maxMs)}`;
  const shares = (values: number[]) =>
    values.map((value) => `${Math.round(100 * value)}%`).join(' and ');
  const lines = [
    `  load, a write every ${phase.writeIntervalMs / 1000} s per client, ${phase.seconds} s counted after ${phase.warmUpSeconds} s: ${phase.writesPerSecond.toFixed(1)} writes/s; answered ${phase.pushesPerSecond.toFixed(1)} pushes/s and ${phase.pullsPerSecond.toFixed(1)} pulls/s`,
    `    push ${both(phase.push)}; pull ${both(phase.pull)}`,
    `    a write in the pull answer of another device of its user (${phase.arrival.count}): ${both(phase.arrival)}`,
    `    CPU (share of a core): gateways ${shares(phase.gatewayCpu)}, their clients' processes ${shares(phase.clientsCpu)}; the machine's ${cpus().length} cores ${Math.round(100 * phase.machineBusy)}% busy`,
    `    errors: ${phase.errors.count}${phase.errors.count ? ` ${JSON.stringify(phase.errors.kinds)}` : ''}; clients diverged from the server: ${phase.diverged}`,
    ...phase.errors.samples.map((sample) => `      ${sample}`),
  ];
  return lines.join('\n');
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
