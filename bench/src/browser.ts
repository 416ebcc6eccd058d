import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { LARGE_ROWS } from './bench-tables';
import type { BrowserBench, LargeSync } from './browser-page';
import type { BenchServer } from './gateway-server';
import { type Comparison, compare } from './harness';
import { INITIAL_ROWS } from './initial-pull';
import type { Outcome } from './report';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LOCAL_WRITES = 1_000;

/** The page's script: `browser-page.ts` with `@syncline/client`, as an app would bundle it. */
async function pageScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./browser-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

type BenchCall = {
  [K in keyof BrowserBench]: [K, Parameters<BrowserBench[K]>];
}[keyof BrowserBench];

/** Calls one of the page's benchmark functions; most answer in milliseconds or a count. */
function call<K extends keyof BrowserBench>(
  page: Page,
  ...[name, args]: Extract<BenchCall, [K, unknown]>
): Promise<Awaited<ReturnType<BrowserBench[K]>>> {
  return page.evaluate(
    ([fn, fnArgs]) => {
      const bench = (
        globalThis as unknown as { bench: Record<string, (...a: unknown[]) => Promise<unknown>> }
      ).bench;
      return (bench[fn] as (...a: unknown[]) => Promise<unknown>)(...fnArgs);
    },
    [name, args] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<BrowserBench[K]>>>;
}

/** The browser's comparisons, in the report's order. */
export const BROWSER_COMPARISONS = {
  onDisk: 'browser initial sync',
  inMemory: 'browser initial sync, in memory',
  localWrite: 'local write',
} as const;

/** What the browser benchmarks found: the comparisons, and the 1M-row first sync. */
export interface BrowserReport {
  comparisons: Comparison[];
  largeSync: Outcome<LargeSync>;
}

/**
 * Where the page's IndexedDB lives. `on disk`: a browser profile of its own in a temporary
 * folder, as an app's users have. `in memory`: an off-the-record context (what a plain
 * `browser.newPage()` opens), whose IndexedDB Chromium keeps in memory.
 */
type Storage = 'on disk' | 'in memory';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // performance.memory to the byte, for the large sync's heap.
  '--enable-precise-memory-info',
];

/** Runs `work` on the bench page in a new Chromium, its IndexedDB where `storage` says. */
async function onPage<T>(
  server: BenchServer,
  storage: Storage,
  work: (page: Page) => Promise<T>,
): Promise<T> {
  const profile = storage === 'on disk' ? await mkdtemp(join(tmpdir(), 'syncline-bench-')) : null;
  let context: BrowserContext | undefined;
  try {
    context = profile
      ? await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS })
      : await (await chromium.launch({ executablePath: CHROMIUM, args: ARGS })).newContext();
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => console.error(`  page error: ${error.message}`));
    await page.goto(`${server.origin}/bench/index.html`);
    await page.waitForFunction(() => 'bench' in globalThis, undefined, { timeout: 30_000 });
    return await work(page);
  } finally {
    const browser = context?.browser();
    await context?.close();
    await browser?.close();
    if (profile) await rm(profile, { recursive: true, force: true, maxRetries: 3 });
  }
}

/**
 * The client's first sync of 100k rows against a bulk put of them, with IndexedDB in `storage`.
 * Each run of either side has a new browser (on disk, a new profile, as a new device's): in
 * one profile every run took longer than the one before (15.7 s, then up to 24.6 s for the
 * same bulk put, six runs a side in turn) as Chromium's storage was still busy with the runs
 * before, so the ratio depended on which side a run fell to.
 */
function initialSync(server: BenchServer, storage: Storage) {
  const onDisk = storage === 'on disk';
  const onItsPage = <T>(work: (page: Page) => Promise<T>): Promise<T> =>
    onPage(server, storage, async (fresh) => work(await withRows(server, fresh)));
  return compare({
    name: onDisk ? BROWSER_COMPARISONS.onDisk : BROWSER_COMPARISONS.inMemory,
    synclineLabel: `${INITIAL_ROWS / 1000}k rows from the gateway into IndexedDB (${onDisk ? 'on disk, each run in a new profile' : 'in memory: an off-the-record context'}), then a lookup`,
    baselineLabel: 'bulk `put` of the same rows, already in memory, in the same page',
    goal: 1.3,
    // A run takes 10 to 40 s a side: its page has warmed up pulling the rows for the baseline.
    runs: onDisk ? 5 : 3,
    warmUpRuns: 0,
    budgetMs: 240_000,
    syncline: (run) =>
      onItsPage((page) => call(page, 'initialSync', [server.url, `bench-sync-${run}`])),
    baseline: (run) => onItsPage((page) => call(page, 'bulkPut', [`bench-bulk-${run}`])),
  });
}

/**
 * `page` with the rows of `benchRow` loaded, untimed: those the bulk put stores, which the
 * sync's checks compare with, and the layout the raw writes copy from the client's.
 */
async function withRows(server: BenchServer, page: Page): Promise<Page> {
  const rows = await call(page, 'loadRows', [server.url]);
  if (rows !== INITIAL_ROWS) throw new Error(`the page loaded ${rows} rows`);
  return page;
}

/**
 * Initial sync and local writes in headless Chromium, against the gateway of `server`, with
 * IndexedDB on disk as in an app; the initial sync again with IndexedDB in memory (what the
 * benchmark measured until 2026-12-01); then the first sync of the 1M-row table (seeded by
 * then) on disk, in a new profile, with its time and memory.
 */
export async function browserBenchmarks(server: BenchServer): Promise<BrowserReport> {
  server.serve('page.js', { contentType: 'text/javascript', body: await pageScript() });
  server.serve('index.html', {
    contentType: 'text/html',
    body: '<!doctype html><title>Syncline bench</title><script type="module" src="/bench/page.js"></script>',
  });
  const sync = await initialSync(server, 'on disk');
  const localWrite = await onPage(server, 'on disk', async (fresh) => {
    const page = await withRows(server, fresh);
    return compare({
      name: BROWSER_COMPARISONS.localWrite,
      synclineLabel: `${LOCAL_WRITES.toLocaleString('en')} inserts through the client API (row + outbox each)`,
      baselineLabel: 'raw IndexedDB puts of the same rows, one transaction each',
      goal: 2,
      runs: 5,
      budgetMs: 60_000,
      syncline: (run) =>
        call(page, 'localWrites', [server.url, `bench-local-${run}`, LOCAL_WRITES]),
      baseline: (run) => call(page, 'rawWrites', [`bench-raw-${run}`, LOCAL_WRITES]),
    });
  });
  // A profile of its own, as a new device's: the runs above leave deleted databases behind.
  const largeSync = await onPage(server, 'on disk', (page) => attemptLargeSync(page, server));
  const inMemory = await initialSync(server, 'in memory');
  return {
    comparisons: [sync, inMemory, localWrite],
    largeSync,
  };
}

async function attemptLargeSync(page: Page, server: BenchServer): Promise<Outcome<LargeSync>> {
  try {
    const sync = await call(page, 'largeSync', [server.url, 'bench-large']);
    if (sync.rows !== LARGE_ROWS) throw new Error(`the large sync stored ${sync.rows} rows`);
    const rate = Math.round(sync.rows / (sync.ms / 1000)).toLocaleString('en');
    console.log(
      `  1M-row first sync: ${(sync.ms / 1000).toFixed(1)} s (${rate} rows/s), ${sync.progressReports} progress reports, JS heap ${sync.heapBeforeMb.toFixed(0)} MB -> peak ${sync.heapPeakMb.toFixed(0)} MB`,
    );
    return sync;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`  1M-row first sync: FAILED: ${message}`);
    return { name: '1M-row first sync', failed: message };
  }
}
