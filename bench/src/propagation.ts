import { conversation, exited, forkScript } from './conversation';
import { wallNow } from './fan-out-protocol';
import type { FromGateway, ToGateway } from './gateway-process';
import type { BenchServer } from './gateway-server';
import { median, quantile } from './harness';
import { cpuMs, type DeviceSteps, type FromDevices, type ToDevices } from './propagation-protocol';
import { openWriter, write } from './propagation-writer';
import type { Outcome } from './report';

/** A write on one device should be on another's screen within these (100 subscribers, loopback). */
export const PROPAGATION_GOAL = { p50Ms: 50, p99Ms: 250 };

/** The steps between the write and the screen (see `PropagationScenario.steps`). */
export type Step = 'hint' | 'pull' | 'answer' | 'store' | 'watch';

export interface PropagationScenario {
  name: string;
  subscribers: number;
  /** 2: the writer on the bench's gateway, the subscribers on another process over the database. */
  gateways: 1 | 2;
  /** Medians over the rounds, each from just before the writer's `insert`. */
  pushMs: number;
  /** The baseline: a raw change stream, in the subscribers' process, read the hint. */
  streamMs: number;
  /** The row on the subscribers' screens, over every subscriber and round. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  met: boolean;
  /**
   * Each step's own time: the hint read by the device's stream (from the insert), its pull
   * sent, answered, in its store, shown by `watch()`.
   */
  steps: Record<Step, { p50Ms: number; p99Ms: number }>;
  /**
   * CPU time (user and system) per write, averaged over the rounds: of the gateway process
   * the subscribers use (with one gateway, the writer and its push share it), and of the
   * subscribers' process.
   */
  cpuPerWriteMs: { gateway: number; subscribers: number };
}

/** How long a write on one device takes to reach other devices' screens. */
export interface PropagationReport {
  /** When and where it was measured: `pnpm bench propagation` updates this alone. */
  date: string;
  machine: string;
  rounds: number;
  scenarios: Outcome<PropagationScenario>[];
}

const ROUNDS = 15;
/** Between two writes, so that each is a lone write (the hint window is 25 ms). */
const PAUSE_MS = 150;
/** Warm-up writes at most, until every device has shown one (a stream listens from its first read). */
const WARM_UP_WRITES = 10;
const MANY = 100;

interface Plan {
  subscribers: number;
  gateways: 1 | 2;
}

/**
 * One writer (`createSyncClient` in this process, syncing only after its own writes) and
 * subscribers (`createSyncClient` each, live, in a process of their own): 1, then 100, on
 * the bench's gateway and, with a database URL (Postgres), on another gateway process over
 * the same database. Each round the writer inserts a row that every subscriber's query
 * covers, and the times run from just before the insert until each subscriber's `watch()`
 * shows it. The baseline is the hint itself: a raw change stream beside the subscribers.
 */
export async function propagation(
  server: BenchServer,
  databaseUrl: string | undefined,
  context: { date: string; machine: string },
): Promise<PropagationReport> {
  const plans: Plan[] = [
    { subscribers: 1, gateways: 1 },
    { subscribers: MANY, gateways: 1 },
    ...(databaseUrl
      ? ([
          { subscribers: 1, gateways: 2 },
          { subscribers: MANY, gateways: 2 },
        ] as const)
      : []),
  ];
  const writer = await openWriter(server.url);
  const scenarios: Outcome<PropagationScenario>[] = [];
  try {
    for (const [index, plan] of plans.entries()) {
      const name = `${plan.subscribers === 1 ? '1 subscriber' : `${plan.subscribers} subscribers`}, ${plan.gateways === 1 ? 'one gateway' : 'two gateways'}`;
      // A value only this scenario writes: each subscriber's first pull is empty.
      const category = `propagation ${index} of ${process.pid}`;
      try {
        const scenario = await run(name, plan, {
          category,
          writerUrl: server.url,
          databaseUrl: plan.gateways === 2 ? databaseUrl : undefined,
          write: (title) => write(writer, title, category),
        });
        scenarios.push(scenario);
        console.log(formatScenario(scenario));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        console.error(`  propagation, ${name}: FAILED: ${message}`);
        scenarios.push({ name, failed: message });
      }
    }
  } finally {
    writer.close();
  }
  return { ...context, rounds: ROUNDS, scenarios };
}

/** One write, as the subscribers' process saw it. */
interface Round {
  /** `wallNow()` just before the insert. */
  sent: number;
  pushMs: number;
  streamMs: number;
  devices: DeviceSteps[];
}

/** A scenario: its subscribers' process (and gateway), a warm-up, then the rounds. */
async function run(
  name: string,
  plan: Plan,
  setup: {
    category: string;
    writerUrl: string;
    /** Given: the subscribers use another gateway process over this database. */
    databaseUrl: string | undefined;
    /** Writes a row of `category` titled so; answers when its push was answered. */
    write: (title: string) => Promise<number>;
  },
): Promise<PropagationScenario> {
  const { category, writerUrl, databaseUrl, write } = setup;
  const gateway = databaseUrl ? await startGateway(databaseUrl) : undefined;
  const devices = forkScript(new URL('./propagation-devices.ts', import.meta.url));
  const talk = conversation<ToDevices, FromDevices>(devices, 'the propagation devices');
  try {
    const url = gateway?.url ?? writerUrl;
    await talk.ask({ type: 'open', url, devices: plan.subscribers, category }, 'opened', 120_000);
    await warmUp(talk, write);
    const usage = async () => ({
      gateway: gateway ? await gateway.cpuMs() : cpuMs(),
      subscribers: (await talk.ask({ type: 'usage' }, 'usage')).cpuMs,
    });
    const before = await usage();
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await pause(PAUSE_MS);
      const title = `round ${round}`;
      await talk.ask({ type: 'round', title }, 'round-ready');
      const shown = talk.next('shown', 30_000);
      const sent = wallNow();
      const answered = await write(title);
      const { stream, devices: steps } = await shown;
      rounds.push({ sent, pushMs: answered - sent, streamMs: stream - sent, devices: steps });
    }
    const after = await usage();
    return {
      ...summary(name, plan, rounds),
      cpuPerWriteMs: {
        gateway: (after.gateway - before.gateway) / ROUNDS,
        subscribers: (after.subscribers - before.subscribers) / ROUNDS,
      },
    };
  } finally {
    devices.send({ type: 'close' } satisfies ToDevices);
    await exited(devices);
    await gateway?.close();
  }
}

/** The rounds' times: medians of the writes, quantiles over every subscriber and write. */
function summary(
  name: string,
  plan: Plan,
  rounds: Round[],
): Omit<PropagationScenario, 'cpuPerWriteMs'> {
  const all = rounds.flatMap((round) => round.devices.map((steps) => ({ ...steps, round })));
  const screens = all.map((each) => each.shown - each.round.sent).sort((a, b) => a - b);
  /** A step's own time, from the one before (`from`) to `to`, where the device took both. */
  const step = (from: (each: (typeof all)[number]) => number | null, to: keyof DeviceSteps) => {
    const times = all.flatMap((each) => {
      const start = from(each);
      const end = each[to];
      return start === null || end === null ? [] : [end - start];
    });
    times.sort((a, b) => a - b);
    return { p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99) };
  };
  const p50Ms = quantile(screens, 0.5);
  const p99Ms = quantile(screens, 0.99);
  return {
    name,
    subscribers: plan.subscribers,
    gateways: plan.gateways,
    pushMs: median(rounds.map((round) => round.pushMs)),
    streamMs: median(rounds.map((round) => round.streamMs)),
    p50Ms,
    p99Ms,
    maxMs: screens.at(-1) as number,
    met: p50Ms <= PROPAGATION_GOAL.p50Ms && p99Ms <= PROPAGATION_GOAL.p99Ms,
    steps: {
      hint: step((each) => each.round.sent, 'hint'),
      pull: step((each) => each.hint, 'pullSent'),
      answer: step((each) => each.pullSent, 'answered'),
      store: step((each) => each.answered, 'stored'),
      watch: step((each) => each.stored, 'shown'),
    },
  };
}

/** Writes until every device has shown a row: each stream listens from its first read on. */
async function warmUp(
  talk: ReturnType<typeof conversation<ToDevices, FromDevices>>,
  write: (title: string) => Promise<number>,
) {
  for (let attempt = 1; attempt <= WARM_UP_WRITES; attempt++) {
    await talk.ask({ type: 'round', title: `warm-up ${attempt}` }, 'round-ready');
    const shown = talk.next('shown', 5_000).then(
      () => true,
      () => false,
    );
    await write(`warm-up ${attempt}`);
    if (await shown) return;
  }
  throw new Error(`not every device showed any of ${WARM_UP_WRITES} warm-up writes`);
}

/** Another gateway process over the same database. */
async function startGateway(databaseUrl: string) {
  const child = forkScript(new URL('./gateway-process.ts', import.meta.url), [databaseUrl]);
  const talk = conversation<ToGateway, FromGateway>(child, 'the second gateway');
  const { url } = await talk.next('listening', 60_000);
  return {
    url,
    cpuMs: async () => (await talk.ask({ type: 'usage' }, 'usage')).cpuMs,
    async close() {
      await talk.ask({ type: 'close' }, 'closed', 30_000);
      await exited(child);
    },
  };
}

function formatScenario(scenario: PropagationScenario): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const verdict = scenario.met ? 'met' : 'MISSED';
  const steps = Object.entries(scenario.steps)
    .map(([step, time]) => `${step} ${ms(time.p50Ms)}`)
    .join(', ');
  return [
    `  propagation, ${scenario.name}: on screen p50 ${ms(scenario.p50Ms)}, p99 ${ms(scenario.p99Ms)}, max ${ms(scenario.maxMs)}`,
    `(goal p50 <= ${PROPAGATION_GOAL.p50Ms} ms, p99 <= ${PROPAGATION_GOAL.p99Ms} ms: ${verdict});`,
    `baseline: a raw change stream heard the hint after ${ms(scenario.streamMs)};`,
    `push answered after ${ms(scenario.pushMs)} (medians of ${ROUNDS})`,
    `\n    steps (p50): ${steps}; CPU per write: the subscribers' gateway ${ms(scenario.cpuPerWriteMs.gateway)}, the subscribers' process ${ms(scenario.cpuPerWriteMs.subscribers)}`,
  ].join(' ');
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
