import type { ClientSize } from './client-size';
import { table } from './markdown';
import type { Reports } from './report';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

export function clientSizeSection(size: ClientSize): string {
  const packages = size.packages.filter((entry) => entry.bytes > 0);
  return [
    '## Client size',
    '',
    `\`@syncline/client\`'s entry point bundled by esbuild (ESM, browser, minified) is ${kb(size.minifiedBytes)}, **${kb(size.gzipBytes)} gzipped** (level 9); the goal is 25 kB. The React bindings are a separate entry (\`@syncline/client/react\`) and not counted. Where the minified bytes come from:`,
    '',
    table(
      ['package', 'minified bytes', 'share'],
      packages.map((entry) => [
        entry.name,
        kb(entry.bytes),
        `${Math.round((100 * entry.bytes) / size.minifiedBytes)}%`,
      ]),
    ),
    '',
    'The largest input files:',
    '',
    table(
      ['file', 'minified bytes'],
      size.files.map((file) => [`\`${file.path}\``, kb(file.bytes)]),
    ),
    '',
    `Leaving a dependency out of the same bundle shows what replacing it would save: ${size.without
      .map(
        (entry) => `without \`${entry.dependency}\` the bundle is ${kb(entry.gzipBytes)} gzipped`,
      )
      .join('; ')}.`,
    '',
  ].join('\n');
}

export function howObtained(reports: Reports): string {
  const drivers = [reports.postgres, reports.pglite]
    .filter((report) => report !== undefined)
    .map((report) => `${report.database}: ${report.baselineDriver}`);
  return [
    '## How they were obtained',
    '',
    '```sh',
    'pnpm bench                                                    # PGlite in a temporary folder',
    'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm bench # a fresh database on that server, dropped after',
    '```',
    '',
    `- One process runs the gateway (\`createGateway\` over the bench tables, served by \`node:http\` on a free port, as \`gateway/src/server.ts\` serves it) and the server-side clients. The Syncline side always goes over HTTP with the GraphQL documents \`@syncline/client\` sends (pulls as GET, pushes as POST), through plain \`fetch\`. Baselines: ${drivers.join('; ')}. PGlite has a single connection and no postgres.js, so there the baselines use PGlite's own query API on the gateway's database.`,
    '- Tables: `benchRow` (100k rows), `benchSmall` (10k) and `benchLarge` (1M), sync tables with three texts (40, 120, 12 characters) and two integers, about 200 bytes of data a row (356 bytes a row as pulled JSON). They are seeded with one `INSERT ... SELECT generate_series` each; the system columns take their defaults, so rows have the change positions a gateway insert gives them.',
    '- Each benchmark runs once to warm up and then 3 to 5 times per side (the browser initial sync, about a minute a run, twice without a warm-up: the page has warmed up pulling the rows for its baseline), alternating which side goes first; the table shows medians. Each has a time budget: no run starts after it, and a run that takes twice as long is aborted and reported as failed. The machine is shared: other work on it shows up as noise, on both sides alike.',
    '- **initial pull**: the Syncline side pulls `benchRow` from the start with `limit: 1000` until `hasMore` is false; the baseline reads the same table in keyset pages of 1,000 on the change position (`(change_txid, change_seq) > (...) order by ... limit 1000`), the order a pull returns. The transport floor serves one real page of that pull from memory 100 times to the same client.',
    '- **push**: 10,000 `UPDATE` operations (new title and score, with the version last read) in 100 `push` requests of 100 operations, each outcome checked to be `APPLIED`; the baseline runs, per batch of 100, one transaction of 100 `update ... where id = $1 and version = $2 and not deleted returning *` setting the same columns (version, `updated_at`, change position), each awaited and checked.',
    '- **incremental pull**: after a cursor at the end of the seeded table, 10 rows spread over it are updated through `push`; each run then pulls after that cursor 50 times (10 rows each) and the table shows the time per pull, on the 1M-row table against the 10k-row one.',
    "- **browser initial sync** and **local write** run in headless Chromium (`/usr/bin/chromium` through playwright-core) on a page served by the same process, with `@syncline/client` bundled by esbuild. Initial sync: `createSyncClient({ autoSync: false, pageSize: 1000 })`, `table.pull(null)` and a `get` of the last row, timed in the page; the baseline puts the same 100k rows (pulled beforehand, in memory) into an object store laid out like the client's (same key path and indexes) in one transaction, then the same `get`. Local write: 1,000 `insert`s through the client API, the client making the ids as it does for an app, against 1,000 raw IndexedDB `put`s of the same rows (a `crypto.randomUUID()` and the system fields each), one transaction each, into the same layout. Every run uses a new database.",
    '- **memory**: `process.memoryUsage()` sampled every 10 ms during one more initial pull, in the process that runs the gateway (and the pulling client, which keeps one page at a time). **Concurrency**: 1, 10 and 50 clients pulling the 10k-row table from the start at the same time; rows/s over all of them.',
    "- **fan-out**: a second process opens change streams on the gateway (POST with `accept: text/event-stream`, a connection and a user each, as many devices would): first one on `benchRow`; then 999 more on `benchRow` and one on `benchSmall`. After each opening, the bench writes until every new stream has heard a hint (a stream listens from its first read on). Then, 9 times and 100 ms apart (so that each write is a lone one, which the 25 ms hint window never holds back), one `push` updates a row of the table, and the times run from just before the push is sent until each subscriber of that table has read its hint, on a clock both processes share (`performance.timeOrigin + performance.now()`): with one stream open, with all 1,000 on the table, and for the one stream of `benchSmall` among them all. The baseline is the NOTIFY itself: a LISTEN of its own on the same database (`SyncDatabase.listen`, in the gateway's process) hearing the same commit. Memory: the gateway process's JavaScript heap and resident set after full collections, with one stream open and with all 1,001, over 1,000. `pnpm bench fan-out` updates these figures alone.",
    "- **client size**: esbuild bundles `export * from '@syncline/client'` for the browser, minified, and the result is gzipped at level 9 with `node:zlib`; the metafile gives the bytes per input.",
    '',
  ].join('\n');
}
