import type { Operation } from '@syncline/schema';
import { rowId } from './bench-tables';
import type { BaselineSql } from './database-setup';
import type { TableClient } from './graphql-http';
import { type Comparison, compare } from './harness';

const UPDATES = 10_000;
const BATCH = 100;

interface Target {
  id: string;
  version: number;
}

/** The same change on both sides: a new title and score, on the version last read. */
function changeOf(run: number, index: number) {
  return { title: `Updated in run ${run}: ${index}`.padEnd(40, '.'), score: run };
}

/**
 * What a hand-written server does for a batch: one transaction, one UPDATE per change,
 * each checked against the version and setting what Syncline sets (version, updatedAt,
 * change position), each result awaited and checked before the next.
 */
const versionCheckedUpdate = `update bench_row
  set title = $1, score = $2, version = version + 1, updated_at = now(),
    change_txid = pg_current_xact_id(), change_seq = nextval('syncline_change_seq')
  where id = $3 and version = $4 and not deleted
  returning *`;

export function push(client: TableClient, sql: BaselineSql): Promise<Comparison> {
  let targets: Target[] = [];
  // opIds are new in every run: a replayed opId would return its first outcome, unwritten.
  const opPrefix = `bench-${process.pid}-${Date.now()}`;
  return compare({
    name: 'push',
    synclineLabel: `${UPDATES / 1000}k updates with versions, \`push\` batches of ${BATCH} over HTTP`,
    baselineLabel: `${sql.label}: the same updates, version-checked, transactions of ${BATCH}`,
    goal: 2,
    runs: 3,
    budgetMs: 120_000,
    async prepare() {
      targets = await sql.query<Target>(
        'select id, version from bench_row where id between $1 and $2 order by id',
        [rowId(1), rowId(UPDATES)],
      );
      if (targets.length !== UPDATES) throw new Error(`push: found ${targets.length} rows`);
    },
    async syncline(run, signal) {
      for (let start = 0; start < UPDATES; start += BATCH) {
        signal.throwIfAborted();
        const operations = targets.slice(start, start + BATCH).map(
          (target, offset): Operation => ({
            opId: `${opPrefix}-${run}-${start + offset}`,
            table: 'benchRow',
            kind: 'UPDATE',
            id: target.id,
            version: target.version,
            data: changeOf(run, start + offset),
          }),
        );
        const outcomes = await client.push(operations);
        const failed = outcomes.find((outcome) => outcome.status !== 'APPLIED');
        if (failed) throw new Error(`push: an update was not applied: ${JSON.stringify(failed)}`);
      }
    },
    async baseline(run, signal) {
      for (let start = 0; start < UPDATES; start += BATCH) {
        signal.throwIfAborted();
        await sql.transaction(async (query) => {
          for (const [offset, target] of targets.slice(start, start + BATCH).entries()) {
            const change = changeOf(run, start + offset);
            const updated = await query(versionCheckedUpdate, [
              change.title,
              change.score,
              target.id,
              target.version,
            ]);
            if (updated.length !== 1) throw new Error(`push baseline: ${target.id} conflicted`);
          }
        });
      }
    },
  });
}
