import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * What a test does in the demo app, in the user's terms: by labels and roles, as a person
 * reads the page. Each wait is on something the app shows, never on time.
 */
export function appPage(page: Page) {
  const pending = page.getByTestId('pending-count');
  const job = (text: string): Locator => page.locator('li.todo', { hasText: text });

  return {
    page,
    job,
    /** The app is open and online, with nothing waiting, and its shell is cached for offline use. */
    async ready() {
      await page.locator('body[data-offline-ready]').waitFor();
      await page.getByTestId('sync-status').filter({ hasText: 'Online' }).waitFor();
      await waitForPending(0);
    },
    async add(text: string, due?: string) {
      await page.getByLabel('New job').fill(text);
      if (due) await page.locator('.add-todo').getByLabel('Due date').fill(due);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await job(text).waitFor();
    },
    async edit(text: string, change: { text?: string; due?: string }) {
      await page.getByRole('button', { name: `Edit ${text}` }).click();
      const form = page.locator('li.todo.editing');
      if (change.text !== undefined) await form.getByLabel('Job').fill(change.text);
      if (change.due !== undefined) await form.getByLabel('Due date').fill(change.due);
      await form.getByRole('button', { name: 'Save' }).click();
      await job(change.text ?? text)
        .locator('.todo-text')
        .waitFor();
    },
    async status(expected: 'Online' | 'Offline') {
      await page.getByTestId('sync-status').filter({ hasText: expected }).waitFor();
    },
    /** The bar says the device hears others' changes as they happen. */
    async live() {
      await page.locator('[data-testid=live][data-live=true]').waitFor();
    },
    async notLive() {
      await page.locator('[data-testid=live][data-live=false]').waitFor();
    },
    async complete(text: string) {
      // A controlled checkbox follows the stored row a moment after the click.
      await page.getByLabel(`Done: ${text}`).click();
      await page.locator(`input[aria-label="Done: ${text}"]:checked`).waitFor();
    },
    waitForPending,
    async pendingCount(): Promise<number> {
      return Number(await pending.getAttribute('data-count'));
    },
    async jobTexts(): Promise<string[]> {
      return page.locator('li.todo .todo-text').allInnerTexts();
    },
    async jobId(text: string): Promise<string> {
      const id = await job(text).getAttribute('data-id');
      expect(id).toBeTruthy();
      return id as string;
    },
    async sync() {
      await page.getByRole('button', { name: 'Sync', exact: true }).click();
    },
  };

  async function waitForPending(count: number) {
    await page.locator(`[data-testid=pending-count][data-count="${count}"]`).waitFor();
  }
}

export type AppPage = ReturnType<typeof appPage>;
