import type { Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appPage } from './support/app-page';
import { newUser, useBrowserApp } from './support/browser-app';

/** The `country` of every manufacturer in the page's local database. */
function localCountries(page: Page, user: string): Promise<string[]> {
  return page.evaluate(
    (name) =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const read = open.result
            .transaction('rows:vehicleManufacturer')
            .objectStore('rows:vehicleManufacturer')
            .getAll();
          read.onsuccess = () => {
            resolve((read.result as { country: string }[]).map((row) => row.country).sort());
            open.result.close();
          };
          read.onerror = () => reject(read.error);
        };
      }),
    `syncline-demo:${user}`,
  );
}

/** The `where` of each manufacturer pull the page sent. */
function manufacturerPulls(page: Page): unknown[] {
  const wheres: unknown[] = [];
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    const query = url.searchParams.get('query') ?? '';
    if (query.includes('pullVehicleManufacturerPages')) {
      wheres.push(
        (JSON.parse(url.searchParams.get('variables') ?? '{}') as { where?: unknown }).where,
      );
    }
  });
  return wheres;
}

/** Scenario 4: reference data of one region, and an accolade given offline through the command table. */
describe('browser: reference data and the accolade command', { timeout: 90_000 }, () => {
  const app = useBrowserApp('reference');
  const ACTROS =
    'query { pullVehicleModels(where: { id: { eq: "vm-mercedes-actros" } }) { rows { accoladeCount } } }';

  it('pulls only the chosen region’s manufacturers and their models', async () => {
    const user = newUser('tech');
    const { page } = await app.open(user);
    const wheres = manufacturerPulls(page);
    const jobs = appPage(page);
    await jobs.ready();
    const makers = page.locator('.manufacturer h2');
    await page.locator('.manufacturer[data-id="mf-volvo"] .model').first().waitFor();
    expect(await makers.allTextContents()).toEqual(['Scania', 'Volvo']);
    expect(await page.locator('.model .model-name').allTextContents()).toEqual([
      'R 500',
      'FH16',
      'FMX',
    ]);
    expect(await localCountries(page, user)).toEqual(['Sweden', 'Sweden']);

    await page.getByLabel('Region').selectOption('Germany');
    await page.locator('.manufacturer[data-id="mf-mercedes"] .model').first().waitFor();
    expect(await makers.allTextContents()).toEqual(['MAN', 'Mercedes-Benz']);
    expect(await page.locator('.model .model-name').allTextContents()).toEqual([
      'TGX',
      'Actros',
      'Sprinter',
    ]);
    // Sweden's rows were purged from the device; only Germany's were pulled.
    expect(await localCountries(page, user)).toEqual(['Germany', 'Germany']);
    expect(wheres).toContainEqual({ country: { eq: 'Sweden' } });
    expect(wheres).toContainEqual({ country: { eq: 'Germany' } });
    expect(wheres.every((where) => where !== null && where !== undefined)).toBe(true);
  });

  it('gives an accolade offline; the new count comes from the server after sync', async () => {
    const user = newUser('tech');
    const { context, page } = await app.open(user);
    const jobs = appPage(page);
    await jobs.ready();
    await page.getByLabel('Region').selectOption('Germany');
    const actros = page.locator('.model[data-id="vm-mercedes-actros"]');
    await actros.waitFor();
    const count = async () =>
      (
        await app.serverData<{ pullVehicleModels: { rows: { accoladeCount: number }[] } }>(
          user,
          ACTROS,
        )
      ).pullVehicleModels.rows[0]?.accoladeCount ?? -1;
    const before = await count();
    await expect(actros.getByTestId('accolade-count').textContent()).resolves.toBe(`★ ${before}`);

    await context.setOffline(true);
    await jobs.status('Offline');
    await actros.getByRole('button', { name: 'Give Actros an accolade' }).click();
    await actros.getByRole('button', { name: 'Give Actros an accolade' }).click();
    await actros.getByTestId('accolades-waiting').filter({ hasText: '+2 waiting' }).waitFor();
    await jobs.waitForPending(2);
    await expect(actros.getByTestId('accolade-count').textContent()).resolves.toBe(`★ ${before}`);
    await app.screenshot(page, 'accolades-waiting');
    expect(await count()).toBe(before);

    await context.setOffline(false);
    await actros
      .getByTestId('accolade-count')
      .filter({ hasText: `★ ${before + 2}` })
      .waitFor();
    await actros.getByTestId('accolades-waiting').waitFor({ state: 'detached' });
    await jobs.waitForPending(0);
    expect(await count()).toBe(before + 2);
  });

  it('asks for a token when the gateway wants one, and works once given', async () => {
    const user = newUser('tech');
    const { page } = await app.open();
    const signIn = page.getByRole('dialog');
    await signIn.getByText('The gateway asks for a token').waitFor();
    await signIn.getByLabel('Token').fill(await app.tokenFor(user));
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.user', { hasText: user }).waitFor();
    const jobs = appPage(page);
    await jobs.ready();
    await jobs.add('First job after signing in');
    await jobs.waitForPending(0);
    const data = await app.serverData<{ pullTodoItems: { rows: { text: string }[] } }>(
      user,
      'query { pullTodoItems { rows { text } } }',
    );
    expect(data.pullTodoItems.rows).toEqual([{ text: 'First job after signing in' }]);
  });
});
