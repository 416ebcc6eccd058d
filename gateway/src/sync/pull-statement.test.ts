import { todoItem, vehicleManufacturer } from '@syncline/schema';
import { fillPlaceholders } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { renderSql } from '../db/rendered-query';
import type { PullCursor } from './cursor';
import { type Where, whereToSql } from './filter';
import { jsonProjection, pullProjection } from './pull-projection';
import {
  FILTERED_FORMS_KEPT,
  type PullFilter,
  type PullQuery,
  type PullRequest,
  pullQuery,
  pullShape,
  pullStatement,
} from './pull-statement';
import type { Snapshot } from './snapshot';
import { type ServedTable, serveTables } from './tables';

const [owned, shared] = serveTables([todoItem, vehicleManufacturer]) as [ServedTable, ServedTable];

const snapshot = (xmin: bigint, xmax: bigint, xip: bigint[] = []): Snapshot => ({
  xmin,
  xmax,
  xip,
});

/** A pull of `served` (todo items, owned by their user, unless said). */
function request(
  userId: string,
  cursor: PullCursor,
  limit: number,
  served = owned,
  text?: string,
): PullRequest<unknown> {
  const where = text === undefined ? undefined : filterOf(served, { text: { eq: text } });
  return { served, projection: pullProjection(served), userId, cursor, limit, where };
}

/** A `where` input as a pull carries it, as pull-fields.ts makes it. */
function filterOf(served: ServedTable, input: Where): PullFilter {
  const condition = whereToSql(served, input);
  if (!condition) throw new Error('no condition');
  return { sql: condition, key: JSON.stringify(input) };
}

/** The parameters a pull sends: its statement's, its placeholders filled with its values. */
const parametersOf = ({ query, values }: PullQuery) => fillPlaceholders(query.params, values);

/** The same request's statement rendered for it alone: what a cached statement must equal. */
const renderedAlone = (pull: PullRequest<unknown>): PullQuery => ({
  query: renderSql(pullStatement(pull, pullShape(pull))),
  values: pullQuery(pull, pullShape(pull)).values,
});

describe('pullQuery', () => {
  it("renders a form's statement once, every page's values going in as parameters", () => {
    const first = request(
      'ann',
      {
        seen: snapshot(10n, 12n, [11n]),
        upto: snapshot(20n, 25n, [21n]),
        after: { txid: 13n, seq: 5n },
      },
      100,
    );
    const second = request(
      'bob',
      {
        seen: snapshot(30n, 31n),
        upto: snapshot(40n, 44n, [41n, 42n]),
        after: { txid: 33n, seq: 9n },
      },
      7,
    );
    const a = pullQuery(first, pullShape(first));
    const b = pullQuery(second, pullShape(second));
    expect(b.query).toBe(a.query);
    // No value of the first page stayed in the statement the second one reuses.
    expect(parametersOf(b)).toEqual(parametersOf(renderedAlone(second)));
    expect(parametersOf(b)).toEqual(expect.arrayContaining(['bob', '30:31:', '40:44:41,42']));
    expect(parametersOf(b)).toEqual(expect.arrayContaining(['33', '9', 7]));
    expect(parametersOf(b)).not.toContain('ann');
  });

  it('gives each form a statement of its own: a first pull, a later one, one that pages', () => {
    for (const table of [owned, shared]) {
      const first = request('ann', { seen: null, upto: null, after: null }, 100, table);
      const later = request(
        'ann',
        { seen: snapshot(10n, 12n), upto: null, after: null },
        100,
        table,
      );
      const paging = request(
        'ann',
        { seen: snapshot(10n, 12n), upto: snapshot(20n, 25n), after: { txid: 13n, seq: 5n } },
        100,
        table,
      );
      const pulls = [first, later, paging];
      const texts = pulls.map((pull) => pullQuery(pull, pullShape(pull)).query.sql);
      expect(new Set(texts).size).toBe(3);
      for (const pull of pulls) {
        expect(pullQuery(pull, pullShape(pull)).query.sql).toBe(renderedAlone(pull).query.sql);
      }
    }
  });

  it("renders a filter's statement once, and each filter's with its own values", () => {
    const cursor = { seen: snapshot(10n, 12n), upto: null, after: null };
    const milk = request('ann', cursor, 100, owned, 'milk');
    const eggs = request('ann', cursor, 100, owned, 'eggs');
    const a = pullQuery(milk, pullShape(milk));
    const b = pullQuery(eggs, pullShape(eggs));
    expect(b.query).not.toBe(a.query);
    expect(parametersOf(a)).toContain('milk');
    expect(parametersOf(b)).toContain('eggs');
    expect(parametersOf(b)).not.toContain('milk');
    // Another user's page of the same filter: the same statement, with that page's values.
    const later = {
      seen: snapshot(30n, 31n),
      upto: snapshot(40n, 44n),
      after: { txid: 33n, seq: 9n },
    };
    const bobsMilk = request('bob', later, 7, owned, 'milk');
    const again = pullQuery(bobsMilk, pullShape(bobsMilk));
    expect(pullQuery(request('bob', cursor, 7, owned, 'milk'), 'changes').query).toBe(a.query);
    expect(parametersOf(again)).toEqual(parametersOf(renderedAlone(bobsMilk)));
    expect(parametersOf(again)).not.toContain('ann');
    // The same filter in another projection (a selection of one field): its own statement.
    const selection = {
      ...milk,
      projection: jsonProjection(owned, [{ key: 't', column: 'text' }]),
    };
    const selected = pullQuery(selection, pullShape(selection));
    expect(selected.query.sql).toBe(renderedAlone(selection).query.sql);
    expect(selected.query.sql).not.toBe(a.query.sql);
  });

  it(`keeps the ${FILTERED_FORMS_KEPT} filters last used, the least recently used dropped`, () => {
    const cursor = { seen: snapshot(10n, 12n), upto: null, after: null };
    const pull = (text: string) => {
      const filtered = request('ann', cursor, 100, owned, text);
      return pullQuery(filtered, pullShape(filtered)).query;
    };
    const first = pull('filter 0');
    const second = pull('filter 1');
    for (let index = 2; index < FILTERED_FORMS_KEPT; index += 1) pull(`filter ${index}`);
    expect(pull('filter 0')).toBe(first); // used again: now the most recent
    pull('one filter too many');
    expect(pull('filter 0')).toBe(first);
    expect(pull('filter 1')).not.toBe(second); // the least recently used: dropped, rendered again
  });
});
