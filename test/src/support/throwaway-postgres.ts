import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's cluster tools (postgresql-common), which a throwaway server needs, run as root. */
export const clusterToolsAvailable =
  existsSync('/usr/bin/pg_createcluster') &&
  existsSync('/usr/bin/pg_ctlcluster') &&
  process.getuid?.() === 0;

/** A Postgres server of its own, which a test may stop and start without disturbing others. */
export interface ThrowawayPostgres {
  /** Its `postgres` database, as user postgres. */
  readonly url: string;
  /** Stops the server at once, as a crash would (`-m immediate`: no goodbye to clients). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** `immediate` is a crash (recovery from the WAL at start), `fast` a clean restart. */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  /** `deadlock detected` lines in its log so far. */
  deadlocks(): number;
  /** Stops it and deletes its cluster. */
  drop(): Promise<void>;
}

const PREFIX = 'syncline_throwaway_';
let made = 0;
/** Ports kept for throwaway servers on this machine; the main server is on 5432. */
const PORTS = [5433, 5434, 5435, 5436, 5437, 5438, 5439];

/**
 * Creates and starts a cluster `syncline_throwaway_<pid>_<n>` on a free port of 5433-5439,
 * with trust auth. Without fsync: its data is thrown away, and a crash of Postgres alone
 * (not of the machine) still keeps every commit. Clusters left by test processes that no
 * longer run are dropped first.
 */
export async function createThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const version = newestVersion();
  await dropLeftovers(version);
  const name = `${PREFIX}${process.pid}_${++made}`;
  const port = await freePort(await clusterPorts());
  const settings = ['fsync=off', 'full_page_writes=off'];
  await run('pg_createcluster', [
    version,
    name,
    '--port',
    String(port),
    ...settings.flatMap((setting) => ['-o', setting]),
    '--',
    '--auth=trust',
  ]);
  const ctl = (...args: string[]) =>
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, ...args]);
  await ctl('start');
  const log = `/var/log/postgresql/postgresql-${version}-${name}.log`;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => ctl('stop', '-m', 'immediate').then(() => {}),
    start: () => ctl('start').then(() => {}),
    restart: (mode) => ctl('restart', '-m', mode).then(() => {}),
    deadlocks: () =>
      existsSync(log) ? readFileSync(log, 'utf8').split('deadlock detected').length - 1 : 0,
    drop: () => run('pg_dropcluster', [version, name, '--stop']).then(() => {}),
  };
}

function newestVersion(): string {
  const versions = readdirSync('/usr/lib/postgresql').filter((entry) => /^\d+$/.test(entry));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no Postgres server in /usr/lib/postgresql');
  return newest;
}

/** Every cluster of this machine: version, name, port. */
async function listClusters() {
  const { stdout } = await run('pg_lsclusters', ['--no-header']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 3)
    .map(([version, name, port]) => ({ version, name, port: Number(port) }));
}

async function clusterPorts(): Promise<Set<number>> {
  return new Set((await listClusters()).map((cluster) => cluster.port));
}

async function dropLeftovers(version: string) {
  for (const cluster of await listClusters()) {
    const pid = Number(cluster.name?.slice(PREFIX.length).split('_')[0]);
    if (cluster.version !== version || !cluster.name?.startsWith(PREFIX) || !pid) continue;
    if (!isRunning(pid)) await run('pg_dropcluster', [version, cluster.name, '--stop']);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(taken: Set<number>): Promise<number> {
  for (const port of PORTS) {
    if (!taken.has(port) && !(await listening(port))) return port;
  }
  throw new Error(`no free port for a throwaway Postgres server in ${PORTS.join(', ')}`);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
