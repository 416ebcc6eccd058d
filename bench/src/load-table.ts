import type { Latency, LoadPhase, LoadReport } from './load';
import { table } from './markdown';
import type { Outcome } from './report';

const ms = (value: number) =>
  !Number.isFinite(value)
    ? 'n/a'
    : `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ms`;
const kb = (value: number) => `${value.toFixed(1)} kB`;
const perSecond = (value: number) => value.toFixed(value < 100 ? 1 : 0);
const both = (time: Latency) => `${ms(time.p50Ms)} / ${ms(time.p99Ms)}`;
const shares = (values: number[]) =>
  values.map((value) => `${Math.round(100 * value)}%`).join(', ');

/** Errors of all the phases, and clients whose rows differed from the server's. */
export function loadErrors(load: LoadReport): { errors: number; diverged: number } {
  return {
    errors: load.phases.reduce((sum, phase) => sum + phase.errors.count, 0),
    diverged: load.phases.reduce((sum, phase) => sum + phase.diverged, 0),
  };
}

function errorsOf(phase: LoadPhase): string {
  if (phase.errors.count === 0) return 'none';
  const kinds = Object.entries(phase.errors.kinds)
    .map(([kind, count]) => `${kind}: ${count}`)
    .join(', ');
  return `**${phase.errors.count}** (${kinds})`;
}

/**
 * What the figures come to: CPU per request answered, and the first errors of each phase
 * that had any, as the test reported them.
 */
function details(load: LoadReport): string[] {
  const lines = load.phases.map((phase) => {
    const requests = (phase.pushesPerSecond + phase.pullsPerSecond) * phase.seconds;
    const per = (values: number[]) =>
      ms((values.reduce((sum, value) => sum + value, 0) * phase.seconds * 1000) / requests);
    const errors = phase.errors.samples.slice(0, 3).map((sample) => `\`${sample}\``);
    return `A write every ${phase.writeIntervalMs / 1000} s: ${per(phase.gatewayCpu)} of gateway CPU and ${per(phase.clientsCpu)} of client CPU per request answered${errors.length ? `; first errors: ${errors.join('; ')}` : ''}.`;
  });
  return ['', lines.join(' ')];
}

/** The load test's figures on one database: throughput, latencies, CPU, errors, memory. */
export function loadTable(load: Outcome<LoadReport> | undefined): string {
  if (!load) return '';
  if ('failed' in load) return `Load test: failed (${load.failed}).`;
  const [first] = load.phases;
  const rows = load.phases.map((phase) => [
    `${phase.writeIntervalMs / 1000} s`,
    perSecond(phase.writesPerSecond),
    perSecond(phase.pushesPerSecond + phase.pullsPerSecond),
    `${perSecond(phase.pushesPerSecond)}: ${both(phase.push)}`,
    `${perSecond(phase.pullsPerSecond)}: ${both(phase.pull)}`,
    both(phase.arrival),
    shares(phase.gatewayCpu),
    shares(phase.clientsCpu),
    Number.isFinite(phase.machineBusy) ? `${Math.round(100 * phase.machineBusy)}%` : 'n/a',
    errorsOf(phase),
    String(phase.diverged),
  ]);
  return [
    `Load test (run of ${load.date}; goal: no errors, and every client's rows equal to the server's at the end). ${load.gateways} gateway processes over the database and ${load.clients} live clients of ${load.users} users, four devices each, two on each gateway; each client writes on average every few seconds and syncs, and a write makes its user's devices pull. Each phase is ${first?.seconds ?? 0} s counted after ${first?.warmUpSeconds ?? 0} s of warm-up, with the same clients; times as the clients saw them, p50 / p99, and CPU as a share of one core, per process:`,
    '',
    table(
      [
        'a write per client every',
        'writes/s',
        'requests answered/s',
        'pushes/s: time',
        'pulls/s: time',
        "a write in the pull answer of its user's other devices",
        'CPU: gateways',
        "CPU: clients' processes",
        'all CPUs busy',
        'errors',
        'clients that differ from the server',
      ],
      rows,
    ),
    ...details(load),
    '',
    "Each gateway process's memory per client (the growth from one client to all of them, after full collections), with all connected and idle before the writes, and again after the phases:",
    '',
    table(
      ['gateway', 'clients', 'heap', 'resident set', 'heap, after the phases'],
      load.memory.map((gateway, index) => [
        String(index + 1),
        String(gateway.clients),
        kb(gateway.connected.heapKb),
        kb(gateway.connected.rssKb),
        kb(gateway.afterLoad.heapKb),
      ]),
    ),
  ].join('\n');
}
