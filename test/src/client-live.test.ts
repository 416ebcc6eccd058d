import type { SyncDatabase } from '@syncline/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, postgresKinds, type TestDatabase } from './support/databases';
import { startGateway, type TestGateway, useTestGateway } from './support/gateway-client';
import { type ExampleClient, openTestClient, TestNetwork } from './support/sync-client';

const newUser = () => `tech-${crypto.randomUUID()}`;
/** Long enough that no scheduled sync can stand in for the live connection in these tests. */
const NO_INTERVAL = { intervalMs: 3_600_000 };

/** Resolves once `condition` holds; fails with `what` after 10 s. */
async function until(what: string, condition: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The texts of the to-dos a device's live query shows, as they change. */
function watchTexts(client: ExampleClient) {
  let texts: string[] = [];
  const stop = client.table('todoItem').watch({ orderBy: { text: 'asc' } }, (rows) => {
    texts = rows.map((row) => row.text);
  });
  return { texts: () => texts, stop };
}

/** A device that syncs by itself (only once an hour) and holds a live connection. */
async function liveDevice(gateway: TestGateway, user: string) {
  const network = new TestNetwork(gateway);
  // No \`online\` or \`offline\` events: only the live connection can bring changes.
  const client = await openTestClient({
    network,
    user,
    autoSync: { ...NO_INTERVAL, target: new EventTarget() },
  });
  await client.table('todoItem').pull('mine');
  await until('the device to be live', () => client.live);
  // Waits for the syncs already asked for (at start, on opening), so that none is left to
  // stand in for the live connection later.
  await client.sync();
  return { client, network };
}

describe.each(databaseKinds)('client: live, on $name', (kind) => {
  const suite = useTestGateway(kind);

  it("shows another device's change without syncing, and is live while connected", async () => {
    const user = newUser();
    const writer = await openTestClient({ network: new TestNetwork(suite.gateway), user });
    const reader = await liveDevice(suite.gateway, user);
    const shown = watchTexts(reader.client);

    await writer.table('todoItem').insert({ text: 'added on the other device' });
    expect((await writer.push()).status).toBe('complete');
    await until('the change to show', () => shown.texts().includes('added on the other device'));

    shown.stop();
    writer.close();
    reader.client.close();
  });

  it('catches up on reconnect with what changed while its connection was down, without a hint', async () => {
    const user = newUser();
    const writer = await openTestClient({ network: new TestNetwork(suite.gateway), user });
    const reader = await liveDevice(suite.gateway, user);
    const shown = watchTexts(reader.client);
    const live: boolean[] = [];
    reader.client.on('live', (value) => live.push(value));

    reader.network.cut();
    await until('the device to see it is not live', () => !reader.client.live);
    await writer.table('todoItem').insert({ text: 'written while the reader was cut off' });
    expect((await writer.push()).status).toBe('complete');
    // The hint of that write went nowhere: the reader heard nothing.
    expect(shown.texts()).toEqual([]);

    // The network comes back with no \`online\` event (the gateway restarted, say): the stream
    // opens again after its backoff, and that alone brings the missed change.
    reader.network.offline = false;
    await until('the missed change to show', () =>
      shown.texts().includes('written while the reader was cut off'),
    );
    expect(live).toEqual([false, true]);

    shown.stop();
    writer.close();
    reader.client.close();
  });
});

describe.skipIf(postgresKinds.length === 0)('client: live across gateway processes', () => {
  let db: TestDatabase;
  let other: SyncDatabase;
  let first: TestGateway;
  let second: TestGateway;
  beforeAll(async () => {
    db = await (postgresKinds[0] as NonNullable<(typeof postgresKinds)[0]>).create();
    other = await db.connectAgain();
    first = await startGateway(db.database);
    second = await startGateway(other);
  });
  afterAll(async () => {
    await first?.yoga.dispose();
    await second?.yoga.dispose();
    await db.drop();
  });

  it('a change through one gateway shows on a device connected to another', async () => {
    const user = newUser();
    const writer = await openTestClient({ network: new TestNetwork(first), user });
    const reader = await liveDevice(second, user);
    const shown = watchTexts(reader.client);

    await writer.table('todoItem').insert({ text: 'through the first gateway' });
    expect((await writer.push()).status).toBe('complete');
    await until('the change to show', () => shown.texts().includes('through the first gateway'));

    shown.stop();
    writer.close();
    reader.client.close();
  });
});
