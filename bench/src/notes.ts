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
    '- Each benchmark runs once to warm up and then 3 to 5 times per side (the initial pulls, 0.3 to 2 s a run, ten times to warm up and 15 times each: the baseline reads about a fifth faster from its tenth run or so in a process on, and was measured at its slowest before; the browser initial sync, 10 to 40 s a side, five times on disk and three times in memory, each run in a new browser, without a warm-up: the page has warmed up pulling the rows for its baseline), alternating which side goes first; the table shows medians. Each has a time budget, counted from its first timed run: no run starts after it, and a run that takes twice as long is aborted and reported as failed. The machine is shared: other work on it shows up as noise, on both sides alike.',
    '- **initial pull**: the Syncline side pulls `benchRow` from the start with `limit: 1000` until `hasMore` is false, ten pages to a request as the client asks for them (`pullBenchRowPages(limit: 1000, pages: 10)`: each page still of 1,000 rows with its own cursor, 10 requests for the 100k rows); the baseline reads the same table in keyset pages of 1,000 on the change position (`(change_txid, change_seq) > (...) order by ... limit 1000`), the order a pull returns. The transport floor serves one real response of that pull (10 pages) from memory 10 times to the same client.',
    '- **push**: 10,000 `UPDATE` operations (new title and score, with the version last read) in 100 `push` requests of 100 operations, each outcome checked to be `APPLIED`; the baseline runs, per batch of 100, one transaction of 100 `update ... where id = $1 and version = $2 and not deleted returning *` setting the same columns (version, `updated_at`, change position), each awaited and checked.',
    '- **incremental pull**: after a cursor at the end of the seeded table, 10 rows spread over it are updated through `push`; each run then pulls after that cursor 50 times (10 rows each) and the table shows the time per pull, on the 1M-row table against the 10k-row one.',
    "- **browser initial sync** and **local write** run in headless Chromium (`/usr/bin/chromium` through playwright-core) on a page served by the same process, with `@syncline/client` bundled by esbuild. The page runs in a browser profile of its own in a temporary folder (`launchPersistentContext`), so IndexedDB is on disk, as in an app; for the initial sync, each run of either side has a new browser and profile (and pulls the baseline's rows into its page first, untimed), since in one profile each run took longer than the last while Chromium's storage caught up with the runs before; **browser initial sync, in memory** runs the initial sync again in an off-the-record context (what a plain `browser.newPage()` opens, and what every browser benchmark measured until 2026-12-01), where Chromium keeps IndexedDB in memory. Initial sync: `createSyncClient({ autoSync: false, pageSize: 1000 })` (the client asks for ten pages a request), `table.pull(null)` and a `get` of the last row, timed in the page; the baseline puts the same 100k rows (pulled beforehand, in memory) into an object store laid out like the client's (same key path and indexes) in one transaction, then the same `get`. Local write: 1,000 `insert`s through the client API, the client making the ids as it does for an app, against 1,000 raw IndexedDB `put`s of the same rows (a `crypto.randomUUID()` and the system fields each), one transaction each, into the same layout. Every run uses a new database.",
    '- **memory**: `process.memoryUsage()` sampled every 10 ms during one more initial pull, in the process that runs the gateway (and the pulling client, which keeps one page at a time). **Concurrency**: 1, 10 and 50 clients pulling the 10k-row table from the start at the same time; rows/s over all of them.',
    "- **fan-out**: a second process opens change streams on the gateway (POST with `accept: text/event-stream`, a connection and a user each, as many devices would): first one on `benchRow`; then 999 more on `benchRow` and one on `benchSmall`. After each opening, the bench writes until every new stream has heard a hint (a stream listens from its first read on). Then, 9 times and 100 ms apart (so that each write is a lone one, which the 25 ms hint window never holds back), one `push` updates a row of the table, and the times run from just before the push is sent until each subscriber of that table has read its hint, on a clock both processes share (`performance.timeOrigin + performance.now()`): with one stream open, with all 1,000 on the table, and for the one stream of `benchSmall` among them all. The baseline is the NOTIFY itself: a LISTEN of its own on the same database (`SyncDatabase.listen`, in the gateway's process) hearing the same commit. Memory: the gateway process's JavaScript heap and resident set after full collections, with one stream open and with all 1,001, over 1,000. `pnpm bench fan-out` updates these figures alone.",
    "- **propagation**: from a write on one device to another's screen, with `@syncline/client` on both sides. The writer is a `createSyncClient` (`createMemoryStore`, the default urql transport to the gateway) in the bench's process, with `autoSync: { intervalMs: 3_600_000, live: false }`: it holds no stream and syncs after its own writes, so an insert is pushed at once, as an app's. Each subscriber is a `createSyncClient` of its own (its own store in memory, its own token, which the bench gateway takes as its user), with `autoSync: { intervalMs: 3_600_000 }`, so only the live stream can bring the row; all of them in one process of their own, so that the gateway's process holds only the gateway (and the writer). Each registers one query, `benchSmall` where `category` is a value only this step writes (its first pull is empty), and `watch()`es it; measuring starts once every one is `live` and has shown a warm-up row. Then, 15 times and 150 ms apart (each a lone write, which the 25 ms hint window never holds back), the writer inserts a row of that category; the times run from just before `insert` until each subscriber's `watch()` callback has the row, on a clock both processes share. The push: when the writer's `push` event came. The baseline: a raw change stream (no client library, `node:http`) beside the subscribers, hearing the hint. The steps: each subscriber's `fetch` notes when its stream read a hint (its body passes through a tap), when its pull left and when the answer came; its `change` event says the rows are in its store. CPU: `process.cpuUsage()` of the processes over the 15 writes. Scenarios: 1 and 100 subscribers on the bench's gateway and, on Postgres, on a second gateway process over the same database (the writer staying on the first), which hears the write through LISTEN/NOTIFY only. Not in the chart: its goal is a time, not a ratio to a baseline. `pnpm bench propagation` updates these figures alone; `BENCH_CPU_PROF=<folder>` has the forked processes write CPU profiles.",
    "- **load**: on Postgres only (on PGlite the step says so and is skipped). Two gateway processes over the same database (`gateway-process.ts`: `createGateway` on `node:http`, as for propagation; they hear each other's commits through LISTEN/NOTIFY only) and 200 devices in two processes of their own, one per gateway, so that the gateways' processes hold only the gateways: 50 users of four devices, two on each gateway. Each device is a `createSyncClient` (`createMemoryStore`, its user's token, which the bench gateway takes as the user, `autoSync: { intervalMs: 3_600_000 }`: only its own writes and the hints of its live change stream make it sync) with one registered query of `benchOwned`, a table of rows private to their owner, so that a write hints that user's four devices and no other. First one device per gateway opens and writes 5 rows (each synced before the next), so that each gateway has served every kind of request; then the other 198 open and go live. Then, in two phases with the same clients, every device writes on average every 10 s (about what the two cores keep up with) and then every 2 s (five times as much): each pause is drawn uniformly from 0 to twice that by a generator seeded with the user and device, so every run writes alike, and about 3 writes in 10 update a row the device inserted, the others insert one. Its automatic sync pushes the write (and pulls), and the hints make the user's devices pull. Each phase: 5 s of warm-up, then 20 s counted, then the writes stop and the devices settle. Each device's `fetch` times every push and pull from its call to the body read, and notes when a pull answer brings a write made by another device of the user (the row's body carries when it was written, on a clock all processes share). Errors, counted from the first device's opening to the end: an answer with a status other than 2xx or with GraphQL `errors`, a `fetch` that failed, `sync` and `push` events with a status other than `complete` or with operation errors, `unauthenticated`, a change stream refused or no longer live, anything the client logs with `console.error` (where its automatic syncs report failures), a process not settled 30 s after the writes stopped, and a device whose rows (id, version, title, score) differ from its user's rows in the database once nothing has been pending or under way for 1.5 s, checked after each phase. Memory: each gateway process's JavaScript heap and resident set after full collections, with its first device alone and with all 100 connected (idle, before the writes; and again after the phases), the growth over the 99 added. CPU: `process.cpuUsage()` of each process over each phase's 20 counted seconds. `pnpm bench load` updates these figures alone.",
    "- **client size**: esbuild bundles `export * from '@syncline/client'` for the browser, minified, and the result is gzipped at level 9 with `node:zlib`; the metafile gives the bytes per input.",
    '',
  ].join('\n');
}
