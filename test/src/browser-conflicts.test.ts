import { describe, expect, it } from 'vitest';
import { type AppPage, appPage } from './support/app-page';
import { newUser, useBrowserApp } from './support/browser-app';

interface Job {
  text: string;
  dueDate: string | null;
  version: number;
}

/**
 * Scenario 2: the same technician has the app open in two browsers. Browser B is offline
 * while A changes a job; B changes it too, and when B comes back the gateway refuses B's
 * change as a conflict. B's dialog offers keep mine, keep theirs and a merge.
 */
describe('browser: a conflict between two browsers', { timeout: 90_000 }, () => {
  const app = useBrowserApp('conflicts');
  const day = (date: string) => `${date}T12:00:00.000Z`;

  async function conflict(name: string) {
    const user = newUser(name);
    const a = await app.open(user);
    const jobsA = appPage(a.page);
    await jobsA.ready();
    await jobsA.add('Service heat pump', '2030-01-15');
    await jobsA.waitForPending(0);
    const id = await jobsA.jobId('Service heat pump');

    const b = await app.open(user);
    const jobsB = appPage(b.page);
    await jobsB.ready();
    await jobsB.job('Service heat pump').waitFor();
    await b.context.setOffline(true);
    await jobsB.status('Offline');

    await jobsA.edit('Service heat pump', { text: 'Service heat pump (office: bring filter)' });
    await jobsA.waitForPending(0);
    await jobsB.edit('Service heat pump', {
      text: 'Service heat pump (done part 1)',
      due: '2030-02-20',
    });
    await b.context.setOffline(false);
    const dialog = b.page.getByRole('dialog');
    await dialog.getByText('This job was changed on another device').waitFor();
    return { user, id, jobsA, jobsB, dialog };
  }

  const serverJob = async (user: string, id: string) => {
    const query = `query($id: String!) { pullTodoItems(where: { id: { eq: $id } }) { rows { text dueDate version } } }`;
    const data = await app.serverData<{ pullTodoItems: { rows: Job[] } }>(user, query, { id });
    return data.pullTodoItems.rows[0];
  };

  /** Both browsers show `expected`, once A has synced, and have nothing left to push. */
  async function bothShow(jobsA: AppPage, jobsB: AppPage, text: string, due: string) {
    await jobsB.waitForPending(0);
    await jobsA.sync();
    for (const jobs of [jobsA, jobsB]) {
      await jobs.job(text).waitFor();
      expect(await jobs.jobTexts()).toEqual([text]);
      await expect(jobs.job(text).locator('.due').textContent()).resolves.toBe(due);
      expect(await jobs.pendingCount()).toBe(0);
    }
  }

  it('keep mine: my change goes to the server on its version', async () => {
    const { user, id, jobsA, jobsB, dialog } = await conflict('mine');
    await expect(dialog.locator('tr[data-field=text] td').allTextContents()).resolves.toEqual([
      'Service heat pump (done part 1)',
      'Service heat pump (office: bring filter)',
    ]);
    await app.screenshot(dialog.page(), 'dialog');
    await dialog.getByRole('button', { name: 'Keep mine' }).click();
    await dialog.waitFor({ state: 'detached' });
    await bothShow(jobsA, jobsB, 'Service heat pump (done part 1)', 'Wed, Feb 20');
    expect(await serverJob(user, id)).toEqual({
      text: 'Service heat pump (done part 1)',
      dueDate: day('2030-02-20'),
      version: 3,
    });
  });

  it('keep theirs: my change is dropped, the server row stays', async () => {
    const { user, id, jobsA, jobsB, dialog } = await conflict('theirs');
    await dialog.getByRole('button', { name: 'Keep theirs' }).click();
    await dialog.waitFor({ state: 'detached' });
    await bothShow(jobsA, jobsB, 'Service heat pump (office: bring filter)', 'Tue, Jan 15');
    expect(await serverJob(user, id)).toEqual({
      text: 'Service heat pump (office: bring filter)',
      dueDate: day('2030-01-15'),
      version: 2,
    });
  });

  it('merge: field by field, my text and their due date', async () => {
    const { user, id, jobsA, jobsB, dialog } = await conflict('merge');
    await dialog.getByRole('button', { name: 'Merge…' }).click();
    // The due date changed only here, so it starts as mine; the text changed on both
    // sides, so it starts as theirs. The technician picks the other way round.
    await expect(dialog.getByLabel('Due: mine').isChecked()).resolves.toBe(true);
    await expect(dialog.getByLabel('Job: theirs').isChecked()).resolves.toBe(true);
    await dialog.getByLabel('Job: mine').check();
    await dialog.getByLabel('Due: theirs').check();
    await app.screenshot(dialog.page(), 'merge');
    await dialog.getByRole('button', { name: 'Save merge' }).click();
    await dialog.waitFor({ state: 'detached' });
    await bothShow(jobsA, jobsB, 'Service heat pump (done part 1)', 'Tue, Jan 15');
    expect(await serverJob(user, id)).toEqual({
      text: 'Service heat pump (done part 1)',
      dueDate: day('2030-01-15'),
      version: 3,
    });
  });
});

/** Two tabs of one browser share one local database: they never conflict, they follow each other. */
describe('browser: two tabs', { timeout: 90_000 }, () => {
  const app = useBrowserApp('tabs');

  it('a change in one tab shows in the other at once, offline too, and reaches the server once', async () => {
    const user = newUser('tabs');
    const first = await app.open(user);
    const tabOne = appPage(first.page);
    await tabOne.ready();
    const tabTwo = appPage(await first.context.newPage());
    await tabTwo.page.goto(first.page.url());
    await tabTwo.ready();

    await first.context.setOffline(true);
    await tabOne.status('Offline');
    await tabOne.add('Seen in both tabs');
    // BroadcastChannel: the other tab's live query and pending count follow, no reload.
    await tabTwo.job('Seen in both tabs').waitFor();
    await tabTwo.waitForPending(1);
    await tabTwo.edit('Seen in both tabs', { text: 'Seen in both tabs, edited in the second' });
    await tabOne.job('Seen in both tabs, edited in the second').waitFor();

    await first.context.setOffline(false);
    await tabOne.waitForPending(0);
    await tabTwo.waitForPending(0);
    const data = await app.serverData<{ pullTodoItems: { rows: Job[] } }>(
      user,
      'query { pullTodoItems { rows { text dueDate version } } }',
    );
    // Both tabs sync on `online` (Web Locks take turns); one row, the edit folded into the insert.
    expect(data.pullTodoItems.rows).toEqual([
      { text: 'Seen in both tabs, edited in the second', dueDate: null, version: 1 },
    ]);
    await tabTwo.page.close();
  });
});
