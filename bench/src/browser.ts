import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { BrowserBench } from './browser-page';
import type { BenchServer } from './gateway-server';
import { type Comparison, compare } from './harness';

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

/** Calls one of the page's benchmark functions; they answer in milliseconds or a count. */
function call(page: Page, ...[name, args]: BenchCall): Promise<number> {
  return page.evaluate(
    ([fn, fnArgs]) => {
      const bench = (
        globalThis as unknown as { bench: Record<string, (...a: unknown[]) => Promise<number>> }
      ).bench;
      return (bench[fn] as (...a: unknown[]) => Promise<number>)(...fnArgs);
    },
    [name, args] as [string, unknown[]],
  );
}

/** Initial sync and local writes in headless Chromium, against the gateway of `server`. */
export async function browserBenchmarks(server: BenchServer): Promise<Comparison[]> {
  server.serve('page.js', { contentType: 'text/javascript', body: await pageScript() });
  server.serve('index.html', {
    contentType: 'text/html',
    body: '<!doctype html><title>Syncline bench</title><script type="module" src="/bench/page.js"></script>',
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`  page error: ${error.message}`));
    await page.goto(`${server.origin}/bench/index.html`);
    await page.waitForFunction(() => 'bench' in globalThis, undefined, { timeout: 30_000 });
    const rows = await call(page, 'loadRows', [server.url]);
    const initialSync = await compare({
      name: 'browser initial sync',
      synclineLabel: `${rows / 1000}k rows from the gateway into IndexedDB, then a lookup`,
      baselineLabel: 'bulk `put` of the same rows, already in memory, in the same page',
      goal: 3,
      // A run takes about a minute: the page has warmed up pulling the rows for the baseline.
      runs: 2,
      noWarmUp: true,
      budgetMs: 150_000,
      syncline: (run) => call(page, 'initialSync', [server.url, `bench-sync-${run}`]),
      baseline: (run) => call(page, 'bulkPut', [`bench-bulk-${run}`]),
    });
    const localWrite = await compare({
      name: 'local write',
      synclineLabel: `${LOCAL_WRITES.toLocaleString('en')} inserts through the client API (row + outbox each)`,
      baselineLabel: 'raw IndexedDB puts of the same rows, one transaction each',
      goal: 2,
      runs: 5,
      budgetMs: 60_000,
      syncline: (run) =>
        call(page, 'localWrites', [server.url, `bench-local-${run}`, LOCAL_WRITES]),
      baseline: (run) => call(page, 'rawWrites', [`bench-raw-${run}`, LOCAL_WRITES]),
    });
    return [initialSync, localWrite];
  } finally {
    await browser?.close();
  }
}
