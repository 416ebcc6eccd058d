import type { BrowserContext, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appPage } from './support/app-page';
import { newUser, useBrowserApp } from './support/browser-app';

/**
 * Well under the app's 30 s sync interval: what arrives within it came over the live
 * connection, not with a scheduled sync (nobody presses Sync in these tests).
 */
const LIVE = { timeout: 2_000 };

/** Change streams a browser profile opened: its tabs' subscriptions to `changes`. */
function countStreams(context: BrowserContext) {
  const streams: Request[] = [];
  context.on('request', (request) => {
    if (request.postData()?.includes('subscription SynclineChanges')) streams.push(request);
  });
  return streams;
}

/**
 * Scenario: one technician, two devices. A change on one shows on the other within moments,
 * and a job completed on one leaves the other's list of open jobs.
 */
describe('browser: live between two devices', { timeout: 90_000 }, () => {
  const app = useBrowserApp('live');

  async function twoDevices(name: string) {
    const user = newUser(name);
    const a = await app.open(user);
    const jobsA = appPage(a.page);
    await jobsA.ready();
    const b = await app.open(user);
    const jobsB = appPage(b.page);
    await jobsB.ready();
    await jobsA.live();
    await jobsB.live();
    return { a, b, jobsA, jobsB };
  }

  it('a job added on one device appears on the other, and one completed there leaves it', async () => {
    const { jobsA, jobsB } = await twoDevices('added');
    await jobsA.add('Replace the valve');
    await jobsB.job('Replace the valve').waitFor(LIVE);

    await jobsA.complete('Replace the valve');
    await jobsB.job('Replace the valve').waitFor({ state: 'detached', ...LIVE });
    await app.screenshot(jobsB.page, 'completed-elsewhere');
    // And on the device that completed it too, once synced: the device keeps open jobs.
    await jobsA.job('Replace the valve').waitFor({ state: 'detached', ...LIVE });
    expect(await jobsB.jobTexts()).toEqual([]);
  });

  it('a device that was offline catches up when it is back, without a hint', async () => {
    const { a, b, jobsA, jobsB } = await twoDevices('offline');
    await b.context.setOffline(true);
    await jobsB.status('Offline');
    await jobsB.notLive();
    await jobsA.add('Added while B was away');
    await jobsA.waitForPending(0);
    expect(await jobsB.jobTexts()).toEqual([]);
    await b.context.setOffline(false);
    await jobsB.job('Added while B was away').waitFor(LIVE);
    await jobsB.live();
    expect(a.page.isClosed()).toBe(false);
  });
});

describe('browser: one live connection per browser', { timeout: 90_000 }, () => {
  const app = useBrowserApp('live-tabs');

  it('one tab holds it and tells the others; when it closes, another takes over', async () => {
    const user = newUser('tabs');
    const writer = appPage((await app.open(user)).page);
    await writer.ready();
    const first = await app.open(user);
    const streams = countStreams(first.context);
    const tabOne = appPage(first.page);
    await tabOne.ready();
    await tabOne.live();
    const tabTwo = appPage(await first.context.newPage());
    await tabTwo.page.goto(first.page.url());
    await tabTwo.ready();
    // The second tab is live through the first one's connection: it opened none of its own.
    await tabTwo.live();
    const opened = streams.length;
    expect(streams.map((request) => request.frame().page())).toEqual([tabOne.page]);

    await writer.add('Heard by both tabs');
    await tabOne.job('Heard by both tabs').waitFor(LIVE);
    await tabTwo.job('Heard by both tabs').waitFor(LIVE);

    await tabOne.page.close();
    await tabTwo.live();
    await writer.add('Heard after the first tab closed');
    await tabTwo.job('Heard after the first tab closed').waitFor(LIVE);
    const fromTabTwo = streams.slice(opened).filter((request) => {
      return request.frame().page() === tabTwo.page;
    });
    expect(fromTabTwo.length).toBeGreaterThan(0);
  });
});
