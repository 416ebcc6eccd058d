import type { Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appPage } from './support/app-page';
import { newUser, useBrowserApp } from './support/browser-app';

interface Jobs {
  pullTodoItems: { rows: { id: string; text: string; version: number; dueDate: string | null }[] };
}
const JOBS = 'query { pullTodoItems(limit: 1000) { rows { id text version dueDate } } }';

/** Scenario 1: a technician with no signal adds and edits jobs, reloads the page, then gets signal back. */
describe('browser: offline, reload, back online', { timeout: 90_000 }, () => {
  const app = useBrowserApp('offline');

  it('keeps offline changes and their count across a reload, then delivers them', async () => {
    const user = newUser('tech');
    const { context, page } = await app.open(user);
    const jobs = appPage(page);
    await jobs.ready();
    await jobs.add('Check boiler pressure', '2030-01-15');
    await jobs.waitForPending(0);

    await context.setOffline(true);
    await jobs.status('Offline');
    await jobs.add('Replace pump seal', '2030-01-16');
    await jobs.add('Order spare valve');
    await jobs.edit('Check boiler pressure', { text: 'Check boiler pressure and flue' });
    await jobs.edit('Order spare valve', { due: '2030-01-20' });
    // Two inserts (the edit folds into the insert) and one update.
    await jobs.waitForPending(3);
    expect(await app.serverData<Jobs>(user, JOBS)).toEqual({
      pullTodoItems: { rows: [expect.objectContaining({ text: 'Check boiler pressure' })] },
    });

    // Reloaded with no network: the cached shell opens, the local database still has it all.
    await page.reload();
    await jobs.status('Offline');
    await jobs.waitForPending(3);
    expect((await jobs.jobTexts()).sort()).toEqual([
      'Check boiler pressure and flue',
      'Order spare valve',
      'Replace pump seal',
    ]);
    await expect(
      jobs.job('Check boiler pressure and flue').locator('.unsynced').count(),
    ).resolves.toBe(1);

    await context.setOffline(false);
    await jobs.waitForPending(0);
    await jobs.status('Online');
    const { rows } = (await app.serverData<Jobs>(user, JOBS)).pullTodoItems;
    expect(
      rows.map(({ text, version, dueDate }) => ({ text, version, dueDate })).sort(byText),
    ).toEqual([
      { text: 'Check boiler pressure and flue', version: 2, dueDate: '2030-01-15T12:00:00.000Z' },
      { text: 'Order spare valve', version: 1, dueDate: '2030-01-20T12:00:00.000Z' },
      { text: 'Replace pump seal', version: 1, dueDate: '2030-01-16T12:00:00.000Z' },
    ]);
    await expect(page.locator('.unsynced').count()).resolves.toBe(0);
  });
});

/** Scenario 3: the page is reloaded after the gateway applied a push but before its answer arrived. */
describe('browser: a reload in the middle of a push', { timeout: 90_000 }, () => {
  const app = useBrowserApp('reload-mid-push');
  const FH16 =
    'query { pullVehicleModels(where: { id: { eq: "vm-volvo-fh16" } }) { rows { accoladeCount } } }';
  const accolades = async (user: string) =>
    (await app.serverData<{ pullVehicleModels: { rows: { accoladeCount: number }[] } }>(user, FH16))
      .pullVehicleModels.rows[0]?.accoladeCount;

  it('loses nothing and applies nothing twice', async () => {
    const user = newUser('tech');
    const { context, page } = await app.open(user);
    const jobs = appPage(page);
    await jobs.ready();
    const before = await accolades(user);
    expect(before).toEqual(expect.any(Number));
    // The region's models are on the device before the network goes.
    await page.locator('.model[data-id="vm-volvo-fh16"]').waitFor();

    await context.setOffline(true);
    await jobs.status('Offline');
    for (const text of ['Bleed radiators', 'Test smoke alarms', 'Descale boiler'])
      await jobs.add(text);
    await page.getByRole('button', { name: 'Give FH16 an accolade' }).click();
    await jobs.waitForPending(4);

    const pushes: string[][] = [];
    page.on('request', (request) => {
      if (isPush(request)) pushes.push(opIdsOf(request));
    });
    let applied = () => {};
    const reachedGateway = new Promise<void>((resolve) => {
      applied = resolve;
    });
    let held = false;
    await page.route('**/graphql', async (route) => {
      if (held || !isPush(route.request())) return route.continue();
      held = true;
      // The gateway gets the push and applies it; the page never sees the answer.
      const response = await route.fetch();
      expect(response.status()).toBe(200);
      applied();
    });
    await context.setOffline(false);
    await reachedGateway;
    expect(await accolades(user)).toBe((before ?? 0) + 1);
    await page.reload();

    // After the reload the same operations go again, and the gateway answers from its record.
    await jobs.waitForPending(0);
    expect(pushes).toHaveLength(2);
    expect(pushes[1]).toEqual(pushes[0]);
    expect((await jobs.jobTexts()).sort()).toEqual([
      'Bleed radiators',
      'Descale boiler',
      'Test smoke alarms',
    ]);
    const { rows } = (await app.serverData<Jobs>(user, JOBS)).pullTodoItems;
    expect(rows.map(({ text, version }) => ({ text, version })).sort(byText)).toEqual([
      { text: 'Bleed radiators', version: 1 },
      { text: 'Descale boiler', version: 1 },
      { text: 'Test smoke alarms', version: 1 },
    ]);
    expect(await accolades(user)).toBe((before ?? 0) + 1);
    // The new count comes with the pull that follows the push.
    await page
      .locator('.model[data-id="vm-volvo-fh16"] [data-testid=accolade-count]')
      .filter({ hasText: new RegExp(`^★ ${(before ?? 0) + 1}$`) })
      .waitFor();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
  });
});

function isPush(request: Request): boolean {
  return (
    request.method() === 'POST' && (request.postData() ?? '').includes('mutation SynclinePush')
  );
}

function opIdsOf(request: Request): string[] {
  const body = JSON.parse(request.postData() ?? '{}') as {
    variables: { operations: Record<string, { opId: string }>[] };
  };
  return body.variables.operations.flatMap((operation) =>
    Object.values(operation).map((op) => op.opId),
  );
}

const byText = (a: { text: string }, b: { text: string }) => a.text.localeCompare(b.text);
