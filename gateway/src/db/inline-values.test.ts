import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { inlineValues } from './inline-values';

const render = (statement: ReturnType<typeof sql>) => new PgDialect().sqlToQuery(statement);

describe('inlineValues', () => {
  it('writes each value in as the literal of the text node-postgres would send', () => {
    const query = render(
      sql`select ${sql.placeholder('a')}::text, ${sql.placeholder('b')}::int + ${7}, ${sql.placeholder('c')}, ${sql.placeholder('d')}`,
    );
    expect(inlineValues(query, { a: "it's", b: 5, c: null, d: true })).toBe(
      `select 'it''s'::text, '5'::int + '7', null, 'true'`,
    );
    expect(inlineValues(query, { a: 'back\\slash', b: 10n, c: 'x', d: false })).toBe(
      `select  E'back\\\\slash'::text, '10'::int + '7', 'x', 'false'`,
    );
  });

  it('leaves quoted text alone, dollars and all', () => {
    const query = render(
      sql`select '$1 it''s', "col$1", ${sql.placeholder('a')} from "t$2" where x = ${'$3'}`,
    );
    expect(inlineValues(query, { a: '$2' })).toBe(
      `select '$1 it''s', "col$1", '$2' from "t$2" where x = '$3'`,
    );
  });

  it('gives up on values that are not text, numbers or booleans, and on quoting it does not read', () => {
    const query = render(sql`select ${sql.placeholder('a')}`);
    expect(inlineValues(query, { a: new Date(0) })).toBeUndefined();
    expect(inlineValues(query, { a: [1, 2] })).toBeUndefined();
    expect(inlineValues(render(sql`select E'a\\'b', ${1}`), {})).toBeUndefined();
    expect(inlineValues(render(sql`select $$a$$, ${1}`), {})).toBeUndefined();
  });
});
