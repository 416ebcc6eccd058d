import { CLIENT_SIZE_GOAL, type ClientSize } from './client-size';
import type { Reports } from './report';

/**
 * What profiling found, per benchmark. Written by hand from `node --cpu-prof` profiles of
 * `pnpm bench <name>` and from throwaway pages in Chromium, on the machine of the figures
 * above; the verdicts come from the latest runs.
 */
const FINDINGS: Record<string, string> = {
  'initial pull': `Profiled on Postgres, the Syncline side spent about a quarter of its time in GraphQL executing the rows field by field (\`executeFields\`: a resolver call, an info object and argument values for each of 10 fields of 1,000 rows a page) and most of its garbage collection (another fifth) on what that allocates; Yoga's \`JSON.stringify\` of the page took about 8% and the client's \`JSON.parse\` about 8%; the query and postgres.js decoding its rows cost what they cost the baseline. Two changes in the gateway: a pull selects a fixed projection with timestamps already as ISO 8601 text (\`gateway/src/sync/pull-projection.ts\`; about 4.9x to 4.3x on Postgres), and \`useCompiledPulls()\` (\`gateway/src/graphql/compiled-pulls.ts\`, in \`createGateway\`'s plugins, last) answers a pull that selects plain fields without per-field execution: the same resolver, each value through its scalar's \`serialize\`; anything else, and any error, goes through GraphQL as before (about 4.3x to 2.9x). What remains on Postgres is the HTTP hop and JSON at both ends, which the baseline does not have: the transport floor line above (ready-made pages of the same bytes, fetched and parsed by the same client) is over half the baseline's time by itself. Reading the next page ahead while the client parses the current one would overlap them; not built.`,
  push: `The gateway used to apply a batch with a savepoint per operation and six statements each (look up the opId, savepoint, claim it, update, store the outcome, release): about 2 ms an operation, 14x the baseline. Now (\`gateway/src/sync/apply-in-bulk.ts\`, \`bulk-changes.ts\`) a batch without hooks looks up earlier outcomes, claims the opIds and stores the new outcomes with one statement each, and a run of UPDATEs and DELETEs of distinct rows of a table is a single \`UPDATE ... FROM (VALUES ...)\`, the change sequence drawn in the operations' order; INSERTs stay one statement each. A statement the database refuses rolls the attempt back and the batch is applied again with a savepoint per operation, as before, so a broken constraint is still that operation's REJECTED outcome. The Syncline side now mostly waits for Postgres, which writes three rows per operation (the row, the opId claim, the stored outcome) where the baseline writes one; Drizzle building the large VALUES statement is its largest JavaScript cost.`,
  'incremental pull': `A pull after a cursor is an index range scan on \`(change_txid, change_seq)\` from the cursor: its cost does not depend on the size of the table.`,
  'browser initial sync': `The client used to await two IndexedDB requests per pulled row, one after the other (the row's pending outbox entries, then the put): about 0.25 ms each in this Chromium, some 50 s of a sync that took about a minute (8.5x). Measured in a throwaway page with the same rows and the client's layout: fetching the 100 pages 2.5 s; the baseline's bulk put 8.3 s (4.1 s without the five column indexes); one transaction per page with one outbox read for the whole page and the puts issued together 10.7 s; the old pattern 60 s. The client now does the former (\`applyRows\` in \`client/src/engine/pull.ts\`). What remains over the baseline is the network and JSON of 100 pages and a transaction per page.`,
  'local write': `An insert used to await five requests in turn and then count the outbox again in a second transaction (4.3x); the client now issues its two reads together, then its two writes together, and passes the outbox change to the pending count. Profiled in Chromium (DevTools protocol): the page is idle about half the time, waiting for IndexedDB; most of the rest is the browser's own work (structured clones for two puts, transaction set-up), with the client's JavaScript under a tenth and the BroadcastChannel post about 3%. The baseline writes one record in one turn of IndexedDB; an insert writes two (the row and its outbox entry) in two turns, the first only to read. For an id the client makes itself (a new UUID can neither exist nor have pending entries) the read is now skipped, leaving one turn as in the baseline, with two records to clone and write instead of one.`,
};

/** Where the client's bytes go, from the bundle's metafile, and what would shrink it. */
function sizeFinding(size: ClientSize): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
  const minified = (name: string) => size.packages.find((entry) => entry.name === name)?.bytes ?? 0;
  const without = (name: string) => size.without.find((entry) => entry.dependency === name);
  const parts = [
    size.met
      ? `Within the budget, by ${kb(CLIENT_SIZE_GOAL - size.gzipBytes)}.`
      : `Over the budget by ${kb(size.gzipBytes - CLIENT_SIZE_GOAL)}.`,
  ];
  const drizzle = without('drizzle-orm');
  if (minified('drizzle-orm') > 5 * 1024 && drizzle) {
    parts.push(
      `drizzle-orm's pg-core (${kb(minified('drizzle-orm'))} minified) comes in through \`@syncline/schema\`: the client needs only each table's plain description (names, kinds, defaults), so taking descriptions instead of Drizzle tables, or describing tables from an entry that does not import pg-core, removes it (${kb(drizzle.gzipBytes)} gzipped without it).`,
    );
  }
  const urql = without('@urql/core');
  const transport = minified('@urql/core') + minified('@0no-co/graphql.web') + minified('wonka');
  if (urql && transport > 0) {
    parts.push(
      `The largest dependency is the transport: \`@urql/core\` with \`@0no-co/graphql.web\` and \`wonka\`, ${kb(transport)} minified, to send two fixed documents with \`fetch\`; a plain fetch transport would leave ${kb(urql.gzipBytes)} gzipped.`,
    );
  }
  const memoryStore = size.files.find((file) => file.path.endsWith('memory-store.ts'));
  if (memoryStore) {
    parts.push(
      `The in-memory store (\`memory-store.ts\`, ${kb(memoryStore.bytes)} minified), a stand-in for tests, is exported from the main entry; a separate entry would keep it out of apps.`,
    );
  }
  return parts.join(' ');
}

const DATABASES = { postgres: 'Postgres', pglite: 'PGlite' };

export function goalsSection(reports: Reports): string {
  const lines: string[] = ['## Goals and where the time goes', ''];
  for (const kind of ['postgres', 'pglite'] as const) {
    const report = reports[kind];
    if (!report) continue;
    const verdicts = report.comparisons.map((entry) =>
      'failed' in entry
        ? `${entry.name} failed`
        : `${entry.name} ${entry.ratio.toFixed(2)}x (goal ${entry.goal}x) ${entry.met ? 'met' : '**missed**'}`,
    );
    const size = report.size;
    if (size && !('failed' in size)) {
      verdicts.push(
        `client size ${(size.gzipBytes / 1024).toFixed(1)} kB ${size.met ? 'met' : '**missed**'}`,
      );
    }
    lines.push(`- ${report.database}: ${verdicts.join('; ')}.`);
  }
  lines.push('');
  for (const [name, finding] of Object.entries(FINDINGS)) {
    const figures = (['postgres', 'pglite'] as const).flatMap((kind) => {
      const entry = reports[kind]?.comparisons.find((each) => each.name === name);
      if (!entry || 'failed' in entry) return [];
      const verdict = entry.met ? 'met' : 'missed';
      return [`${DATABASES[kind]} ${entry.ratio.toFixed(2)}x, ${verdict}`];
    });
    lines.push(`**${name}** (${figures.join('; ')}). ${finding}`, '');
  }
  const size = (reports.postgres ?? reports.pglite)?.size;
  if (size && !('failed' in size)) lines.push(`**client size**. ${sizeFinding(size)}`, '');
  return lines.join('\n');
}
