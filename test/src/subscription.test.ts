import { createGateway, type SyncDatabase } from '@syncline/gateway';
import { exampleTables } from '@syncline/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, postgresKinds, type TestDatabase } from './support/databases';
import {
  startGateway,
  TEST_HEARTBEAT_MS,
  TEST_USER_HEADER,
  type TestGateway,
  useTestGateway,
} from './support/gateway-client';
import { push, todo } from './support/sync-calls';

/** Opens the `changes` subscription over server-sent events and reads its notices. */
async function subscribe(
  gateway: { fetch: TestGateway['yoga']['fetch'] },
  tables: string[] | null,
  user = 'alice',
) {
  const query = 'subscription($tables: [String!]) { changes(tables: $tables) { table cursor } }';
  const response = await gateway.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      [TEST_USER_HEADER]: user,
    },
    body: JSON.stringify({ query, variables: { tables } }),
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  return {
    /** The next notice, or the error the stream carried. */
    async next(): Promise<{
      data?: { changes: { table: string; cursor: string } };
      errors?: { message: string; extensions: object }[];
    }> {
      for (;;) {
        const event = buffered.match(/event: next\ndata: (.*)\n\n/);
        if (event?.[1]) {
          buffered = buffered.slice((event.index ?? 0) + event[0].length);
          return JSON.parse(event[1]);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the subscription ended');
        buffered += decoder.decode(value, { stream: true });
      }
    },
    close: () => reader.cancel(),
  };
}

/** Writes until a subscriber hears one: the LISTEN starts with the first subscription. */
async function writeUntilHeard<T>(write: (attempt: number) => Promise<unknown>, heard: Promise<T>) {
  let done = false;
  const result = heard.finally(() => {
    done = true;
  });
  for (let attempt = 0; !done && attempt < 200; attempt++) await write(attempt);
  return result;
}

describe.each(databaseKinds)('changes subscription on $name', (kind) => {
  const suite = useTestGateway(kind);

  it('sends a hint with the change position after a commit, never row data', async () => {
    const stream = await subscribe(suite.gateway.yoga, ['todoItem']);
    const notice = await writeUntilHeard(
      (i) => push(suite.gateway, [todo('INSERT', `s-${i}`, { data: { text: 'x' } })]),
      stream.next(),
    );
    expect(Object.keys(notice.data?.changes ?? {})).toEqual(['table', 'cursor']);
    expect(notice.data?.changes.table).toBe('todoItem');
    // The cursor is the change's position: pulling after it returns only later writes
    // (at most the one in flight when the hint arrived), never the first one.
    const page = await suite.gateway.data<{ pullTodoItems: { rows: { id: string }[] } }>(
      'query($after: Cursor) { pullTodoItems(after: $after) { rows { id } } }',
      { after: notice.data?.changes.cursor },
    );
    const later = page.pullTodoItems.rows.map((row) => row.id);
    expect(later.length).toBeLessThanOrEqual(1);
    expect(later).not.toContain('s-0');
    await stream.close();
  });

  it("tells only the owner about an owned table's changes, everyone about shared ones", async () => {
    const bob = await subscribe(suite.gateway.yoga, null, 'bob');
    const bobHeard = bob.next();
    // Alice's to-do is private to her; her command changes a shared vehicle model.
    await writeUntilHeard(
      (i) =>
        push(suite.gateway, [
          todo('INSERT', `private-${i}`, { data: { text: 'x' } }),
          {
            vehicleModelUpdate: {
              opId: `cmd-op-${i}`,
              kind: 'INSERT',
              id: `cmd-${i}`,
              data: { vehicleModelId: 'vm-man-tgx', accoladeCount: 1 },
            },
          },
        ]),
      bobHeard,
    );
    expect((await bobHeard).data?.changes.table).toBe('vehicleModel');
    await bob.close();
  });

  it('refuses unknown and write-only tables', async () => {
    const stream = await subscribe(suite.gateway.yoga, ['todoItem', 'vehicleModelUpdate']);
    const first = await stream.next().catch(() => undefined);
    const result = first ?? { errors: [] };
    expect(result.errors?.[0]).toMatchObject({
      message: 'tables[1]: "vehicleModelUpdate" is not a table that can be pulled',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});

describe.skipIf(postgresKinds.length === 0)('changes across gateway processes on postgres', () => {
  let db: TestDatabase;
  let other: SyncDatabase;
  beforeAll(async () => {
    db = await (postgresKinds[0] as NonNullable<(typeof postgresKinds)[0]>).create();
    other = await db.connectAgain();
  });
  afterAll(() => db.drop());

  it('a write through one gateway is heard by subscribers of another', async () => {
    const writer = await startGateway(db.database);
    const listener = createGateway({
      tables: exampleTables,
      database: other,
      authenticate: () => 'alice',
      heartbeatMs: TEST_HEARTBEAT_MS,
    });
    const stream = await subscribe(listener, ['todoItem']);
    const notice = await writeUntilHeard(
      (i) => push(writer, [todo('INSERT', `x-${i}`, { data: { text: 'from the other process' } })]),
      stream.next(),
    );
    expect(notice.data?.changes.table).toBe('todoItem');
    await stream.close();
    await listener.dispose();
  });
});
