import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CHANGES_CHANNEL, type SyncDatabase } from '@syncline/gateway';
import { benchRow, benchSmall, rowId } from './bench-tables';
import { conversation, exited, forkScript } from './conversation';
import type { FromClients, ToClients } from './fan-out-protocol';
import { wallNow } from './fan-out-protocol';
import type { BenchServer } from './gateway-server';
import { createTableClient } from './graphql-http';
import { median, quantile } from './harness';
import { INITIAL_ROWS } from './initial-pull';

/** What one write's hint took to reach 1,000 subscribers, and what they cost the gateway. */
export interface FanOutReport {
  /** When and where it was measured: `pnpm bench fan-out` updates this alone. */
  date: string;
  machine: string;
  streams: number;
  rounds: number;
  /** Medians over the rounds, each from just before the push was sent. */
  pushMs: number;
  notifyMs: number;
  /** The same write with a single stream open: the path without the fan-out. */
  oneStreamMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** A write to a table that one stream wants, with all the others open too. */
  oneOfManyMs: number;
  /** The gateway process's growth from 1 stream to all, after full collections, per stream. */
  heapPerStreamKb: number;
  rssPerStreamKb: number;
}

const STREAMS = 1_000;
const ROUNDS = 9;
/** Between two writes, so that each is a lone write (the hint window is 25 ms). */
const PAUSE_MS = 100;
/** What every stream but one subscribes to, and the row the writes update there. */
const WIDE = { table: benchRow, name: 'benchRow', row: rowId(INITIAL_ROWS) } as const;
/** What one stream subscribes to. */
const NARROW = { table: benchSmall, name: 'benchSmall', row: rowId(1) } as const;
type Target = typeof WIDE | typeof NARROW;

interface Round {
  pushMs: number;
  notifyMs: number;
  /** When each stream of the table heard the hint, sorted. */
  latencies: number[];
}

/**
 * Opens change streams on the gateway from a process of subscribers (one user each): 1,
 * then 1,000, plus one on another table. One at a time, it pushes an update of a table and
 * times until every stream of that table heard its hint. The baseline is the NOTIFY
 * itself: a LISTEN of its own on the same database, in the gateway's process, hearing the
 * same commit.
 */
export async function fanOut(
  server: BenchServer,
  database: SyncDatabase,
  context: { date: string; machine: string },
): Promise<FanOutReport> {
  const gc = exposeGc();
  /** When the baseline's LISTEN heard the round's NOTIFY; each round waits for it too. */
  let notified: number | undefined;
  let baselineHeard = () => {};
  const unlisten = await database.listen(CHANGES_CHANNEL, () => {
    if (notified !== undefined) return;
    notified = wallNow();
    baselineHeard();
  });
  const clients = forkScript(new URL('./stream-clients.ts', import.meta.url));
  const talk = conversation<ToClients, FromClients>(clients, 'fan-out subscribers');
  const writers = new Map<Target, () => Promise<void>>();
  for (const target of [WIDE, NARROW]) writers.set(target, await writerOf(server, target));
  const write = (target: Target) => (writers.get(target) as () => Promise<void>)();

  /** Opens `streams` more on `target`'s table. */
  const open = async (streams: number, target: Target) => {
    const message: ToClients = { type: 'open', url: server.url, streams, table: target.name };
    const opened = await talk.ask(message, 'opened', 120_000);
    if (opened.refused > 0) throw new Error(`fan-out: ${opened.refused} streams were refused`);
  };
  /** A stream listens from its first read on: writes until every one of `target` heard one. */
  const warmUp = async (target: Target) => {
    await talk.ask({ type: 'round', table: target.name }, 'round-ready');
    let warm = false;
    const warmedUp = talk.next('heard', 60_000).then(() => {
      warm = true;
    });
    while (!warm) {
      await write(target);
      await Promise.race([warmedUp, pause(1_000)]);
    }
  };
  const measure = async (target: Target) => {
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await pause(PAUSE_MS);
      await talk.ask({ type: 'round', table: target.name }, 'round-ready');
      const heard = talk.next('heard', 30_000);
      notified = undefined;
      // Another connection: it may hear the NOTIFY a moment after the gateway's does.
      const baseline = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('fan-out: the LISTEN baseline heard nothing')),
          30_000,
        );
        baselineHeard = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const sent = wallNow();
      await write(target);
      const pushMs = wallNow() - sent;
      const [{ arrivals }] = await Promise.all([heard, baseline]);
      if (notified === undefined) throw new Error('fan-out: the LISTEN baseline heard nothing');
      rounds.push({
        pushMs,
        notifyMs: notified - sent,
        latencies: arrivals.map((at) => at - sent).sort((a, b) => a - b),
      });
    }
    return (pick: (round: Round) => number) => median(rounds.map(pick));
  };
  try {
    await open(1, WIDE);
    await warmUp(WIDE);
    const alone = await measure(WIDE);
    const before = await settledMemory(gc);
    await open(STREAMS - 1, WIDE);
    await open(1, NARROW);
    await warmUp(WIDE);
    await warmUp(NARROW);
    const after = await settledMemory(gc);
    const all = await measure(WIDE);
    const oneOfMany = await measure(NARROW);
    const perStream = (bytes: number) => bytes / 1024 / STREAMS;
    const report: FanOutReport = {
      ...context,
      streams: STREAMS,
      rounds: ROUNDS,
      pushMs: all((round) => round.pushMs),
      notifyMs: all((round) => round.notifyMs),
      oneStreamMs: alone((round) => round.latencies[0] as number),
      p50Ms: all((round) => quantile(round.latencies, 0.5)),
      p99Ms: all((round) => quantile(round.latencies, 0.99)),
      maxMs: all((round) => round.latencies.at(-1) as number),
      oneOfManyMs: oneOfMany((round) => round.latencies[0] as number),
      heapPerStreamKb: perStream(after.heapUsed - before.heapUsed),
      rssPerStreamKb: perStream(after.rss - before.rss),
    };
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    console.log(
      `  fan-out to ${STREAMS} streams: hint p50 ${ms(report.p50Ms)}, p99 ${ms(report.p99Ms)}, max ${ms(report.maxMs)} after the push was sent; one stream alone ${ms(report.oneStreamMs)}; the one stream of another table among them ${ms(report.oneOfManyMs)}; NOTIFY heard after ${ms(report.notifyMs)}, push answered after ${ms(report.pushMs)} (medians of ${ROUNDS}); gateway memory per stream: heap ${report.heapPerStreamKb.toFixed(1)} kB, resident set ${report.rssPerStreamKb.toFixed(1)} kB`,
    );
    return report;
  } finally {
    clients.send({ type: 'close' } satisfies ToClients);
    await exited(clients);
    await unlisten();
  }
}

/** Pushes one update of `target`'s row at a time, with the version the last one left. */
async function writerOf(server: BenchServer, target: Target): Promise<() => Promise<void>> {
  const client = createTableClient(server.url, target.table);
  const page = await client.pull(null, 1, { id: { eq: target.row } });
  let version = page.rows[0]?.version;
  if (typeof version !== 'number') throw new Error(`fan-out: no row ${target.row}`);
  return async () => {
    const [outcome] = await client.push([
      {
        opId: `fan-out-${process.pid}-${Date.now()}-${target.name}-${version}`,
        table: target.name,
        kind: 'UPDATE',
        id: target.row,
        version: version as number,
        data: { score: version as number },
      },
    ]);
    if (outcome?.status !== 'APPLIED') throw new Error(`fan-out: ${JSON.stringify(outcome)}`);
    version = (version as number) + 1;
  };
}

/** Memory once collections have freed what they can (buffers are freed a moment after). */
async function settledMemory(gc: () => void): Promise<NodeJS.MemoryUsage> {
  for (let pass = 0; pass < 3; pass++) {
    gc();
    await pause(100);
  }
  return process.memoryUsage();
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `global.gc` without `--expose-gc` on the command line, so memory is measured after a full collection. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
