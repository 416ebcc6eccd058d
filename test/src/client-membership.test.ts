import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { openTestClient, TestNetwork, testDevice } from './support/sync-client';

const newUser = () => `tech-${crypto.randomUUID()}`;
const OPEN = { complete: { eq: false } };
const DUE = { dueDate: { isNull: false } };

/**
 * Rows that leave a device's queries leave the device, against the real gateway: another
 * device (or the back office) changes them so that the device's filters no longer cover
 * them, or gives them to someone else.
 */
describe.each(databaseKinds)('client: rows that leave a query, on $name', (kind) => {
  const suite = useTestGateway(kind);

  async function twoDevices() {
    const user = newUser();
    const office = await openTestClient({ network: new TestNetwork(suite.gateway), user });
    const store = testDevice();
    const device = await openTestClient({ network: new TestNetwork(suite.gateway), user, store });
    return { user, office, device, store };
  }

  const texts = async (client: Awaited<ReturnType<typeof openTestClient>>) =>
    (await client.table('todoItem').find({ orderBy: { text: 'asc' } })).map((row) => row.text);

  it('a job completed elsewhere leaves the open list; one another query covers stays, with its new values', async () => {
    const { office, device } = await twoDevices();
    const jobs = office.table('todoItem');
    const done = await jobs.insert({ text: 'done elsewhere' });
    const dated = await jobs.insert({
      text: 'dated, done elsewhere',
      dueDate: '2027-01-05T00:00:00.000Z',
    });
    await jobs.insert({ text: 'still open' });
    await office.push();
    await device.table('todoItem').pull('open', { where: OPEN });
    await device.table('todoItem').pull('due', { where: DUE });
    expect(await texts(device)).toEqual(['dated, done elsewhere', 'done elsewhere', 'still open']);

    await jobs.update({ id: done.id, complete: true });
    await jobs.update({ id: dated.id, complete: true });
    await office.push();
    await device.sync();
    expect(await texts(device)).toEqual(['dated, done elsewhere', 'still open']);
    expect(await device.table('todoItem').get(dated.id)).toMatchObject({
      complete: true,
      version: 2,
    });

    // Reopened elsewhere, it comes back.
    await jobs.update({ id: done.id, complete: false, text: 'reopened elsewhere' });
    await office.push();
    await device.sync();
    expect(await texts(device)).toEqual([
      'dated, done elsewhere',
      'reopened elsewhere',
      'still open',
    ]);
    office.close();
    device.close();
  });

  it('a job with a change waiting here stays until the change is settled', async () => {
    const { office, device } = await twoDevices();
    const job = await office.table('todoItem').insert({ text: 'shared' });
    await office.push();
    await device.table('todoItem').pull('open', { where: OPEN });
    await office.table('todoItem').update({ id: job.id, complete: true });
    await office.push();
    await device.table('todoItem').update({ id: job.id, text: 'edited offline' });
    // The pull's own push conflicts (the office changed the row first): the change is
    // reported and stays pending, and the row with it.
    await device.table('todoItem').pull('open', { where: OPEN });
    expect(await texts(device)).toEqual(['edited offline']);
    const [error] = (await device.push()).errors;
    expect(error?.code).toBe('VERSION_MISMATCH');
    await error?.resolve({ action: 'server-wins' });
    // Settled on the server's row, which no query of this device covers.
    expect(await texts(device)).toEqual([]);
    office.close();
    device.close();
  });

  it("a job the back office gives to another technician leaves the old owner's device", async () => {
    const { user, office, device } = await twoDevices();
    const job = await office.table('todoItem').insert({ text: 'reassigned' });
    await office.table('todoItem').insert({ text: 'kept' });
    await office.push();
    await device.table('todoItem').pull('mine');
    await device.table('todoItem').pull('open', { where: OPEN });
    const other = newUser();
    await suite.db.database.db.execute(
      sql`update todo_item set user_id = ${other} where id = ${job.id} and user_id = ${user}`,
    );
    await device.sync();
    expect(await texts(device)).toEqual(['kept']);
    const theirs = await openTestClient({ network: new TestNetwork(suite.gateway), user: other });
    await theirs.table('todoItem').pull('mine');
    expect(await texts(theirs)).toEqual(['reassigned']);
    office.close();
    device.close();
    theirs.close();
  });

  it('membership survives a reload', async () => {
    const { user, office, device, store } = await twoDevices();
    const jobs = office.table('todoItem');
    const job = await jobs.insert({ text: 'open and dated', dueDate: '2027-01-05T00:00:00.000Z' });
    await office.push();
    await device.table('todoItem').pull('open', { where: OPEN });
    await device.table('todoItem').pull('due', { where: DUE });
    device.close();
    const reloaded = await openTestClient({ network: new TestNetwork(suite.gateway), user, store });
    await jobs.update({ id: job.id, complete: true });
    await office.push();
    await reloaded.sync();
    expect(await texts(reloaded)).toEqual(['open and dated']); // 'due' still covers it
    await jobs.update({ id: job.id, dueDate: null });
    await office.push();
    await reloaded.sync();
    expect(await texts(reloaded)).toEqual([]);
    office.close();
    reloaded.close();
  });
});
