import { mkdirSync } from 'node:fs';
import { SignJWT } from 'jose';
import { Random } from '../support/random';
import { type Backend, pgliteBackend, postgresBackend } from './backends';
import { checkLedger, compareDevices, type Findings, noFindings } from './checks';
import { ChaosDevice, type ConflictPolicy } from './device';
import { type FaultRates, FaultyNetwork } from './faulty-network';
import type { Termination } from './gateway-nodes';
import { Ledger } from './ledger';
import { readServer } from './server-view';

export interface ChaosOptions {
  seed: number;
  clients: number;
  seconds: number;
  gateways: number;
  database: 'postgres' | 'pglite';
  rates: FaultRates;
  /** Kill, SIGTERM and restart the servers (off: only the network and reloads misbehave). */
  serverFaults: boolean;
  /** The mean pause between two things one device does. */
  paceMs: number;
  /** How long a gateway may take to stop on SIGTERM. */
  shutdownMs: number;
  /** Postgres server to fall back on where no throwaway cluster can be made. */
  databaseUrl?: string | undefined;
  logDir: string;
  /** Where progress lines go. */
  log: (line: string) => void;
}

export interface ChaosReport {
  ok: boolean;
  findings: Findings;
  /** The run in one line: what was done, what was injected, what was found. */
  summary: string;
  /** The command that runs it again. */
  replay: string;
}

const SECRET = 'chaos-secret-chaos-secret-chaos-secret-0123';
const MODELS = ['vm-volvo-fh16', 'vm-scania-r500', 'vm-man-tgx', 'vm-iveco-daily'];
const POLICIES: ConflictPolicy[] = ['server-wins', 'client-wins', 'merge', 'report'];
/** A fault cycle (kill, database restart, SIGTERM) this long; a shorter run gets one. */
const CYCLE_MS = 20_000;

interface ServerFaultCounts {
  kills: number;
  sigterms: Termination[];
  restarts: string[];
}

/**
 * Many devices, each the real client on its own IndexedDB, against several gateways on one
 * database, through a faulty network, while the servers are killed, stopped and restarted.
 * Then the network heals, everything comes up, every device syncs until it is quiet, and
 * the server's truth (read over GraphQL) is held against every device and the ledger.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log } = options;
  const random = new Random(options.seed);
  mkdirSync(options.logDir, { recursive: true });
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(`unhandled rejection: ${String(reason)}`);
  process.on('unhandledRejection', onUnhandled);

  const backendOptions = {
    gateways: options.gateways,
    jwtSecret: SECRET,
    logDir: options.logDir,
    shutdownMs: options.shutdownMs,
  };
  const backend =
    options.database === 'postgres'
      ? await postgresBackend(backendOptions, options.databaseUrl)
      : await pgliteBackend(backendOptions);
  const findings = noFindings();
  const network = new FaultyNetwork(options.rates, () => backend.nodes);
  const ledger = new Ledger();
  const faults: ServerFaultCounts = { kills: 0, sigterms: [], restarts: [] };
  let converged = { ms: 0, rounds: 0 };
  let deadlocks: number | undefined;
  let devices: ChaosDevice[] = [];
  try {
    const users = Array.from({ length: Math.ceil(options.clients / 3) }, (_, index) => ({
      name: `tech-${options.seed}-${index + 1}`,
    }));
    const tokens = new Map<string, string>();
    for (const user of users) tokens.set(user.name, await tokenFor(user.name));
    const origin = () => backend.nodes.find((node) => node.origin)?.origin as string;
    const seed = (await readServer(origin(), tokens)).models;

    devices = Array.from({ length: options.clients }, (_, index) => {
      const user = users[index % users.length]?.name as string;
      const deviceRandom = random.fork(`device-${index}`);
      return new ChaosDevice({
        name: `device-${index + 1}`,
        user,
        token: tokens.get(user) as string,
        random: deviceRandom,
        network,
        ledger,
        modelIds: MODELS,
        policy: deviceRandom.pick(POLICIES),
      });
    });
    await Promise.all(devices.map((device) => device.registerQueries()));

    const started = Date.now();
    const deadline = started + options.seconds * 1000;
    const since = () => `+${((Date.now() - started) / 1000).toFixed(1)}s`;
    log(
      `chaos seed ${options.seed} on ${options.database}: ${options.clients} clients, ${options.gateways} gateways, ${options.seconds} s`,
    );
    const working = devices.map(async (device) => {
      while (Date.now() < deadline) {
        await device.act();
        await pause(device.random.int(0, 2 * options.paceMs));
      }
    });
    const faulting = options.serverFaults
      ? injectServerFaults(backend, random.fork('faults'), options, faults, findings, (line) =>
          log(`${since()} ${line}`),
        )
      : Promise.resolve();
    await Promise.all([...working, faulting]);

    log(`${since()} healing: a reliable network, every gateway up, every device syncs`);
    network.faulty = false;
    for (const node of backend.nodes) if (!node.origin) await node.start();
    for (const device of devices) await device.reopen({ autoSync: false });
    converged = await heal(devices, findings);
    const server = await readServer(origin(), tokens);
    findings.divergent.push(...(await compareDevices(devices, server)));
    const ledgerFindings = checkLedger(ledger, server, seed);
    findings.lost.push(...ledgerFindings.lost);
    findings.doubled.push(...ledgerFindings.doubled);
  } catch (error) {
    // Reported like any finding, so that the seed and the replay command are printed.
    findings.crashes.push(`the run itself failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    for (const device of devices) {
      findings.regressions.push(...device.monitor.regressions);
      findings.crashes.push(...device.counts.failures);
      await device.close().catch(() => undefined);
    }
    for (const node of backend.nodes) findings.crashes.push(...node.crashes);
    network.close();
    deadlocks = backend.deadlocks();
    await backend.close();
    process.off('unhandledRejection', onUnhandled);
  }
  findings.crashes.push(...unhandled);

  const ok = Object.values(findings).every((list) => list.length === 0);
  const summary = summarise(
    options,
    { devices, network, faults, backend, converged, deadlocks },
    findings,
  );
  return { ok, findings, summary, replay: replayCommand(options) };
}

async function injectServerFaults(
  backend: Backend,
  random: Random,
  options: ChaosOptions,
  counts: ServerFaultCounts,
  findings: Findings,
  log: (line: string) => void,
) {
  const started = Date.now();
  const total = options.seconds * 1000;
  const cycle = Math.min(CYCLE_MS, total);
  const at = (ms: number) => pause(started + ms - Date.now());
  const { nodes } = backend;
  for (let cycleStart = 0, index = 0; cycleStart + cycle <= total; cycleStart += cycle, index++) {
    const victim = nodes[index % nodes.length];
    const stopped = nodes[(index + 1) % nodes.length];
    await at(cycleStart + cycle * (0.15 + 0.15 * random.next()));
    if (victim && !victim.origin) {
      log(`${victim.name} is down (it crashed): no kill -9`);
      await victim.start();
    } else if (victim) {
      log(`kill -9 ${victim.name}`);
      await victim.kill();
      counts.kills++;
      await pause(random.int(500, 2500));
      await victim.start();
      log(`${victim.name} is up again`);
    }
    await at(cycleStart + cycle * (0.45 + 0.1 * random.next()));
    const restarted = await backend.restartDatabase(random);
    if (restarted) {
      counts.restarts.push(restarted);
      log(restarted);
    }
    await at(cycleStart + cycle * (0.65 + 0.15 * random.next()));
    if (stopped && !stopped.origin) {
      log(`${stopped.name} is down (it crashed): no SIGTERM`);
      await stopped.start();
    } else if (stopped) {
      log(`SIGTERM ${stopped.name}`);
      const ended = await stopped.terminate();
      counts.sigterms.push(ended);
      log(`${stopped.name} stopped: exit ${ended.exitCode} in ${(ended.ms / 1000).toFixed(1)} s`);
      if (ended.exitCode !== 0 || ended.ms > options.shutdownMs) {
        findings.crashes.push(
          `${stopped.name} on SIGTERM: exit ${ended.exitCode} after ${Math.round(ended.ms)} ms (bound ${options.shutdownMs} ms)`,
        );
      }
      await pause(random.int(300, 1500));
      await stopped.start();
      log(`${stopped.name} is up again`);
    }
  }
}

/**
 * Rounds of every device syncing until it is quiet, until a round in which no device
 * changed anything on the server: every pull of that round saw the final state.
 */
async function heal(devices: readonly ChaosDevice[], findings: Findings) {
  const started = performance.now();
  for (let round = 1; round <= 30; round++) {
    const settled = await Promise.all(devices.map((device) => device.settle()));
    for (const { rejected } of settled) findings.lost.push(...rejected);
    const calm = settled.every(({ quiet, changed }) => quiet && changed === 0);
    if (calm) return { ms: performance.now() - started, rounds: round };
  }
  for (const [index, device] of devices.entries()) {
    const client = await device.client();
    if (client.pendingOperations() > 0) {
      findings.stuck.push(`${device.name}: ${client.pendingOperations()} operations still queued`);
    } else {
      findings.stuck.push(`${device.name}: never quiet after 30 rounds (device ${index + 1})`);
    }
  }
  return { ms: performance.now() - started, rounds: 30 };
}

interface RunFigures {
  devices: readonly ChaosDevice[];
  network: FaultyNetwork;
  faults: ServerFaultCounts;
  backend: Backend;
  converged: { ms: number; rounds: number };
  deadlocks: number | undefined;
}

function summarise(options: ChaosOptions, figures: RunFigures, findings: Findings): string {
  const { devices, network, faults, backend, converged, deadlocks } = figures;
  const sum = (pick: (device: ChaosDevice) => number) =>
    devices.reduce((total, device) => total + pick(device), 0);
  const n = (value: number) => value.toLocaleString('en-US');
  const slowest = Math.max(0, ...faults.sigterms.map((ended) => ended.ms));
  const exits = [...new Set(faults.sigterms.map((ended) => String(ended.exitCode)))].join('/');
  const { counts } = network;
  return [
    `chaos seed ${options.seed} on ${options.database}: ${options.clients} clients, ${options.seconds} s, ${options.gateways} gateways`,
    `${n(sum((device) => device.counts.changes))} changes, ${n(sum((device) => device.counts.syncs))} syncs, ${n(counts.requests)} requests, ${n(counts.streams)} change streams`,
    `faults: ${n(counts.requestsLost)} requests lost, ${n(counts.answersLost)} answers lost, ${n(counts.refused)} refused, ${n(sum((device) => device.counts.reloads))} reloads (${n(counts.reloadsMidPush)} mid-push), ${faults.kills} kill -9, ${faults.sigterms.length} SIGTERM${faults.sigterms.length ? ` (exit ${exits}, slowest ${(slowest / 1000).toFixed(1)} s)` : ''}, ${faults.restarts.length} database restarts`,
    `converged in ${(converged.ms / 1000).toFixed(1)} s (${converged.rounds} rounds)`,
    `divergent ${findings.divergent.length}, regressions ${findings.regressions.length}, lost ${findings.lost.length}, doubled ${findings.doubled.length}, stuck ${findings.stuck.length}, crashes ${findings.crashes.length}`,
    `deadlocks ${deadlocks ?? 'n/a'}${backend.limits.length ? ` (${backend.limits.join('; ')})` : ''}`,
  ].join(' | ');
}

export function replayCommand(options: ChaosOptions): string {
  const { rates } = options;
  return [
    'pnpm chaos',
    `--seed ${options.seed}`,
    `--database ${options.database}`,
    `--clients ${options.clients}`,
    `--seconds ${options.seconds}`,
    `--gateways ${options.gateways}`,
    `--request-loss ${rates.requestLoss}`,
    `--answer-loss ${rates.answerLoss}`,
    `--max-delay ${rates.maxDelayMs}`,
    `--pace ${options.paceMs}`,
    options.serverFaults ? '' : '--no-server-faults',
  ]
    .filter(Boolean)
    .join(' ');
}

function tokenFor(user: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime('4h')
    .sign(new TextEncoder().encode(SECRET));
}

/** Waits `ms` (a device's pause between actions, or the fault schedule's next step). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
