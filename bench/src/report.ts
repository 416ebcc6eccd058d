import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { LargeSync } from './browser-page';
import { chart } from './chart';
import type { ClientSize } from './client-size';
import type { FanOutReport } from './fan-out';
import { goalsSection } from './findings';
import type { Comparison } from './harness';
import type { LoadReport } from './load';
import { loadTable } from './load-table';
import { formatWithBiome, table } from './markdown';
import { clientSizeSection, howObtained } from './notes';
import type { PropagationReport } from './propagation';
import { propagationTable } from './propagation-table';
import type { ConcurrencyReport, MemoryReport, TransportFloor } from './server-load';

export interface Failure {
  name: string;
  failed: string;
}

export type Outcome<T> = T | Failure;

/** Everything one `pnpm bench` measured, on one database. */
export interface BenchReport {
  kind: 'postgres' | 'pglite';
  date: string;
  machine: string;
  database: string;
  baselineDriver: string;
  seconds: number;
  comparisons: Outcome<Comparison>[];
  memory: Outcome<MemoryReport> | undefined;
  floor: Outcome<TransportFloor> | undefined;
  concurrency: Outcome<ConcurrencyReport[]> | undefined;
  size: Outcome<ClientSize> | undefined;
  /** Absent in reports written before the fan-out benchmark existed. */
  fanOut?: Outcome<FanOutReport> | undefined;
  /** Absent in reports written before the propagation benchmark existed. */
  propagation?: Outcome<PropagationReport> | undefined;
  /** Absent in reports written before the load test existed, and on PGlite. */
  load?: Outcome<LoadReport> | undefined;
  /** The browser's first sync of 1M rows; absent in reports written before it existed. */
  largeSync?: Outcome<LargeSync> | undefined;
}

/** The figures that carry their own date, so that a selection run may replace them alone. */
export type DatedFigures = Pick<BenchReport, 'fanOut' | 'propagation' | 'load'>;

/** The latest report of each database; a run replaces its own and keeps the other's. */
export type Reports = Partial<Record<BenchReport['kind'], BenchReport>>;

const docs = (name: string) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
const DATA = /<!-- bench-data (.*) -->/;

export function failed<T extends object>(outcome: Outcome<T> | undefined): outcome is Failure {
  return outcome !== undefined && 'failed' in outcome;
}

async function previousReports(): Promise<Reports> {
  const text = await readFile(docs('benchmarks.md'), 'utf8').catch(() => '');
  const data = text.match(DATA)?.[1];
  return data ? (JSON.parse(data) as Reports) : {};
}

/**
 * Writes `docs/benchmarks.md` and `docs/benchmarks.svg` with this run and the other
 * database's last; with no run, rewrites them from the figures they hold.
 */
export async function writeReport(report?: BenchReport, previous?: Reports): Promise<void> {
  const reports: Reports = {
    ...(previous ?? (await previousReports())),
    ...(report && { [report.kind]: report }),
  };
  await writeFile(docs('benchmarks.svg'), chart(reports));
  await writeFile(docs('benchmarks.md'), markdown(reports));
  await formatWithBiome(docs('benchmarks.md'));
}

/**
 * Puts a selection run's dated figures (fan-out, propagation, load) into the page in place of
 * that database's last ones, keeping every other figure; answers the names of those it
 * wrote (none that failed, and none when the page has no full run of that database to keep
 * them in).
 */
export async function writeDated(
  kind: BenchReport['kind'],
  figures: DatedFigures,
): Promise<(keyof DatedFigures)[]> {
  const reports = await previousReports();
  const report = reports[kind];
  const names = (Object.keys(figures) as (keyof DatedFigures)[]).filter((name) => {
    const outcome = figures[name];
    return outcome !== undefined && !failed(outcome);
  });
  if (!report || names.length === 0) return [];
  reports[kind] = { ...report, ...Object.fromEntries(names.map((name) => [name, figures[name]])) };
  await writeReport(undefined, reports);
  return names;
}

const DATABASE_TITLES = { postgres: 'Postgres server', pglite: 'PGlite (embedded)' };

function markdown(reports: Reports): string {
  const latest = reports.postgres ?? reports.pglite;
  const sections = (['postgres', 'pglite'] as const).flatMap((kind) => {
    const report = reports[kind];
    return report ? [databaseSection(report)] : [];
  });
  const size = latest?.size;
  return [
    '# Benchmarks',
    '',
    '`pnpm bench` runs each benchmark a few times after a warm-up and compares the median of Syncline with the median of a baseline measured in the same run, alternating which side goes first. It uses the Postgres server of `DATABASE_URL` when it is set, PGlite otherwise; this page keeps the latest run of each.',
    '',
    '![Syncline time over baseline time per benchmark, against the goals](benchmarks.svg)',
    '',
    ...sections,
    goalsSection(reports),
    ...(Object.values(reports).some((report) => report?.fanOut) ? [FAN_OUT_FINDING, ''] : []),
    size && !failed(size) ? clientSizeSection(size) : '',
    howObtained(reports),
    `<!-- bench-data ${JSON.stringify(reports)} -->`,
    '',
  ].join('\n');
}

function databaseSection(report: BenchReport): string {
  const rows = report.comparisons.map((entry) =>
    failed(entry)
      ? [entry.name, `failed: ${entry.failed}`, '', '', '', '', '']
      : [
          entry.name,
          entry.synclineLabel,
          entry.baselineLabel,
          `${round(entry.synclineMs)} ${entry.unit}`,
          `${round(entry.baselineMs)} ${entry.unit}`,
          `${entry.ratio.toFixed(2)}x`,
          `<= ${entry.goal}x ${entry.met ? 'met' : '**missed**'}`,
        ],
  );
  if (report.size && !failed(report.size)) {
    const kb = (report.size.gzipBytes / 1024).toFixed(1);
    const verdict = report.size.met ? 'met' : '**missed**';
    rows.push([
      'client size',
      'minified, gzipped (level 9)',
      '',
      `${kb} kB`,
      '',
      '',
      `<= 25 kB ${verdict}`,
    ]);
  }
  const head = ['benchmark', 'Syncline side', 'baseline', 'Syncline', 'baseline', 'ratio', 'goal'];
  return [
    `## ${DATABASE_TITLES[report.kind]}: ${report.database}`,
    '',
    `Run of ${report.date} on ${report.machine}; baselines through ${report.baselineDriver}; ${Math.round(report.seconds)} s in all.`,
    '',
    table(head, rows),
    '',
    floorLine(report.floor),
    '',
    memoryLine(report.memory),
    '',
    largeSyncLine(report.largeSync),
    '',
    concurrencyTable(report.concurrency),
    '',
    fanOutTable(report.fanOut, report.kind),
    '',
    propagationTable(report.propagation),
    '',
    loadTable(report.load),
    '',
  ].join('\n');
}

/** From a `node --cpu-prof` profile of `pnpm bench fan-out` (PGlite), one write to 1,000 streams. */
const FAN_OUT_FINDING =
  "**fan-out**. Where the time goes, in a CPU profile of writes to 1,000 streams (PGlite): about a quarter in the socket writes (one system call per stream; here the subscribers' process, on the same two CPUs, is woken by each), a sixth in GraphQL executing the subscription's selection once per stream, an eighth in garbage collection, and the rest in the stream plumbing (Yoga's response stream over a Node stream, the HTTP response). The hub hands a hint to 100 streams per turn of the event loop (`gateway/src/sync/hint-fan-out.ts`): their writes leave while the next hundred are prepared, and the gateway answers other requests in between. Handing it to all 1,000 in one go, as at first, prepared every event before the first write left, so p50 was close to the max, and the writer's own push waited behind the whole fan-out (about 110 ms on Postgres; about 23 ms in slices). A stream that does not want a table costs one call (the one stream of another table). The hint window never applies here: each write is a lone one.";

function fanOutTable(fanOut: BenchReport['fanOut'], kind: BenchReport['kind']): string {
  if (!fanOut) return '';
  if (failed(fanOut)) return `Fan-out of change hints: failed (${fanOut.failed}).`;
  const ms = (value: number) => `${round(value)} ms`;
  const streams = fanOut.streams.toLocaleString('en');
  return [
    `Fan-out of change hints (run of ${fanOut.date}; no goal of its own: a write on one device should reach another's screen, pull included, in p50 <= 50 ms and p99 <= 250 ms). One push updates a row of a shared table that every stream subscribes to; each figure is the median of ${fanOut.rounds} such writes, timed from just before the push was sent:`,
    '',
    table(
      ['what', 'time'],
      [
        ['the push answered (commit included)', ms(fanOut.pushMs)],
        ['baseline: a LISTEN of its own heard the NOTIFY', ms(fanOut.notifyMs)],
        ['the hint reached the one stream open', ms(fanOut.oneStreamMs)],
        [`with ${streams} streams open: half of them had the hint (p50)`, ms(fanOut.p50Ms)],
        [`with ${streams} streams open: 99% (p99)`, ms(fanOut.p99Ms)],
        [`with ${streams} streams open: all (max)`, ms(fanOut.maxMs)],
        [`the one stream of another table, the ${streams} open too`, ms(fanOut.oneOfManyMs)],
      ],
    ),
    '',
    `Gateway memory per open stream (the process's growth from 1 stream to ${streams}, after full collections): JavaScript heap ${fanOut.heapPerStreamKb.toFixed(1)} kB, ${
      kind === 'postgres'
        ? `resident set ${fanOut.rssPerStreamKb.toFixed(1)} kB`
        : "resident set not shown (PGlite's own memory, in the same process, moves it more than the streams do)"
    }.`,
  ].join('\n');
}

function floorLine(floor: BenchReport['floor']): string {
  if (!floor) return '';
  if (failed(floor)) return `Transport floor: failed (${floor.failed}).`;
  const kb = Math.round(floor.responseBytes / 1024);
  return `Transport floor of the initial pull: the same client fetching and parsing ${floor.responses} ready-made pull responses of ${kb} kB (one real response of 10 pages, served from memory) takes ${Math.round(floor.ms)} ms.`;
}

function memoryLine(memory: BenchReport['memory']): string {
  if (!memory) return '';
  if (failed(memory)) return `Gateway memory during the initial pull: failed (${memory.failed}).`;
  const mb = (value: number) => `${Math.round(value)} MB`;
  return `Gateway memory during the initial pull (no goal; the pulling client runs in a process of its own, PGlite in the gateway's): resident set ${mb(memory.rssBeforeMb)} before, ${mb(memory.rssPeakMb)} at the peak; JavaScript heap used ${mb(memory.heapBeforeMb)} before, ${mb(memory.heapPeakMb)} at the peak.`;
}

function largeSyncLine(sync: BenchReport['largeSync']): string {
  if (!sync) return '';
  if (failed(sync)) return `Browser first sync of 1M rows: failed (${sync.failed}).`;
  const rate = Math.round(sync.rows / (sync.ms / 1000)).toLocaleString('en');
  return `Browser first sync of 1M rows (headless Chromium, through the client into IndexedDB on disk, pages of 1,000): ${(sync.ms / 1000).toFixed(1)} s, ${rate} rows/s, progress reported ${sync.progressReports.toLocaleString('en')} times; JavaScript heap ${sync.heapBeforeMb.toFixed(0)} MB before, ${sync.heapPeakMb.toFixed(0)} MB at the peak.`;
}

function concurrencyTable(concurrency: BenchReport['concurrency']): string {
  if (!concurrency) return '';
  if (failed(concurrency)) return `Concurrent pulls: failed (${concurrency.failed}).`;
  const rows = concurrency.map((entry) => [
    String(entry.clients),
    entry.rows.toLocaleString('en'),
    `${entry.seconds.toFixed(2)} s`,
    Math.round(entry.rowsPerSecond).toLocaleString('en'),
  ]);
  return [
    'Concurrent clients, each pulling the 10k-row table from the start (no goal yet):',
    '',
    table(['clients', 'rows in all', 'time', 'rows/s'], rows),
  ].join('\n');
}

function round(value: number): string {
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}
