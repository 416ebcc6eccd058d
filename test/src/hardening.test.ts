import { DEFAULT_LIMITS } from '@syncline/gateway';
import { CSRF_HEADER } from '@syncline/schema';
import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { type GraphQLResponse, type TestGateway, useTestGateway } from './support/gateway-client';
import { pullAll } from './support/sync-calls';
import { openTestClient, TestNetwork } from './support/sync-client';

const pglite = databaseKinds[0] as (typeof databaseKinds)[number];
const ENDPOINT = 'http://gateway.test/graphql';
const ids = (rows: Record<string, unknown>[]) => rows.map((row) => row.id);

/** `... on TodoItem { ... }` nested `levels` times around `inner`. */
const nested = (levels: number, inner: string): string =>
  levels === 0 ? inner : `... on TodoItem { ${nested(levels - 1, inner)} }`;

/** A request as a GraphQL-over-HTTP client sends it, so that a refusal answers 400, not 200. */
async function ask(gateway: TestGateway, query: string) {
  const accept = 'application/graphql-response+json';
  const response = await gateway.request(JSON.stringify({ query }), { accept });
  const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
  return { status: response.status, ...body };
}

async function expectLimit(gateway: TestGateway, query: string, message: string) {
  const result = await ask(gateway, query);
  expect(result.status).toBe(400);
  expect(result.data ?? null).toBeNull();
  expect(result.errors).toEqual([
    expect.objectContaining({ message, extensions: { code: 'LIMIT_EXCEEDED' } }),
  ]);
}

describe.each(databaseKinds)('query limits on $name', (kind) => {
  const suite = useTestGateway(kind);

  it('refuses a document nested deeper than maxDepth', async () => {
    const deep = `{ pullTodoItems { rows { ${nested(6, 'id')} } } }`;
    await expectLimit(suite.gateway, deep, 'query: the depth limit is 7, got 9');
  });

  it('refuses more aliases than maxAliases and runs none of the mutations', async () => {
    const inserts = Array.from(
      { length: 11 },
      (_, i) => `a${i}: insertTodoItem(input: { id: "alias-${i}", text: "x" }) { status }`,
    );
    await expectLimit(
      suite.gateway,
      `mutation { ${inserts.join(' ')} }`,
      'query: the aliases limit is 10, got 11',
    );
    expect((await pullAll(suite.gateway, 'pullTodoItems')).rows).toEqual([]);
  });

  it('refuses a document that costs more than maxCost', async () => {
    const wide = `{ pullTodoItems { rows { ${nested(4, 'id '.repeat(500))} } } }`;
    await expectLimit(suite.gateway, wide, 'query: the cost limit is 5000, got 5736.875');
  });

  it('refuses a document of more than maxTokens tokens while parsing it', async () => {
    const long = `{ pullTodoItems { rows { ${'id '.repeat(DEFAULT_LIMITS.maxTokens)} } } }`;
    await expectLimit(
      suite.gateway,
      long,
      'query: the tokens limit is 2000, the document has more',
    );
  });

  it('refuses more directives than maxDirectives', async () => {
    const fields = 'id @include(if: true) '.repeat(21);
    await expectLimit(
      suite.gateway,
      `{ pullTodoItems { rows { ${fields} } } }`,
      'query: the directives limit is 20, got 21',
    );
  });

  it("passes the client's own pushes and pulls, and GraphiQL's schema query", async () => {
    const network = new TestNetwork(suite.gateway);
    const methods: string[] = [];
    const client = await openTestClient({
      network,
      fetch: (input, init) => {
        methods.push(init?.method ?? 'GET');
        return network.fetch(input, init);
      },
    });
    await client.table('todoItem').insert({ id: 'legit', text: 'pushed by the client' });
    expect((await client.push()).status).toBe('complete');
    expect((await client.table('vehicleModel').pull('all')).status).toBe('complete');
    expect(await client.table('vehicleModel').get('vm-volvo-fh16')).toBeDefined();
    // urql sends pulls as GET: they pass CSRF prevention with the client's header.
    expect(methods).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(ids((await pullAll(suite.gateway, 'pullTodoItems')).rows)).toEqual(['legit']);

    const schemaQuery = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const introspection = await suite.gateway.graphql<{ __schema: { types: unknown[] } }>(
      schemaQuery,
    );
    expect(introspection.errors).toBeUndefined();
    expect(introspection.data?.__schema.types.length).toBeGreaterThan(10);
  });
});

describe('query limits are options', () => {
  const suite = useTestGateway(pglite, { limits: { maxDepth: 2, maxAliases: 0 } });

  it('applies the limits given to createGateway', async () => {
    await expectLimit(
      suite.gateway,
      '{ pullTodoItems { cursor rows { id } } }',
      'query: the depth limit is 2, got 3',
    );
    await expectLimit(
      suite.gateway,
      '{ page: pullTodoItems { cursor } }',
      'query: the aliases limit is 0, got 1',
    );
    expect((await suite.gateway.graphql('{ pullTodoItems { cursor } }')).errors).toBeUndefined();
  });
});

describe('field suggestions', () => {
  const closed = useTestGateway(pglite, { introspection: false });
  const open = useTestGateway(pglite);
  const typo = '{ pullTodoItem { cursor } }';
  const badOperation = {
    query: 'mutation($o: [PushOperation!]!) { push(operations: $o) { status } }',
    variables: { o: [{ todoItm: { opId: 'o', kind: 'INSERTT', id: 'x' } }] },
  };

  it('are left out of every message when introspection is off', async () => {
    const result = await closed.gateway.graphql(typo);
    expect(result.errors?.[0]?.message).toBe('Cannot query field "pullTodoItem" on type "Query".');
    const response = await closed.gateway.request(JSON.stringify(badOperation));
    const body = await response.text();
    expect(body).toContain('\\"todoItm\\" is not defined by type \\"PushOperation\\"');
    expect(body).not.toMatch(/Did you mean|"todoItem"/);
  });

  it('are kept while introspection is on: the schema is public then', async () => {
    const result = await open.gateway.graphql(typo);
    expect(result.errors?.[0]?.message).toContain('Did you mean "pullTodoItems"');
  });
});

describe.each(databaseKinds)('CSRF prevention on $name', (kind) => {
  const suite = useTestGateway(kind);
  const insert = (id: string) =>
    `mutation { insertTodoItem(input: { id: "${id}", text: "forged" }) { status } }`;
  const send = (init: RequestInit) => suite.gateway.yoga.fetch(ENDPOINT, init);
  const lookup = async (id: string) =>
    (await suite.gateway.data<{ todoItem: unknown }>(`{ todoItem(id: "${id}") { id } }`)).todoItem;

  it('refuses a form post without the header, and writes nothing', async () => {
    const form = () => new URLSearchParams({ query: insert('by-form') });
    const forged = await send({ method: 'POST', body: form() });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('CSRF');
    expect(await lookup('by-form')).toBeNull();
    // The same request from a program, with the header, is a normal request.
    const sent = await send({ method: 'POST', body: form(), headers: { [CSRF_HEADER]: '1' } });
    expect(sent.status).toBe(200);
    expect(await lookup('by-form')).toEqual({ id: 'by-form' });
  });

  it('refuses multipart and text/plain posts without the header', async () => {
    const multipart = new FormData();
    multipart.set('operations', JSON.stringify({ query: insert('by-multipart') }));
    multipart.set('map', '{}');
    expect((await send({ method: 'POST', body: multipart })).status).toBe(403);
    const text = await send({
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: insert('by-text') }),
    });
    expect(text.status).toBe(403);
    expect(await lookup('by-multipart')).toBeNull();
    expect(await lookup('by-text')).toBeNull();
  });

  it('needs the header on GET, also for the changes subscription over SSE', async () => {
    const query = (q: string) => `${ENDPOINT}?query=${encodeURIComponent(q)}`;
    expect((await suite.gateway.yoga.fetch(query('{ __typename }'))).status).toBe(403);
    const get = await suite.gateway.yoga.fetch(query('{ __typename }'), {
      headers: { [CSRF_HEADER]: '1' },
    });
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });

    const changes = query('subscription { changes { table } }');
    const sse = { accept: 'text/event-stream' };
    expect((await suite.gateway.yoga.fetch(changes, { headers: sse })).status).toBe(403);
    const stream = await suite.gateway.yoga.fetch(changes, {
      headers: { ...sse, [CSRF_HEADER]: '1' },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(':\n\n');
    await reader.cancel();
  });
});

describe('CORS', () => {
  const app = 'https://app.example.com';
  const listed = useTestGateway(pglite, { corsOrigins: [app, 'http://localhost:5173'] });
  const sameOrigin = useTestGateway(pglite);
  const anyOrigin = useTestGateway(pglite, { corsOrigins: '*' });
  const preflight = (gateway: TestGateway, origin: string) =>
    gateway.yoga.fetch(ENDPOINT, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
  const post = (gateway: TestGateway, origin: string) =>
    gateway.request(JSON.stringify({ query: '{ __typename }' }), { origin });
  const allowedOrigin = (response: Response) => response.headers.get('access-control-allow-origin');

  it('answers a listed origin on the preflight and on the request', async () => {
    const answer = await preflight(listed.gateway, app);
    expect(answer.status).toBe(204);
    expect(allowedOrigin(answer)).toBe(app);
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(answer.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    // Bearer tokens, never cookies: credentials are not allowed cross-origin.
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    const response = await post(listed.gateway, app);
    expect(allowedOrigin(response)).toBe(app);
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('gives no CORS header to an origin that is not listed, nor to the "null" origin', async () => {
    for (const origin of ['https://evil.example.com', 'null', `${app}.evil.example.com`]) {
      expect(allowedOrigin(await preflight(listed.gateway, origin))).toBeNull();
      expect(allowedOrigin(await post(listed.gateway, origin))).toBeNull();
    }
  });

  it('allows no other origin by default, and any origin with "*"', async () => {
    expect(allowedOrigin(await preflight(sameOrigin.gateway, app))).toBeNull();
    expect(allowedOrigin(await post(sameOrigin.gateway, app))).toBeNull();
    expect(allowedOrigin(await preflight(anyOrigin.gateway, app))).toBe(app);
    expect(allowedOrigin(await post(anyOrigin.gateway, 'http://localhost:3000'))).toBe(
      'http://localhost:3000',
    );
  });
});

describe('production settings', () => {
  const closed = useTestGateway(pglite, { introspection: false, graphiql: false });
  const reopened = useTestGateway(pglite, { introspection: true, graphiql: true });
  const page = (gateway: TestGateway) =>
    gateway.yoga.fetch(ENDPOINT, { headers: { accept: 'text/html' } });
  const schemaQuery = getIntrospectionQuery();

  it('refuses introspection, but not __typename', async () => {
    const result = await ask(closed.gateway, schemaQuery);
    expect(result.status).toBe(400);
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.message).toContain('introspection has been disabled');
    const type = await closed.gateway.graphql('{ __type(name: "TodoItem") { name } }');
    expect(type.errors?.[0]?.message).toContain('introspection has been disabled');
    expect(await closed.gateway.data('{ __typename }')).toEqual({ __typename: 'Query' });
  });

  it('does not serve GraphiQL', async () => {
    const response = await page(closed.gateway);
    // Not Acceptable: without GraphiQL, the endpoint answers GraphQL only.
    expect(response.status).toBe(406);
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toContain('<title>Syncline</title>');
  });

  it('serves both again when the options turn them on', async () => {
    const result = await reopened.gateway.graphql<{ __schema: object }>(schemaQuery);
    expect(result.data?.__schema).toBeDefined();
    const response = await page(reopened.gateway);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('<title>Syncline</title>');
    // GraphiQL sends the CSRF header itself, so that every request it makes gets through.
    expect(html).toContain(CSRF_HEADER);
  });
});
