import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { startGateway, useTestGateway } from './support/gateway-client';
import { pullAll, push, pushRaw, todo } from './support/sync-calls';

/** Looks for what must never reach a client: SQL, stack frames, driver internals. */
function expectNothingLeaked(body: string) {
  expect(body).not.toMatch(
    /\bselect\b|\binsert into\b|\bupdate\b.*\bset\b|todo_item|syncline_outcome/i,
  );
  expect(body).not.toMatch(/at .*\.(ts|js):\d+|node_modules|stack/i);
}

describe.each(databaseKinds)('request errors on $name', (kind) => {
  const suite = useTestGateway(kind, { limits: { maxBodyBytes: 10_000 } });

  it('refuses an oversized body with LIMIT_EXCEEDED, writing nothing', async () => {
    const operations = [todo('INSERT', 'big', { data: { text: 'x'.repeat(20_000) } })];
    const body = JSON.stringify({
      query: 'mutation($o: [PushOperation!]!) { push(operations: $o) { status } }',
      variables: { o: operations },
    });
    const response = await suite.gateway.request(body);
    expect(response.status).toBe(413);
    const result = (await response.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(result.errors[0]).toMatchObject({
      message: 'request: the body is over the limit of 10000 bytes',
      extensions: { code: 'LIMIT_EXCEEDED' },
    });
    expect((await pullAll(suite.gateway, 'pullTodoItems')).rows).toEqual([]);
  });

  it('counts the bytes of a body sent without Content-Length', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(4_000));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }"}'));
        controller.close();
      },
    });
    const response = await suite.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it.each([
    ['malformed JSON', '{"query": "{ pullTodoItems { cursor } "'],
    ['a body that is not an object', '42'],
    ['a syntax error', JSON.stringify({ query: '{ pullTodoItems(' })],
    ['an unknown field', JSON.stringify({ query: '{ dropEverything }' })],
    [
      'a wrong variable type',
      JSON.stringify({
        query: 'query($l: Int) { pullTodoItems(limit: $l) { cursor } }',
        variables: { l: 'ten' },
      }),
    ],
    ['no query at all', JSON.stringify({ variables: {} })],
  ])('answers %s with a 4xx and a BAD_USER_INPUT code', async (_label, body) => {
    const response = await suite.gateway.request(body);
    const text = await response.text();
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(500);
    const result = JSON.parse(text) as { errors: { extensions: { code: string } }[] };
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expectNothingLeaked(text);
  });

  it('answers /health for load balancers', async () => {
    const response = await suite.gateway.yoga.fetch('http://gateway.test/health');
    expect(response.status).toBe(200);
  });
});

describe.each(databaseKinds)('unexpected failures on $name', (kind) => {
  it('masks a database outage: INTERNAL_SERVER_ERROR, logged, no SQL in the answer', async () => {
    const db = await kind.create();
    const logged: unknown[] = [];
    const logger = {
      error: (...args: unknown[]) => logged.push(args),
      warn() {},
      info() {},
      debug() {},
      // Each request's lines come from a child carrying its id.
      child: () => logger,
    };
    const gateway = await startGateway(db.database, { logger: logger as never });
    await push(gateway, [todo('INSERT', 'kept', { data: { text: 'before the outage' } })]);
    // The database goes away under the gateway.
    await db.database.close();
    const response = await gateway.request(
      JSON.stringify({
        query: 'mutation($o: [PushOperation!]!) { push(operations: $o) { status } }',
        variables: { o: [todo('INSERT', 'lost', { data: { text: 'during the outage' } })] },
      }),
    );
    const text = await response.text();
    expect(response.status).toBeLessThan(500);
    const result = JSON.parse(text) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(result.errors[0]).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expectNothingLeaked(text);
    expect(logged.length).toBeGreaterThan(0);
    await db.drop().catch(() => undefined);
  });

  it('answers /ready with 200 while the database answers, 503 and a reason once it is gone', async () => {
    const db = await kind.create();
    const gateway = await startGateway(db.database);
    const ready = () => gateway.yoga.fetch('http://gateway.test/ready');
    expect((await ready()).status).toBe(200);
    await db.database.close();
    const response = await ready();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ready: false, reason: 'the database is unreachable' });
    // Liveness is another question: the process is still up.
    expect((await gateway.yoga.fetch('http://gateway.test/health')).status).toBe(200);
    await db.drop().catch(() => undefined);
  });

  it('rolls back the whole batch when an operation fails for a reason that is not its data', async () => {
    const db = await kind.create();
    const gateway = await startGateway(db.database);
    // A server-side fault inside the command hook's write, as a broken trigger would cause.
    await db.database.db.execute(`create function syncline_test_fault() returns trigger language plpgsql as
      $$ begin raise exception 'maintenance in progress'; end $$`);
    await db.database.db.execute(
      'create trigger fault before update on vehicle_model for each row execute function syncline_test_fault()',
    );
    const result = await pushRaw(gateway, [
      todo('INSERT', 'first-of-batch', { data: { text: 'would be half a batch' } }),
      {
        vehicleModelUpdate: {
          opId: 'cmd-fault',
          kind: 'INSERT',
          id: 'cmd-fault',
          data: { vehicleModelId: 'vm-man-tgx', accoladeCount: 1 },
        },
      },
    ]);
    expect(result.errors?.[0]).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(result)).not.toContain('maintenance');
    const { rows } = await pullAll(gateway, 'pullTodoItems', null, { fields: 'id' });
    expect(rows).toEqual([]);
    await db.drop();
  });
});
