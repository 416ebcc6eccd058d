import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { TEST_USER_HEADER, useTestGateway } from './support/gateway-client';
import { newOpId, pullAll, pushRaw, todo } from './support/sync-calls';

/**
 * Inputs the fuzz run found answered with an unexpected error (or HTTP 500): each now gets
 * a clear refusal before anything runs, and nothing is written.
 */
describe.each(databaseKinds)('input the database or a library cannot take, on $name', (kind) => {
  const suite = useTestGateway(kind);

  async function post(body: string) {
    const response = await suite.gateway.request(body, { [TEST_USER_HEADER]: 'alice' });
    const json = (await response.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    return { status: response.status, error: json.errors?.[0], data: json.data };
  }

  it('refuses NUL characters and lone surrogates in variables, naming where', async () => {
    const lookup = await post(
      JSON.stringify({
        query: 'query($id: ID!) { todoItem(id: $id) { id } }',
        variables: { id: 'a\u0000b' },
      }),
    );
    expect(lookup).toMatchObject({
      status: 400,
      error: {
        extensions: { code: 'BAD_USER_INPUT' },
        message: expect.stringContaining('variables.id: strings must be valid Unicode'),
      },
    });
    const surrogate = await post(
      JSON.stringify({
        query: 'query($w: TodoItemWhere) { pullTodoItems(where: $w) { cursor } }',
        variables: { w: { text: { lt: 'x\udce9' } } },
      }),
    );
    expect(surrogate.error?.message).toContain('variables.w.text.lt');
  });

  it('refuses a whole push when one opId holds a NUL, writing nothing', async () => {
    const result = await pushRaw(suite.gateway, [
      todo('INSERT', 'nul-ok', { data: { text: 'fine' } }),
      { todoItem: { opId: 'bad\u0000op', kind: 'INSERT', id: 'nul-bad', data: { text: 'x' } } },
    ]);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toContain('variables.operations[1].todoItem.opId');
    expect((await pullAll(suite.gateway, 'pullTodoItems')).rows).toEqual([]);
  });

  it('refuses a NUL written inside the query text', async () => {
    const escaped = await post(JSON.stringify({ query: '{ todoItem(id: "a\\u0000") { id } }' }));
    const raw = await post(
      JSON.stringify({ query: '{ pullTodoItems(where: { text: { eq: "a\u0000" } }) { cursor } }' }),
    );
    for (const answer of [escaped, raw]) {
      expect(answer).toMatchObject({
        status: 400,
        error: { extensions: { code: 'BAD_USER_INPUT' } },
      });
    }
  });

  it('refuses variables nested deeper than graphql-js can coerce, with LIMIT_EXCEEDED', async () => {
    const deep = `${'{"and":['.repeat(1000)}{}${']}'.repeat(1000)}`;
    const body = `{"query":"query($w: TodoItemWhere) { pullTodoItems(where: $w) { cursor } }","variables":{"w":${deep}}}`;
    const answer = await post(body);
    expect(answer).toMatchObject({
      status: 400,
      error: {
        extensions: { code: 'LIMIT_EXCEEDED' },
        message: expect.stringContaining('nest deeper than 64 levels'),
      },
    });
  });

  it('answers a GET with parameters that are not JSON with 400, not 500', async () => {
    for (const parameter of ['variables=%7B', 'extensions=%5B']) {
      const response = await suite.gateway.yoga.fetch(
        `http://gateway.test/graphql?query=%7B__typename%7D&${parameter}`,
        { headers: { 'x-graphql-yoga-csrf': '1', [TEST_USER_HEADER]: 'alice' } },
      );
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('refuses a forged cursor beyond any real position', async () => {
    for (const text of [
      'c1:todoItem:0:9223372036854775808',
      'c1:todoItem:18446744073709551616:1',
    ]) {
      const cursor = Buffer.from(text).toString('base64url');
      const answer = await post(
        JSON.stringify({ query: `{ pullTodoItems(after: "${cursor}") { cursor } }` }),
      );
      expect(answer.error).toMatchObject({
        extensions: { code: 'BAD_USER_INPUT' },
        message: expect.stringContaining('is not a cursor returned by this gateway'),
      });
    }
  });

  it('refuses DateTimes outside the years 0001 to 9999, in filters and writes', async () => {
    for (const value of [
      '0000-01-01T00:00Z',
      '9999-12-31T23:59:59-14:00',
      '0001-01-01T00:00+14:00',
    ]) {
      const answer = await post(
        JSON.stringify({
          query: 'query($w: TodoItemWhere) { pullTodoItems(where: $w) { cursor } }',
          variables: { w: { dueDate: { in: [value] } } },
        }),
      );
      expect(answer.error?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(answer.error?.message).toContain('between the years 0001 and 9999');
    }
    const write = await pushRaw(suite.gateway, [
      {
        todoItem: {
          opId: newOpId(),
          kind: 'INSERT',
          id: 'year-zero',
          data: { text: 'x', dueDate: '0000-06-01T00:00Z' },
        },
      },
    ]);
    expect(write.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await pullAll(suite.gateway, 'pullTodoItems')).rows).toEqual([]);
  });
});
