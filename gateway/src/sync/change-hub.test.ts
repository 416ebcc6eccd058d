import { exampleTables } from '@syncline/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY, openDatabase, type SyncDatabase } from '../db/database';
import { exampleMigrations } from '../db/migrations';
import { seedExampleData } from '../db/seed';
import { ChangeHub } from './change-hub';
import type { ChangeNotice } from './changes';
import { comparePositions, decodePosition, positionOf, START } from './cursor';
import { type ServedTable, serveTables } from './tables';

describe('the change hub', () => {
  let database: SyncDatabase;
  let resume: (() => void) | undefined;
  const tables = serveTables(exampleTables);
  beforeAll(async () => {
    database = await openDatabase({ dataDir: MEMORY });
    await database.migrate(exampleMigrations);
    await seedExampleData(database.db);
  });
  afterAll(() => database.close());

  /** The database, with a way to say that its LISTEN connection came back. */
  const reconnecting = (): SyncDatabase => ({
    ...database,
    listen(channel, onMessage, onResume) {
      resume = onResume;
      return database.listen(channel, onMessage);
    },
  });

  async function newest(served: ServedTable) {
    const { changeTxid, changeSeq } = served.system;
    const rows = await database.db.select({ changeTxid, changeSeq }).from(served.table);
    return rows.map(positionOf).reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b), START);
  }

  it('after its LISTEN connection comes back, hints every pullable table to everyone', async () => {
    const hub = new ChangeHub(reconnecting(), () => {}, tables);
    await hub.start();
    const heard = hub.subscribe()[Symbol.asyncIterator]();
    resume?.();

    const pullable = tables.filter((served) => served.info.access !== 'write');
    const notices: ChangeNotice[] = [];
    for (const _ of pullable) notices.push((await heard.next()).value as ChangeNotice);
    expect(notices.map((notice) => [notice.table, notice.owner])).toEqual(
      pullable.map((served) => [served.info.name, null]),
    );
    // Each at the table's newest change: the start for the empty to-do table.
    for (const [index, served] of pullable.entries()) {
      const cursor = decodePosition(served.info.name, notices[index]?.cursor ?? '');
      expect(cursor).toEqual({ ok: true, position: await newest(served) });
    }
    expect(await newest(pullable[0] as ServedTable)).toEqual(START);
    expect(await newest(pullable[1] as ServedTable)).not.toEqual(START);
    await hub.stop();
  });
});
