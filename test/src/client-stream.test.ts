import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, MEMORY, openDatabase, type SyncDatabase } from '@syncline/gateway';
import { exampleMigrations } from '@syncline/gateway/example';
import { exampleTables } from '@syncline/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestClient, type TestNetwork } from './support/sync-client';

/**
 * The client's pull over a real HTTP connection, as in a browser: its rows come streamed,
 * in parts (`multipart/mixed`), which urql reads as they arrive. (The other client tests
 * call the gateway in-process, where a body is never still on its way.)
 */
describe('client: pulls streamed over HTTP', () => {
  let database: SyncDatabase;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    database = await openDatabase({ dataDir: MEMORY });
    await database.migrate(exampleMigrations);
    const gateway = createGateway({ tables: exampleTables, database, authenticate: () => 'ann' });
    server = createServer((request, response) => void gateway(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await database.close();
  });

  it('takes in every row, whole, and leaves no request to fail after its answer', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const types: string[] = [];
    const network = { fetch } as unknown as TestNetwork;
    const client = await openTestClient({
      network,
      url,
      pageSize: 7,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (String(input).includes('SynclinePull'))
          types.push(response.headers.get('content-type') ?? '');
        return response;
      },
    });
    try {
      const todos = client.table('todoItem');
      const texts: string[] = [];
      for (let round = 0; round < 20; round++) {
        texts.push(`job ${round} ${'with a longer text '.repeat(round * 60)}`);
        await todos.insert({ text: texts.at(-1) as string });
        expect(await client.push()).toMatchObject({ status: 'complete' });
        expect(await todos.pull(null)).toEqual({ status: 'complete', pulled: round + 1 });
      }
      expect((await todos.find()).map((row) => row.text).sort()).toEqual([...texts].sort());
      // Aborting a request whose answer had come rejected a read nobody awaited: each of
      // those pulls left one, reported while the next ones ran.
      expect(rejections.map(String)).toEqual([]);
      // Small answers came whole; from 128 kB of rows on (216 kB at the end), in parts.
      expect(types[0]).toBe('application/graphql-response+json; charset=utf-8');
      expect(types.at(-1)).toBe('multipart/mixed; boundary="-"');
    } finally {
      client.close();
      process.off('unhandledRejection', onRejection);
    }
  });
});
