import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chart } from './chart';
import type { ClientSize } from './client-size';
import { goalsSection } from './findings';
import type { Comparison } from './harness';
import { formatWithBiome, table } from './markdown';
import { clientSizeSection, howObtained } from './notes';
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
}

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
export async function writeReport(report?: BenchReport): Promise<void> {
  const reports: Reports = {
    ...(await previousReports()),
    ...(report && { [report.kind]: report }),
  };
  await writeFile(docs('benchmarks.svg'), chart(reports));
  await writeFile(docs('benchmarks.md'), markdown(reports));
  await formatWithBiome(docs('benchmarks.md'));
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
    concurrencyTable(report.concurrency),
    '',
  ].join('\n');
}

function floorLine(floor: BenchReport['floor']): string {
  if (!floor) return '';
  if (failed(floor)) return `Transport floor: failed (${floor.failed}).`;
  const kb = Math.round(floor.pageBytes / 1024);
  return `Transport floor of the initial pull: the same client fetching and parsing ${floor.pages} ready-made pull responses of ${kb} kB (one real page, served from memory) takes ${Math.round(floor.ms)} ms.`;
}

function memoryLine(memory: BenchReport['memory']): string {
  if (!memory) return '';
  if (failed(memory)) return `Gateway memory during the initial pull: failed (${memory.failed}).`;
  const mb = (value: number) => `${Math.round(value)} MB`;
  return `Gateway memory during the initial pull (no goal yet; the gateway, the pulling client and, with PGlite, the database share one process): resident set ${mb(memory.rssBeforeMb)} before, ${mb(memory.rssPeakMb)} at the peak; JavaScript heap used ${mb(memory.heapBeforeMb)} before, ${mb(memory.heapPeakMb)} at the peak.`;
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
