import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJwtAuthenticate } from '@syncline/gateway';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresKinds } from './support/databases';
import { startGatewayProcess } from './support/gateway-process';

const root = new URL('../..', import.meta.url).pathname;

/** The gateway process, with a small GraphQL client. */
async function startServer(env: Record<string, string>, port?: number) {
  const server = await startGatewayProcess(env, port);
  const graphql = async (query: string) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data: Record<string, { rows: Record<string, unknown>[] }> };
  };
  return { ...server, graphql };
}

describe('the gateway server', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('creates its PGlite folder, seeds it, serves GraphiQL offline, keeps data across restarts, stops on SIGTERM', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'syncline-server-'));
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    const first = await startServer({ SYNCLINE_DATA_DIR: dataDir });
    expect((await stat(dataDir)).isDirectory()).toBe(true);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);

    const page = await fetch(`${first.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).toContain('<title>Syncline</title>');
    expect(html).toContain('pullTodoItems');
    // Self-contained: no script or stylesheet from a CDN this machine cannot reach.
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);

    const seeded = await first.graphql('{ pullVehicleManufacturers(limit: 100) { rows { id } } }');
    expect(seeded.data.pullVehicleManufacturers?.rows).toHaveLength(6);
    await first.graphql(
      'mutation { insertTodoItem(input: { id: "kept", text: "survives a restart" }) { status } }',
    );
    expect(await first.stop()).toBe(0);

    const second = await startServer({ SYNCLINE_DATA_DIR: dataDir });
    const todos = await second.graphql('{ pullTodoItems { rows { id text } } }');
    expect(todos.data.pullTodoItems?.rows).toEqual([{ id: 'kept', text: 'survives a restart' }]);
    const again = await second.graphql('{ pullVehicleManufacturers(limit: 100) { rows { id } } }');
    expect(again.data.pullVehicleManufacturers?.rows).toHaveLength(6);
    expect(await second.stop()).toBe(0);
  });

  it.skipIf(postgresKinds.length === 0)(
    'runs on the Postgres server of DATABASE_URL, migrating it at start-up',
    async () => {
      const db = await (postgresKinds[0] as NonNullable<(typeof postgresKinds)[0]>).create();
      try {
        const server = await startServer({ DATABASE_URL: db.url as string });
        expect(server.output()).toContain('(Postgres)');
        const seeded = await server.graphql('{ pullVehicleModels(limit: 100) { rows { id } } }');
        expect(seeded.data.pullVehicleModels?.rows).toHaveLength(8);
        expect(await server.stop()).toBe(0);
      } finally {
        await db.drop();
      }
    },
  );

  it('refuses a bad configuration with a message naming the variable', async () => {
    await expect(
      startServer({ SYNCLINE_PULL_MAX_LIMIT: 'lots', SYNCLINE_DATA_DIR: 'memory:' }),
    ).rejects.toThrow('SYNCLINE_PULL_MAX_LIMIT must be a number of at least 1, got "lots"');
  });

  it('in production serves no GraphiQL, no introspection and no other origin, unless told to', async () => {
    const production = { NODE_ENV: 'production', SYNCLINE_DATA_DIR: 'memory:' };
    const app = 'https://app.example.com';
    const check = async (server: Awaited<ReturnType<typeof startServer>>) => {
      const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: app },
        body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
      });
      const result = (await response.json()) as { data?: unknown };
      const html = await page.text();
      await server.stop();
      return {
        graphiql: html.includes('<title>Syncline</title>'),
        introspection: result.data !== undefined,
        cors: response.headers.get('access-control-allow-origin'),
      };
    };
    expect(await check(await startServer(production))).toEqual({
      graphiql: false,
      introspection: false,
      cors: null,
    });
    const opened = await startServer({
      ...production,
      SYNCLINE_GRAPHIQL: 'true',
      SYNCLINE_INTROSPECTION: 'true',
      SYNCLINE_CORS_ORIGINS: app,
    });
    expect(await check(opened)).toEqual({ graphiql: true, introspection: true, cors: app });
  });

  it('verifies bearer tokens when SYNCLINE_JWT_SECRET is set, and says so', async () => {
    const secret = 'a-server-test-secret-long-enough-for-hs256';
    const server = await startServer({ SYNCLINE_DATA_DIR: 'memory:', SYNCLINE_JWT_SECRET: secret });
    try {
      expect(server.output()).toContain('bearer tokens are verified with an HS256 secret');
      expect(server.output()).not.toContain('no authentication is configured');
      const query = JSON.stringify({ query: '{ pullTodoItems { rows { id } } }' });
      const headers = { 'content-type': 'application/json' };
      const anonymous = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers,
        body: query,
      });
      expect(anonymous.status).toBe(401);
      const token = await new SignJWT({ sub: 'dana' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      const signed = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${token}` },
        body: query,
      });
      expect(signed.status).toBe(200);
      expect(await signed.json()).toEqual({ data: { pullTodoItems: { rows: [] } } });
    } finally {
      await server.stop();
    }
  });

  it('prints development tokens that the gateway accepts (pnpm dev-token)', async () => {
    const secret = 'a-server-test-secret-long-enough-for-hs256';
    const token = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        join(root, 'gateway/node_modules/.bin/tsx'),
        ['src/make-token.ts', 'erin'],
        {
          cwd: join(root, 'gateway'),
          env: { ...process.env, SYNCLINE_JWT_SECRET: secret, SYNCLINE_JWT_AUDIENCE: 'syncline' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) =>
        code === 0 ? resolve(output.trim()) : reject(new Error(`exit ${code}`)),
      );
    });
    const authenticate = createJwtAuthenticate({ secret, audience: 'syncline' });
    const request = new Request('http://x/graphql', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await authenticate(request)).toBe('erin');
  });

  it('refuses a secret too short to be safe', async () => {
    await expect(
      startServer({ SYNCLINE_JWT_SECRET: 'short', SYNCLINE_DATA_DIR: 'memory:' }),
    ).rejects.toThrow('SYNCLINE_JWT_SECRET must be at least 32 characters');
  });

  it('says so when its port is taken, instead of crashing', async () => {
    // Whatever connects to it waits for nothing; closing it ends those connections.
    const connections = new Set<Socket>();
    const taken = createServer((socket) => connections.add(socket));
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const { port } = taken.address() as { port: number };
    try {
      await expect(startServer({ SYNCLINE_DATA_DIR: 'memory:' }, port)).rejects.toThrow(
        `Configuration: PORT ${port} is already in use; set PORT to a free port`,
      );
    } finally {
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
