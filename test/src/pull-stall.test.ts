import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresKinds, type TestDatabase } from './support/databases';
import { startGateway, type TestGateway } from './support/gateway-client';
import { pullAll, push, todo } from './support/sync-calls';

const kind = postgresKinds[0];
/**
 * How long the unrelated transaction stays open while rows keep coming. The issue that
 * found the stall held one for 30 s: `SYNCLINE_STALL_SECONDS=30` does that; the suite holds
 * it for a few seconds, writing and pulling all along.
 */
const SECONDS = Number(process.env.SYNCLINE_STALL_SECONDS ?? 3);
/** Each test holds the transaction that long, and then some. */
const TIMEOUT_MS = SECONDS * 1000 + 30_000;

/**
 * A writing transaction elsewhere on the server (another database, a table nobody syncs, or
 * a sync table) stays open. Pulls must not wait for it: every other row arrives with the
 * first pull after its commit, and a sync row that transaction wrote arrives with the first
 * pull after it commits. Nothing is missed, nothing comes twice.
 */
describe.skipIf(!kind)('pulls while a long transaction stays open, on postgres', () => {
  let db: TestDatabase;
  let gateway: TestGateway;
  let sql: postgres.Sql;
  let otherDatabase: postgres.Sql;
  const otherName = `syncline_stall_${crypto.randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    db = await (kind as NonNullable<typeof kind>).create();
    gateway = await startGateway(db.database);
    sql = postgres(db.url as string, { max: 2, onnotice: () => {} });
    await sql`create table audit_log (entry text)`;
    await sql.unsafe(`create database ${otherName}`);
    const url = new URL(db.url as string);
    url.pathname = `/${otherName}`;
    otherDatabase = postgres(url.toString(), { max: 1, onnotice: () => {} });
    await otherDatabase`create table ledger (entry text)`;
  });
  afterAll(async () => {
    await otherDatabase?.end();
    await sql?.unsafe(`drop database if exists ${otherName} with (force)`);
    await sql?.end();
    await db?.drop();
  });

  /**
   * Holds `open` (a transaction that has written) for SECONDS while rows are pushed and
   * pulled; each pushed row must come with the very next pull. Answers the ids pulled.
   */
  async function whileOpen(
    name: string,
    open: (wrote: () => void, hold: Promise<void>) => Promise<void>,
  ) {
    let release = () => {};
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    let wrote = () => {};
    const written = new Promise<void>((resolve) => {
      wrote = resolve;
    });
    let cursor = (await pullAll(gateway, 'pullTodoItems', null, { fields: 'id' })).cursor;
    const transaction = open(wrote, hold);
    await written;
    const pulled: string[] = [];
    const until = Date.now() + SECONDS * 1000;
    for (let round = 0; round === 0 || Date.now() < until; round++) {
      const id = `${name}-${round}`;
      await push(gateway, [todo('INSERT', id, { data: { text: 'while it stays open' } })]);
      const page = await pullAll(gateway, 'pullTodoItems', cursor, { fields: 'id' });
      // Not a moment later: with the pull right after the push that wrote it.
      expect(page.rows.map((row) => row.id)).toEqual([id]);
      pulled.push(id);
      cursor = page.cursor;
      await new Promise((resolve) => setTimeout(resolve, 200)); // the pace of the writes
    }
    release();
    await transaction;
    const after = await pullAll(gateway, 'pullTodoItems', cursor, { fields: 'id' });
    return { pulled, after: after.rows.map((row) => row.id) };
  }

  it(
    'another database of the same server',
    async () => {
      const { after } = await whileOpen('other-db', (wrote, hold) =>
        otherDatabase.begin(async (tx) => {
          await tx`insert into ledger values ('a batch job')`;
          wrote();
          await hold;
        }),
      );
      expect(after).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'the same database, a table nobody syncs',
    async () => {
      const { after } = await whileOpen('audit', (wrote, hold) =>
        sql.begin(async (tx) => {
          await tx`insert into audit_log values ('a long migration')`;
          wrote();
          await hold;
        }),
      );
      expect(after).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'the same database, a sync row of its own: it comes right after its commit',
    async () => {
      const { pulled, after } = await whileOpen('sync', (wrote, hold) =>
        sql.begin(async (tx) => {
          await tx`insert into todo_item (id, text, user_id) values ('written-by-it', 'held', 'alice')`;
          wrote();
          await hold;
        }),
      );
      expect(after).toEqual(['written-by-it']);
      // Nothing missed, nothing twice: a full pull has exactly what came, once each.
      const all = await pullAll(gateway, 'pullTodoItems', null, { fields: 'id' });
      const ids = all.rows.map((row) => String(row.id));
      expect(ids.filter((id) => id.startsWith('sync-') || id === 'written-by-it').sort()).toEqual(
        [...pulled, 'written-by-it'].sort(),
      );
      expect(new Set(ids).size).toBe(ids.length);
    },
    TIMEOUT_MS,
  );
});
