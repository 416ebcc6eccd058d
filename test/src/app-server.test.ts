import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, createHttpServer, MEMORY, openDatabase } from '@syncline/gateway';
import { exampleTables } from '@syncline/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The gateway serving a web app at `/` beside GraphQL, as `pnpm start` does with the demo. */
describe('createHttpServer: a web app beside the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncline-app-'));
  let close = async () => {};
  let origin = '';

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(dir, 'assets', 'main-abc123.js'), 'console.log(1)');
    const database = await openDatabase({ dataDir: MEMORY });
    const gateway = createGateway({ tables: exampleTables, database });
    const server = createHttpServer(gateway, { appDir: dir });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
      await database.close();
    };
  });
  afterAll(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for app routes, revalidated, with security headers', async () => {
    for (const path of ['/', '/jobs/42']) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>app</title>');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('caches hashed assets for good; a missing one is a 404, not the app', async () => {
    const asset = await fetch(`${origin}/assets/main-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${origin}/assets/gone-999.js`)).status).toBe(404);
  });

  it('leaves /graphql, /health and /ready to the gateway', async () => {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    const ready = await fetch(`${origin}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).not.toContain('<title>app</title>');
    const graphiql = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
    expect(await graphiql.text()).toContain('GraphiQL');
  });
});
