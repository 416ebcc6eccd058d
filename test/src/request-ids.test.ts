import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { TEST_USER_HEADER, useTestGateway } from './support/gateway-client';

const pglite = databaseKinds[0] as (typeof databaseKinds)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  [key: string]: unknown;
}

describe('request ids', () => {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  const suite = useTestGateway(pglite, { logger });
  const pull = (headers: Record<string, string> = {}) =>
    suite.gateway.request(JSON.stringify({ query: '{ pullTodoItems { rows { id } } }' }), {
      [TEST_USER_HEADER]: 'grace',
      ...headers,
    });
  const linesOf = (id: string) => lines.filter((line) => line.requestId === id);

  it('answers each request with a new id, and logs its answer with that id', async () => {
    const first = await pull();
    const second = await pull();
    const id = first.headers.get('x-request-id') as string;
    expect(id).toMatch(UUID);
    expect(second.headers.get('x-request-id')).not.toBe(id);
    expect(linesOf(id)).toEqual([
      expect.objectContaining({
        level: 30,
        msg: expect.stringMatching(/^pullTodoItems answered 200 in \d+ ms$/),
        operation: 'pullTodoItems',
        status: 200,
        userId: 'grace',
      }),
    ]);
  });

  it("keeps a proxy's id when it looks sane, and replaces one that does not", async () => {
    const kept = await pull({ 'x-request-id': 'lb-7f3a.42:edge' });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a.42:edge');
    expect(linesOf('lb-7f3a.42:edge')).toHaveLength(1);
    for (const insane of ['has spaces in it', 'a'.repeat(129), '{"json":true}']) {
      const replaced = await pull({ 'x-request-id': insane });
      expect(replaced.headers.get('x-request-id')).toMatch(UUID);
      expect(lines.some((line) => line.requestId === insane)).toBe(false);
    }
  });

  it('puts the id on the lines logged while the request runs: an unexpected error', async () => {
    const db = suite.db.database.db;
    await db.execute(`create or replace function syncline_ids_explode() returns trigger language plpgsql as
      $$ begin raise exception 'disk on fire'; end $$`);
    await db.execute(
      'create trigger ids_explode before insert on todo_item for each row execute function syncline_ids_explode()',
    );
    try {
      const response = await suite.gateway.request(
        JSON.stringify({ query: 'mutation { insertTodoItem(input: { text: "x" }) { status } }' }),
        { 'x-request-id': 'failing-request-1' },
      );
      expect(
        ((await response.json()) as { errors: { message: string }[] }).errors[0]?.message,
      ).toBe('Unexpected error.');
    } finally {
      await db.execute('drop trigger ids_explode on todo_item');
    }
    const logged = linesOf('failing-request-1');
    expect(logged.map((line) => line.msg)).toEqual([
      'unexpected error',
      expect.stringMatching(/^insertTodoItem answered 200 in \d+ ms$/),
    ]);
    expect(logged[0]?.level).toBe(50);
  });
});
