import { CSRF_HEADER, describeSyncTable, pullDocument, tableNames } from '@syncline/schema';
import type { PgTable } from 'drizzle-orm/pg-core';
import { conversation, exited, forkScript } from './conversation';
import type { BenchServer } from './gateway-server';
import {
  countedPages,
  createTableClient,
  PAGES_PER_REQUEST,
  pullAll,
  URQL_ACCEPT,
} from './graphql-http';
import { timed } from './harness';
import { INITIAL_ROWS, PAGE_SIZE } from './initial-pull';
import { exposeGc, settledMemory } from './process-memory';
import type { FromPuller } from './pull-process';

/** Memory of the process that runs the gateway, sampled during one initial pull. */
export interface MemoryReport {
  rssBeforeMb: number;
  rssPeakMb: number;
  heapBeforeMb: number;
  heapPeakMb: number;
}

/** Rows per second over all clients, each pulling the whole table at the same time. */
export interface ConcurrencyReport {
  clients: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

const MB = 1024 * 1024;

/** The transport alone: ready-made pull responses over HTTP, fetched and parsed. */
export interface TransportFloor {
  responses: number;
  responseBytes: number;
  ms: number;
}

/**
 * Serves one real pull response (10 pages of 1,000 rows), as the gateway wrote it, from
 * memory and fetches it 10 times the way the bench client pulls: what moving 100k rows over
 * HTTP and parsing them costs here before the gateway does any work.
 */
export async function transportFloor(server: BenchServer, table: PgTable): Promise<TransportFloor> {
  const pullField = tableNames(describeSyncTable(table).name).pullPages;
  const query = new URLSearchParams({
    query: pullDocument(describeSyncTable(table)),
    variables: JSON.stringify({
      after: null,
      limit: PAGE_SIZE,
      pages: PAGES_PER_REQUEST,
      where: null,
    }),
  });
  const answer = await fetch(`${server.url}?${query}`, {
    headers: { accept: URQL_ACCEPT, [CSRF_HEADER]: 'bench' },
  });
  const contentType = answer.headers.get('content-type') ?? 'application/json';
  const body = await answer.text();
  server.serve('page.json', { contentType, body });
  const responses = INITIAL_ROWS / (PAGE_SIZE * PAGES_PER_REQUEST);
  const ms = await timed('transport floor', 60_000, async (signal) => {
    for (let response = 0; response < responses; response++) {
      signal.throwIfAborted();
      const pages = await countedPages(await fetch(`${server.origin}/bench/page.json`), pullField);
      if (pages.reduce((rows, page) => rows + page.rows, 0) !== PAGE_SIZE * PAGES_PER_REQUEST) {
        throw new Error('the transport floor read a short answer');
      }
    }
  });
  const floor = { responses, responseBytes: Buffer.byteLength(body), ms };
  console.log(
    `  transport floor: ${responses} ready-made responses of ${Math.round(floor.responseBytes / 1024)} kB fetched and parsed in ${Math.round(ms)} ms`,
  );
  return floor;
}

/**
 * Samples this process's `process.memoryUsage()` every 10 ms while a client in another
 * process (`pull-process.ts`) pulls the 100k rows: the memory of the gateway alone (with
 * PGlite, of the database too, which runs in this process).
 */
export async function gatewayMemory(url: string): Promise<MemoryReport> {
  // What the earlier benchmarks left behind is collected first.
  const before = await settledMemory(exposeGc());
  let rssPeak = before.rss;
  let heapPeak = before.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    rssPeak = Math.max(rssPeak, now.rss);
    heapPeak = Math.max(heapPeak, now.heapUsed);
  }, 10);
  const puller = forkScript(new URL('./pull-process.ts', import.meta.url), [url]);
  try {
    const { rows } = await conversation<never, FromPuller>(puller, 'the pulling client').next(
      'pulled',
      120_000,
    );
    if (rows !== INITIAL_ROWS) throw new Error(`the pulling client got ${rows} rows`);
  } finally {
    clearInterval(sampler);
    puller.kill();
    await exited(puller);
  }
  const report = {
    rssBeforeMb: before.rss / MB,
    rssPeakMb: rssPeak / MB,
    heapBeforeMb: before.heapUsed / MB,
    heapPeakMb: heapPeak / MB,
  };
  const mb = (value: number) => `${value.toFixed(0)} MB`;
  console.log(
    `  gateway memory during the initial pull (client in another process): rss ${mb(report.rssBeforeMb)} -> peak ${mb(report.rssPeakMb)}, heap used ${mb(report.heapBeforeMb)} -> peak ${mb(report.heapPeakMb)}`,
  );
  return report;
}

/** 1, 10 and 50 clients pulling the 10k-row table at once, each from the start. */
export async function concurrentPulls(
  url: string,
  table: Parameters<typeof createTableClient>[1],
  tableRows: number,
): Promise<ConcurrencyReport[]> {
  const reports: ConcurrencyReport[] = [];
  for (const clients of [1, 10, 50]) {
    const pullers = Array.from({ length: clients }, () => createTableClient(url, table));
    let rows = 0;
    const ms = await timed(`${clients} concurrent pulls`, 120_000, async (signal) => {
      const counts = await Promise.all(pullers.map((puller) => pullAll(puller, PAGE_SIZE, signal)));
      rows = counts.reduce((sum, count) => sum + count, 0);
    });
    if (rows !== clients * tableRows) throw new Error(`${clients} clients pulled ${rows} rows`);
    const report = { clients, rows, seconds: ms / 1000, rowsPerSecond: rows / (ms / 1000) };
    console.log(
      `  ${String(clients).padStart(2)} concurrent clients: ${rows} rows in ${report.seconds.toFixed(2)} s, ${Math.round(report.rowsPerSecond).toLocaleString('en')} rows/s`,
    );
    reports.push(report);
  }
  return reports;
}
