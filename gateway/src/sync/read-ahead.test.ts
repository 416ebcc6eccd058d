import { CHANGE_SEQUENCE, vehicleManufacturer } from '@syncline/schema';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY, openDatabase, type SyncDatabase } from '../db/database';
import { exampleMigrations } from '../db/migrations';
import type { PullCursor } from './cursor';
import { lastPage, type PullRequest, type PullResult, pullChanges } from './pull';
import { pullProjection } from './pull-projection';
import { PullReadAhead, type ReadAheadOutcome } from './read-ahead';
import { type ServedTable, serveTables } from './tables';

const START: PullCursor = { seen: null, upto: null, after: null };
const ROWS = 25;

describe('reading pull pages ahead', () => {
  let database: SyncDatabase;
  let served: ServedTable;
  const request = (cursor: PullCursor): PullRequest<Record<string, unknown>[]> => ({
    served,
    projection: pullProjection(served),
    userId: 'alice',
    cursor,
    limit: 10,
    where: undefined,
  });
  /** The one page a pull of one page answers. */
  const ok = (result: PullResult<Record<string, unknown>[]>) => {
    if (result.status !== 'ok') throw new Error('the pull expired');
    return lastPage(result.pages);
  };
  const ids = (result: PullResult<Record<string, unknown>[]>) =>
    ok(result).rows.map((row) => row.id);

  beforeAll(async () => {
    database = await openDatabase({ dataDir: MEMORY });
    await database.migrate(exampleMigrations);
    [served] = serveTables([vehicleManufacturer]) as [ServedTable];
    await database.db.execute(sql`insert into vehicle_manufacturer (id, name, country)
      select 'm' || lpad(n::text, 2, '0'), 'Maker ' || n, 'XX' from generate_series(1, ${ROWS}) as n`);
  });
  afterAll(() => database.close());

  it('answers every page as a read now would, the later ones read while the client was busy', async () => {
    const outcomes: ReadAheadOutcome[] = [];
    const readAhead = new PullReadAhead({ hasRoom: () => true, onTaken: (o) => outcomes.push(o) });
    let cursor = START;
    const pages: unknown[][] = [];
    for (;;) {
      const expected = ok(await pullChanges(database, request(cursor)));
      const page = ok(await readAhead.pull(database, request(cursor)));
      expect(page.rows).toEqual(expected.rows);
      expect(page.cursor).toEqual(expected.cursor);
      expect(page.hasMore).toBe(expected.hasMore);
      pages.push(page.rows);
      if (!page.hasMore) break;
      cursor = page.cursor;
    }
    expect(pages.flat()).toHaveLength(ROWS);
    expect(outcomes).toEqual(['used', 'used']);
    await readAhead.close();
  });

  it('reads a page again when its table changed after it was read ahead', async () => {
    const outcomes: ReadAheadOutcome[] = [];
    const readAhead = new PullReadAhead({
      hasRoom: () => true,
      onTaken: (o) => outcomes.push(o),
      backOffMs: 60_000,
    });
    const first = ok(await readAhead.pull(database, request(START)));
    const second = ok(await pullChanges(database, request(first.cursor)));
    // PGlite runs statements in the order they are sent: the page after `first` has been
    // read ahead by now, and this change commits after it.
    const changed = second.rows[3]?.id as string;
    await database.db.execute(sql`update vehicle_manufacturer set name = 'Renamed', version = version + 1,
      change_txid = pg_current_xact_id(), change_seq = nextval(${CHANGE_SEQUENCE})
      where id = ${changed}`);
    const page = await readAhead.pull(database, request(first.cursor));
    expect(outcomes).toEqual(['stale']);
    expect(page).toEqual(await pullChanges(database, request(first.cursor)));
    // The renamed row left this window: it comes in the next one, renamed.
    expect(ids(page)).not.toContain(changed);
    // A table found changed is not read ahead for a while: the last page is read when asked.
    await readAhead.pull(database, request(ok(page).cursor));
    expect(outcomes).toEqual(['stale']);
    await readAhead.close();
  });

  it('reads nothing ahead when the database has no room, and nothing after closing', async () => {
    const outcomes: ReadAheadOutcome[] = [];
    const busy = new PullReadAhead({ hasRoom: () => false, onTaken: (o) => outcomes.push(o) });
    const first = ok(await busy.pull(database, request(START)));
    await busy.pull(database, request(first.cursor));
    expect(outcomes).toEqual([]);

    const closing = new PullReadAhead({ hasRoom: () => true, onTaken: (o) => outcomes.push(o) });
    const page = ok(await closing.pull(database, request(START)));
    await closing.close();
    expect(await closing.pull(database, request(page.cursor))).toEqual(
      await pullChanges(database, request(page.cursor)),
    );
    expect(outcomes).toEqual([]);
  });
});
