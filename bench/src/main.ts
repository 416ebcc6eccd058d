import { cpus, totalmem } from 'node:os';
import { benchLarge, benchRow, benchSmall, LARGE_ROWS, seedSql } from './bench-tables';
import { BROWSER_COMPARISONS, browserBenchmarks } from './browser';
import type { LargeSync } from './browser-page';
import { type ClientSize, clientSize } from './client-size';
import { type BaselineSql, createBenchDatabase } from './database-setup';
import { type FanOutReport, fanOut } from './fan-out';
import { startBenchServer } from './gateway-server';
import { createGenericClient, createTableClient } from './graphql-http';
import type { Comparison } from './harness';
import { incrementalPull } from './incremental-pull';
import { INITIAL_ROWS, initialPull } from './initial-pull';
import { type LoadReport, load } from './load';
import { type PropagationReport, propagation } from './propagation';
import { push } from './push';
import { type BenchReport, failed, type Outcome, writeDated, writeReport } from './report';
import {
  type ConcurrencyReport,
  concurrentPulls,
  gatewayMemory,
  type MemoryReport,
  type TransportFloor,
  transportFloor,
} from './server-load';

const SMALL_ROWS = 10_000;

/** Runs a benchmark; a failure (a timeout, say) is reported in its row and the rest go on. */
async function attempt<T>(name: string, run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return await run();
  } catch (error) {
    const cause = error instanceof Error && error.cause ? ` (${String(error.cause)})` : '';
    const message = error instanceof Error ? `${error.message}${cause}` : String(error);
    console.error(`  ${name}: FAILED: ${message}`);
    return { name, failed: message };
  }
}

/**
 * `pnpm bench push browser` runs only those (and writes no report, except for `fan-out`,
 * `propagation` and `load`, whose figures carry their own date: they replace that database's
 * last ones and the rest of the page stays as it was); no names: all of them.
 * `pnpm bench --report-only` rewrites the docs from the figures they hold.
 */
const STEPS = [
  'initial-pull',
  'memory',
  'concurrency',
  'push',
  'incremental-pull',
  'fan-out',
  'propagation',
  'load',
  'browser',
  'client-size',
] as const;

async function main() {
  if (process.argv.includes('--report-only')) {
    // After editing the notes: the docs again from the figures they already hold.
    await writeReport();
    return;
  }
  const selected = process.argv.slice(2);
  const unknown = selected.filter((name) => !(STEPS as readonly string[]).includes(name));
  if (unknown.length)
    throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${STEPS.join(', ')}`);
  const wants = (step: (typeof STEPS)[number]) => selected.length === 0 || selected.includes(step);
  const started = Date.now();
  const machine = `${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}`;
  console.log(`Syncline benchmarks on ${machine}`);
  const bench = await createBenchDatabase(process.env.DATABASE_URL);
  console.log(`Database: ${bench.description}; baselines use ${bench.baseline.label}`);
  const server = await startBenchServer(bench.database);
  const comparisons: Outcome<Comparison>[] = [];
  let memory: Outcome<MemoryReport> | undefined;
  let floor: Outcome<TransportFloor> | undefined;
  let concurrency: Outcome<ConcurrencyReport[]> | undefined;
  let size: Outcome<ClientSize> | undefined;
  let fanOutReport: Outcome<FanOutReport> | undefined;
  let propagationReport: Outcome<PropagationReport> | undefined;
  let loadReport: Outcome<LoadReport> | undefined;
  let largeSync: Outcome<LargeSync> | undefined;
  const date = new Date().toISOString().slice(0, 10);
  try {
    await seed(bench.baseline, 'bench_row', INITIAL_ROWS);
    await seed(bench.baseline, 'bench_small', SMALL_ROWS);
    if (wants('incremental-pull') || wants('browser')) {
      await seed(bench.baseline, 'bench_large', LARGE_ROWS);
    }
    const rowClient = createTableClient(server.url, benchRow);
    const table = (name: 'benchSmall' | 'benchLarge', rows: number) => ({
      client: createTableClient(server.url, name === 'benchSmall' ? benchSmall : benchLarge),
      rows,
      table: name,
    });

    console.log('\nServer');
    if (wants('initial-pull')) {
      comparisons.push(await attempt('initial pull', () => initialPull(rowClient, bench.baseline)));
      const generic = createGenericClient(server.url);
      comparisons.push(
        await attempt('initial pull, generic client', () =>
          initialPull(generic, bench.baseline, true),
        ),
      );
    }
    if (wants('initial-pull')) {
      floor = await attempt('transport floor', () => transportFloor(server, benchRow));
    }
    if (wants('memory')) memory = await attempt('memory', () => gatewayMemory(server.url));
    if (wants('concurrency')) {
      concurrency = await attempt('concurrency', () =>
        concurrentPulls(server.url, benchSmall, SMALL_ROWS),
      );
    }
    if (wants('push'))
      comparisons.push(await attempt('push', () => push(rowClient, bench.baseline)));
    if (wants('incremental-pull')) {
      const large = table('benchLarge', LARGE_ROWS);
      const small = table('benchSmall', SMALL_ROWS);
      comparisons.push(await attempt('incremental pull', () => incrementalPull(large, small)));
    }
    if (wants('fan-out')) {
      console.log('\nChange streams');
      fanOutReport = await attempt('fan-out', () =>
        fanOut(server, bench.database, { date, machine }),
      );
    }
    if (wants('propagation')) {
      console.log('\nFrom a write on one device to the screens of others');
      propagationReport = await attempt('propagation', () =>
        propagation(server, bench.url, { date, machine }),
      );
    }
    if (wants('load')) {
      console.log('\nLoad: two gateway processes, 200 live clients');
      const url = bench.url;
      if (url)
        loadReport = await attempt('load', () => load(url, bench.baseline, { date, machine }));
      else console.log('  load: needs a Postgres database (DATABASE_URL); skipped on PGlite');
    }
    if (wants('browser')) {
      console.log('\nBrowser (headless Chromium)');
      const browser = await attempt('browser', () => browserBenchmarks(server));
      comparisons.push(
        ...(failed(browser)
          ? Object.values(BROWSER_COMPARISONS).map((name) => ({
              name,
              failed: browser.failed,
            }))
          : browser.comparisons),
      );
      largeSync = failed(browser) ? browser : browser.largeSync;
    }
    if (wants('client-size')) {
      console.log('\nClient bundle');
      size = await attempt('client size', () => clientSize());
    }
  } finally {
    await server.close();
    await bench.drop();
  }
  if (selected.length) {
    const dated = await writeDated(bench.kind, {
      fanOut: fanOutReport,
      propagation: propagationReport,
      load: loadReport,
    });
    const written = dated.length
      ? `the figures of ${dated.join(' and ')} written to docs/benchmarks.md`
      : 'no report written';
    console.log(
      `\nDone in ${Math.round((Date.now() - started) / 1000)} s (a selection: ${written})`,
    );
    return;
  }
  const report: BenchReport = {
    kind: bench.kind,
    date,
    machine,
    database: bench.description,
    baselineDriver: bench.baseline.label,
    seconds: (Date.now() - started) / 1000,
    comparisons,
    memory,
    floor,
    concurrency,
    size,
    fanOut: fanOutReport,
    propagation: propagationReport,
    load: loadReport,
    largeSync,
  };
  await writeReport(report);
  console.log(
    `\nDone in ${report.seconds.toFixed(0)} s; wrote docs/benchmarks.md and docs/benchmarks.svg`,
  );
}

async function seed(sql: BaselineSql, table: string, rows: number) {
  const seeding = performance.now();
  await sql.query(seedSql(table, rows));
  await sql.query(`analyze ${table}`);
  const seconds = ((performance.now() - seeding) / 1000).toFixed(1);
  console.log(`Seeded ${table} with ${rows.toLocaleString('en')} rows in ${seconds} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
