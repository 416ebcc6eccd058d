import { todoItem } from '@syncline/schema';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { FilterError, type Where, whereToSql } from './filter';
import { serveTables } from './tables';

const [served] = serveTables([todoItem]);
const dialect = new PgDialect();
const render = (where: Where) => {
  const condition = whereToSql(served as NonNullable<typeof served>, where);
  return condition ? dialect.sqlToQuery(condition) : undefined;
};

describe('whereToSql', () => {
  it('binds every value as a parameter', () => {
    const query = render({
      text: { contains: "'; drop table todo_item; --", eq: 'x' },
      complete: { ne: true },
    });
    expect(query?.params).toEqual(["'; drop table todo_item; --", 'x', true]);
    expect(query?.sql).not.toContain('drop');
    expect(query?.sql).toBe(
      '(strpos("todo_item"."text", $1) > 0 and "todo_item"."text" = $2 and "todo_item"."complete" is distinct from $3)',
    );
  });

  it('nests and/or, and treats an empty `in` as matching nothing', () => {
    const query = render({
      or: [{ id: { in: [] } }, { and: [{ version: { gte: 2 } }, { dueDate: { isNull: true } }] }],
    });
    expect(query?.sql).toBe(
      '(false or ("todo_item"."version" >= $1 and "todo_item"."due_date" is null))',
    );
  });

  it('ignores absent operators and says nothing for an empty filter', () => {
    expect(render({})).toBeUndefined();
    expect(render({ text: { eq: null } })).toBeUndefined();
  });

  it('names the field of a column that is not there', () => {
    expect(() => render({ or: [{ colour: { eq: 'red' } }] })).toThrow(
      new FilterError('where.or[0].colour', 'is not a column', 'BAD_USER_INPUT'),
    );
  });
});
