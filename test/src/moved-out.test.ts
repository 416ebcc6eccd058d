import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { type Page, pullAll, pullPage, push, todo } from './support/sync-calls';

type Row = Record<string, unknown>;

const OPEN = { complete: { eq: false } };
const FIELDS = 'id version complete deleted userId updatedAt';

/**
 * Rows that leave a query (DESIGN.md, "Rows that leave a query"): an incremental pull of a
 * filtered query, or of an owned table, names the rows changed since its cursor that it no
 * longer covers, in `movedOut`.
 */
describe.each(databaseKinds)('rows that leave a query, on $name', (kind) => {
  const suite = useTestGateway(kind);
  const pull = (user: string, after: string | null, where?: object, limit?: number) =>
    pullPage(
      suite.gateway,
      'pullTodoItems',
      { after, ...(where ? { where } : {}), ...(limit ? { limit } : {}) },
      FIELDS,
      user,
    );
  const insertOpen = (user: string, ids: string[]) =>
    push(
      suite.gateway,
      ids.map((id) => todo('INSERT', id, { data: { text: id } })),
      user,
    );
  const update = async (user: string, id: string, data: object) => {
    const current = await suite.gateway.data<{ todoItem: { version: number } }>(
      'query($id: ID!) { todoItem(id: $id) { version } }',
      { id },
      user,
    );
    const [outcome] = await push(
      suite.gateway,
      [todo('UPDATE', id, { version: current.todoItem.version, data })],
      user,
    );
    expect(outcome?.status).toBe('APPLIED');
  };
  const remove = async (user: string, id: string) => {
    const current = await suite.gateway.data<{ todoItem: { version: number } }>(
      'query($id: ID!) { todoItem(id: $id) { version } }',
      { id },
      user,
    );
    await push(suite.gateway, [todo('DELETE', id, { version: current.todoItem.version })], user);
  };
  /** What the back office does: plain SQL on the database, no version, no change position. */
  const reassign = (id: string, owner: string) =>
    suite.db.database.db.execute(sql`update todo_item set user_id = ${owner} where id = ${id}`);
  const ids = (rows: Row[]) => rows.map((row) => row.id);

  it('reports a row updated out of the filter, and sends it again once it matches again', async () => {
    await insertOpen('fi', ['fi-1', 'fi-2', 'fi-3']);
    const first = await pull('fi', null, OPEN);
    expect(ids(first.rows)).toEqual(['fi-1', 'fi-2', 'fi-3']);
    expect(first.movedOut).toEqual([]);

    await update('fi', 'fi-2', { complete: true });
    const out = await pull('fi', first.cursor, OPEN);
    expect(out).toMatchObject({ rows: [], movedOut: ['fi-2'], hasMore: false });
    // Without a filter, the same change is an ordinary row: the row is still the user's.
    const all = await pull('fi', first.cursor);
    expect(all.rows).toMatchObject([{ id: 'fi-2', complete: true }]);
    expect(all.movedOut).toEqual([]);

    await update('fi', 'fi-2', { complete: false });
    const back = await pull('fi', out.cursor, OPEN);
    expect(back).toMatchObject({ rows: [{ id: 'fi-2', version: 3 }], movedOut: [] });
    // From the first cursor the row changed twice: it comes once, at its latest position.
    const both = await pull('fi', first.cursor, OPEN);
    expect(both).toMatchObject({ rows: [{ id: 'fi-2', version: 3 }], movedOut: [] });
  });

  it('keeps a tombstone that matches in rows, and reports one that does not as moved out', async () => {
    await insertOpen('ts', ['ts-1', 'ts-2']);
    const { cursor } = await pull('ts', null, OPEN);
    await remove('ts', 'ts-1');
    await update('ts', 'ts-2', { complete: true });
    await remove('ts', 'ts-2');
    const page = await pull('ts', cursor, OPEN);
    expect(page.rows).toMatchObject([{ id: 'ts-1', deleted: true }]);
    expect(page.movedOut).toEqual(['ts-2']);
  });

  it('pages rows and moved-out ids as one stream in change order, nothing skipped or twice', async () => {
    await insertOpen('pg', ['pg-1', 'pg-2', 'pg-3', 'pg-4', 'pg-5', 'pg-6']);
    const { cursor } = await pull('pg', null, OPEN);
    await update('pg', 'pg-1', { complete: true });
    await update('pg', 'pg-2', { text: 'still open' });
    await reassign('pg-3', 'pg-other');
    await update('pg', 'pg-4', { complete: true });
    await remove('pg', 'pg-5');
    await update('pg', 'pg-6', { complete: true });
    await update('pg', 'pg-6', { complete: false });
    await insertOpen('pg', ['pg-7']);
    const expected = [
      'out pg-1',
      'row pg-2',
      'out pg-3',
      'out pg-4',
      'row pg-5',
      'row pg-6',
      'row pg-7',
    ];

    const items = (page: Page) => [
      ...page.movedOut.map((id) => `out ${id}`),
      ...page.rows.map((row) => `row ${row.id}`),
    ];
    const seen: string[] = [];
    let after = cursor;
    for (let pages = 1; ; pages++) {
      const page = await pull('pg', after, OPEN, 1);
      expect(items(page)).toHaveLength(1);
      seen.push(...items(page));
      after = page.cursor;
      if (!page.hasMore) break;
      expect(pages).toBeLessThan(expected.length);
    }
    expect(seen).toEqual(expected);
    expect(items(await pull('pg', after, OPEN, 1))).toEqual([]);
    // One page of all of them says the same.
    const whole = await pull('pg', cursor, OPEN);
    expect(whole.hasMore).toBe(false);
    expect(whole.movedOut).toEqual(['pg-1', 'pg-3', 'pg-4']);
    expect(ids(whole.rows)).toEqual(['pg-2', 'pg-5', 'pg-6', 'pg-7']);
  });

  it("moves a row reassigned with plain SQL out of the old owner's pulls and into the new owner's", async () => {
    await insertOpen('ann', ['job-1', 'job-2']);
    const ann = await pull('ann', null);
    const annOpen = await pull('ann', null, OPEN);
    const ben = await pull('ben', null);
    expect(ben.rows).toEqual([]);

    await reassign('job-1', 'ben');
    const annAfter = await pull('ann', ann.cursor);
    expect(annAfter).toMatchObject({ rows: [], movedOut: ['job-1'] });
    expect((await pull('ann', annOpen.cursor, OPEN)).movedOut).toEqual(['job-1']);
    const benAfter = await pull('ben', ben.cursor);
    expect(benAfter.movedOut).toEqual([]);
    // The trigger gave the row a new version and change position, so it reaches ben.
    expect(benAfter.rows).toMatchObject([{ id: 'job-1', version: 2, userId: 'ben' }]);
    const before = ann.rows.find((row) => row.id === 'job-1');
    expect(benAfter.rows[0]?.updatedAt).not.toBe(before?.updatedAt);
    const lookup = await suite.gateway.data('{ todoItem(id: "job-1") { id } }', {}, 'ann');
    expect(lookup).toEqual({ todoItem: null });

    // Back to ann: a row again for her, moved out for ben; each id once.
    await reassign('job-1', 'ann');
    const annBack = await pull('ann', annAfter.cursor);
    expect(annBack).toMatchObject({ rows: [{ id: 'job-1', version: 3 }], movedOut: [] });
    expect(await pull('ann', ann.cursor)).toMatchObject({
      rows: [{ id: 'job-1', version: 3 }],
      movedOut: [],
    });
    expect((await pull('ben', benAfter.cursor)).movedOut).toEqual(['job-1']);

    // Away, back and away again since ann's cursor: one moved-out id.
    await reassign('job-2', 'ben');
    await reassign('job-2', 'ann');
    await reassign('job-2', 'ben');
    expect(await pull('ann', annBack.cursor)).toMatchObject({ rows: [], movedOut: ['job-2'] });
    // A statement that sets the owner it already has changes nothing.
    const benNow = await pull('ben', null);
    await reassign('job-2', 'ben');
    expect(await pull('ben', benNow.cursor)).toMatchObject({ rows: [], movedOut: [] });
  });

  it('sends no movedOut on a first pull, nor on unfiltered pulls of tables without owner', async () => {
    await insertOpen('fp', ['fp-1', 'fp-2']);
    const models = await pullAll(suite.gateway, 'pullVehicleModels', null, { fields: 'id' });
    await update('fp', 'fp-1', { complete: true });
    await reassign('fp-2', 'fp-other');
    const all = await pull('fp', null);
    expect(all).toMatchObject({ rows: [{ id: 'fp-1', complete: true }], movedOut: [] });
    const open = await pull('fp', null, OPEN);
    expect(open).toMatchObject({ rows: [], movedOut: [] });
    // The first pull ended at the table's newest change, not at its last matching row (it has
    // none): the next one does not report the rows it never sent.
    expect(await pull('fp', open.cursor, OPEN)).toMatchObject({ rows: [], movedOut: [] });
    const db = suite.db.database.db;
    await db.execute(sql`update vehicle_model set year = year + 1, version = version + 1,
      change_txid = pg_current_xact_id(), change_seq = nextval('syncline_change_seq')
      where id = 'vm-volvo-fh16'`);
    const again = await pullAll(suite.gateway, 'pullVehicleModels', models.cursor, {
      fields: 'id',
    });
    expect(again).toMatchObject({ rows: [{ id: 'vm-volvo-fh16' }], movedOut: [] });
  });

  it('keeps every page of a first pull free of movedOut, and hears afterwards what left meanwhile', async () => {
    await insertOpen('mp', ['mp-1', 'mp-2', 'mp-3', 'mp-4', 'mp-5', 'mp-6']);
    for (const id of ['mp-2', 'mp-4', 'mp-6']) await update('mp', id, { complete: true });
    await insertOpen('mp', ['mp-7']);
    await update('mp', 'mp-7', { complete: true });
    const pages: Page[] = [await pull('mp', null, OPEN, 1)];
    // Between pages: a row already sent leaves the query, another leaves its owner.
    await update('mp', 'mp-1', { complete: true });
    await reassign('mp-3', 'mp-other');
    while (pages.at(-1)?.hasMore)
      pages.push(await pull('mp', pages.at(-1)?.cursor ?? null, OPEN, 1));
    // Only the rows that match, one a page; no page reports anything moved out.
    expect(pages.map((page) => ids(page.rows))).toEqual([['mp-1'], ['mp-5']]);
    expect(pages.flatMap((page) => page.movedOut)).toEqual([]);
    // The next pull reports the rows that left while the first pull paged, and nothing of
    // the rows that never matched (mp-2, mp-4, mp-6, mp-7: before and after the last match).
    const next = await pull('mp', pages.at(-1)?.cursor ?? null, OPEN);
    expect(next.movedOut).toEqual(['mp-1', 'mp-3']);
    const again = await pull('mp', next.cursor, OPEN);
    expect(again).toMatchObject({ rows: [], movedOut: [] });
  });

  it('reports reference rows that no longer match a filter (a table without owner)', async () => {
    const swedish = { country: { eq: 'Sweden' } };
    const first = await pullAll(suite.gateway, 'pullVehicleManufacturers', null, {
      where: swedish,
      fields: 'id',
    });
    const [moving] = first.rows;
    expect(moving).toBeDefined();
    await suite.db.database.db.execute(sql`update vehicle_manufacturer
      set country = 'Norway', version = version + 1,
        change_txid = pg_current_xact_id(), change_seq = nextval('syncline_change_seq')
      where id = ${moving?.id as string}`);
    const next = await pullAll(suite.gateway, 'pullVehicleManufacturers', first.cursor, {
      where: swedish,
      fields: 'id',
    });
    expect(next).toMatchObject({ rows: [], movedOut: [moving?.id] });
  });
});
