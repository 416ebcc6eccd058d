import { mergeRows, type SyncResult } from '@syncline/client';
import { todoItem } from '@syncline/schema';
import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { pullAll } from './support/sync-calls';
import { type ExampleClient, openTestClient, TestNetwork, testDevice } from './support/sync-client';

/**
 * The field-service scenario end to end: a technician's app pulls reference data and
 * their jobs, works in a basement with no signal, is reloaded there, and syncs by itself
 * when the network returns, merging the office's edit into theirs.
 */
describe.each(databaseKinds)('client: the field-service workflow, on $name', (kind) => {
  const suite = useTestGateway(kind);

  /** Resolves at the next automatic sync that completes. */
  const nextSync = (client: ExampleClient) =>
    new Promise<SyncResult>((resolve) => {
      const stop = client.on('sync', (result) => {
        if (result.status !== 'complete') return;
        stop();
        resolve(result);
      });
    });

  it('works offline, survives a reload, and reconciles on its own when back online', async () => {
    const user = `tech-${crypto.randomUUID()}`;
    const network = new TestNetwork(suite.gateway);
    const device = testDevice();
    const window = new EventTarget();
    const open = () =>
      openTestClient({
        network,
        user,
        store: device,
        autoSync: { target: window, intervalMs: 3_600_000 },
        onConflict: (conflict) => {
          const merged = mergeRows(conflict);
          return merged && merged.overlapping.length === 0
            ? { action: 'merge', row: merged.row }
            : { action: 'server-wins' };
        },
      });

    // In the office: the first sync, then the technician's own query and the reference data.
    let app = await open();
    await nextSync(app);
    const todos = app.table('todoItem');
    await todos.insert({ text: 'Service the Volvo FH16' });
    await todos.pull('openJobs', { where: { complete: { eq: false } } });
    await app.table('vehicleManufacturer').pull('makers');
    await app
      .table('vehicleModel')
      .pull('volvo', { where: { manufacturerId: { eq: 'mf-volvo' } } });
    const fh16 = await app.table('vehicleModel').get('vm-volvo-fh16');
    expect(fh16).toMatchObject({ name: expect.any(String), manufacturerId: 'mf-volvo' });
    const [job] = await todos.find();
    expect(job).toMatchObject({ version: 1, userId: user });

    // In the basement: no signal.
    network.offline = true;
    window.dispatchEvent(new Event('offline'));
    expect(app.status).toBe('offline');
    await todos.update({ id: job?.id as string, complete: true });
    await todos.insert({ text: 'Order a new filter', dueDate: '2026-12-01T09:00:00Z' });
    const praise = app.table('vehicleModelUpdate');
    await praise.insert({ vehicleModelId: 'vm-volvo-fh16', accoladeCount: 2 });
    const mistake = await praise.insert({ vehicleModelId: 'vm-volvo-fh16', accoladeCount: 10 });
    expect(await praise.discard(mistake.id)).toBe('discarded');
    expect(app.pendingOperations()).toBe(3);

    // The tab is reloaded, still offline: everything is still here.
    app.close();
    app = await open();
    expect(app.pendingOperations()).toBe(3);
    expect(
      (await app.table('todoItem').find({ orderBy: { text: 'asc' } })).map((row) => row.text),
    ).toEqual(['Order a new filter', 'Service the Volvo FH16']);

    // Meanwhile the office edits the same job's text.
    await suite.gateway.data(
      'mutation($id: ID!) { updateTodoItem(id: $id, version: 1, patch: { text: "Service the Volvo FH16 (bring the long ladder)" }) { status } }',
      { id: job?.id },
      user,
    );

    // Signal returns: the app syncs by itself.
    network.offline = false;
    const synced = nextSync(app);
    window.dispatchEvent(new Event('online'));
    const result = await synced;
    expect(result.push).toMatchObject({ status: 'complete', pushed: 3, errors: [] });
    expect(app.status).toBe('online');
    expect(app.pendingOperations()).toBe(0);

    // The server has the merge of both edits, the new job and exactly one command's praise.
    const server = (await pullAll(suite.gateway, 'pullTodoItems', null, { user })).rows;
    expect(server.map(({ text, complete, version }) => ({ text, complete, version }))).toEqual([
      { text: 'Order a new filter', complete: false, version: 1 },
      { text: 'Service the Volvo FH16 (bring the long ladder)', complete: true, version: 3 },
    ]);
    const model = await app.table('vehicleModel').get('vm-volvo-fh16');
    expect(model?.accoladeCount).toBe((fh16?.accoladeCount as number) + 2);
    expect(await app.table('vehicleModelUpdate').find()).toEqual([]);

    // The job completed here left the device with that sync: its only query pulls open jobs.
    expect((await app.table('todoItem').find()).map((row) => row.text)).toEqual([
      'Order a new filter',
    ]);
    // A purge finds nothing done to remove, and the open jobs come back as they were.
    expect(await app.table('todoItem').purge({ where: { complete: { eq: true } } })).toMatchObject({
      status: 'purged',
      purged: 0,
    });
    await app.table('todoItem').pull('openJobs', { where: { complete: { eq: false } } });
    expect((await app.table('todoItem').find()).map((row) => row.text)).toEqual([
      'Order a new filter',
    ]);
    app.close();
  });

  it('keeps pending operations through a local database upgrade', async () => {
    const user = `tech-${crypto.randomUUID()}`;
    const network = new TestNetwork(suite.gateway);
    network.offline = true;
    const device = testDevice();
    // Version 1 of the app syncs only the to-do list.
    const first = await openTestClient({
      network,
      user,
      store: device,
      tables: { todoItem } as never,
    });
    await first.table('todoItem').insert({ text: 'queued before the update' });
    first.close();
    // Version 2 adds the vehicle tables: the local database is upgraded on open.
    const second = await openTestClient({ network, user, store: device });
    expect((await second.pendingChanges()).map((entry) => entry.data?.text)).toEqual([
      'queued before the update',
    ]);
    network.offline = false;
    expect(await second.push()).toMatchObject({ status: 'complete', pushed: 1 });
    expect(await second.table('vehicleManufacturer').pull(null)).toMatchObject({
      status: 'complete',
    });
    second.close();
  });
});
