import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, createHttpServer, createJwtAuthenticate } from '@syncline/gateway';
import { seedExampleData } from '@syncline/gateway/example';
import { exampleTables } from '@syncline/schema';
import { SignJWT } from 'jose';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { databaseKinds, type TestDatabase } from './databases';

const DEMO_DIR = fileURLToPath(new URL('../../../demo', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/screenshots', import.meta.url));
const SECRET = 'browser-tests-secret-of-at-least-32-characters';

/** The flags this machine's Chromium needs: no sandbox as root, no calls to Google's hosts. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The database the browser suites run on: the Postgres server when there is one, else PGlite. */
const kind = databaseKinds.at(-1) ?? databaseKinds[0];

/** Builds the demo as `pnpm start` does: a production build (Vitest's NODE_ENV is `test`). */
async function buildDemo(outDir: string) {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: DEMO_DIR,
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

export interface AppWindow {
  context: BrowserContext;
  page: Page;
}

/**
 * The demo app as a user gets it: built with Vite, served by the gateway (JWT auth on) over
 * HTTP, opened in Debian's Chromium. Every page a test opens is photographed after the
 * test, passed or failed, into test-results/screenshots.
 */
export function useBrowserApp(suite: string) {
  let browser: Browser | undefined;
  let db: TestDatabase | undefined;
  let server: ReturnType<typeof createHttpServer> | undefined;
  let gateway: ReturnType<typeof createGateway> | undefined;
  let appDir = '';
  let origin = '';
  const windows: AppWindow[] = [];

  beforeAll(async () => {
    if (!kind) throw new Error('no database kind');
    appDir = mkdtempSync(join(tmpdir(), 'syncline-demo-'));
    await buildDemo(appDir);
    db = await kind.create();
    await seedExampleData(db.database.db);
    gateway = createGateway({
      tables: exampleTables,
      database: db.database,
      authenticate: createJwtAuthenticate({ secret: SECRET }),
    });
    server = createHttpServer(gateway, { appDir });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Only this run's pictures: an earlier run's failure must not look like this one's.
    for (const file of readdirSync(SCREENSHOTS)) {
      if (file.startsWith(`${suite}-`)) rmSync(join(SCREENSHOTS, file));
    }
  });

  afterEach(async (context) => {
    const name = `${suite}-${context.task.name}`.replace(/[^\w-]+/g, '-').slice(0, 100);
    const state = context.task.result?.state === 'fail' ? '-FAILED' : '';
    for (const [i, window] of windows.splice(0).entries()) {
      const path = join(SCREENSHOTS, `${name}-${i + 1}${state}.png`);
      await window.page.screenshot({ path, fullPage: true }).catch(() => undefined);
      await window.context.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await gateway?.dispose();
    await db?.drop();
    if (appDir) rmSync(appDir, { recursive: true, force: true });
  });

  async function tokenFor(user: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
  }

  /** A new browser profile (its own IndexedDB) with the app open, signed in as `user` if given. */
  async function open(user?: string): Promise<AppWindow> {
    if (!browser) throw new Error('useBrowserApp: only inside tests');
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    const page = await context.newPage();
    // Shorter than the test's own timeout, so that a wait that fails says what it waited for.
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => console.error(`[${suite}] page error:`, error));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        console.error(`[${suite}] console ${message.type()}: ${message.text()}`);
      }
    });
    windows.push({ context, page });
    const hash = user ? `#token=${await tokenFor(user)}` : '';
    await page.goto(`${origin}/${hash}`);
    return { context, page };
  }

  /** GraphQL as `user`, straight to the gateway: what the server holds. */
  async function serverData<T>(user: string, query: string, variables = {}): Promise<T> {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await tokenFor(user)}`,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }

  /** A named picture of a moment in a test, e.g. a dialog, beside the after-test ones. */
  async function screenshot(page: Page, name: string) {
    await page.screenshot({ path: join(SCREENSHOTS, `${suite}-${name}.png`) });
  }

  return {
    open,
    tokenFor,
    screenshot,
    serverData,
    get origin() {
      return origin;
    },
  };
}

export type BrowserApp = ReturnType<typeof useBrowserApp>;

/** A fresh user per test, so tests never see each other's jobs. */
export const newUser = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;
