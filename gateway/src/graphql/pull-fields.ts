import type { Db, ReadRows } from '../db/database';
import { decodePullCursor, encodePullCursor, type PullCursor } from '../sync/cursor';
import { FilterError, type Where, whereToSql } from '../sync/filter';
import type { JsonRows } from '../sync/json-rows';
import { publicRow } from '../sync/outcomes';
import { type PullFilter, type PullRequest, type PullSource, pullChanges } from '../sync/pull';
import { jsonProjection, type PullProjection, pullProjection } from '../sync/pull-projection';
import type { PullReadAhead } from '../sync/read-ahead';
import type { RowField } from '../sync/row-json';
import { ownedBy, selectRow } from '../sync/row-writes';
import type { Builder, GatewayContext } from './builder';
import { badInput, limitExceeded, syncError } from './errors';
import type { GatewayLimits } from './limits';
import type { PullPageValue, TableTypes } from './table-types';

/** A pull's arguments as GraphQL coerced them. */
export interface PullArgs {
  after?: string | null | undefined;
  limit?: number | null | undefined;
  /** `pull<Table>Pages` only: the pages asked for. */
  pages?: number | null | undefined;
  where?: unknown;
}

/**
 * A pull field's resolver, with the projection its rows are made by: `Row` objects for
 * GraphQL's execution, JSON text for a compiled pull (compiled-pulls.ts). It answers the
 * pages in order: one for `pull<Table>s`, up to `pages` for `pull<Table>Pages`.
 */
export type PullResolver = <TRows>(
  args: PullArgs,
  context: GatewayContext,
  projection: PullProjection<TRows>,
) => Promise<PullPageValue<TRows>[]>;

/** What a pull field keeps in its GraphQL extensions for the compiled path (compiled-pulls.ts). */
export interface PullFieldExtension {
  resolve: PullResolver;
  /** Rows as their JSON text, with these fields. */
  jsonRows(fields: readonly RowField[]): PullProjection<JsonRows>;
  /** Whether the field answers a list of pages (`pull<Table>Pages`) rather than one page. */
  list: boolean;
}

/** Where a pull field keeps its `PullFieldExtension`. */
export const PULL_FIELD = 'synclinePull';

export interface PullFieldParts {
  db: Db;
  /** How pulls read their statement's rows (`SyncDatabase.readRows`). */
  readRows: ReadRows;
  limits: GatewayLimits;
  /** Where pages are read ahead; none: each page is read when asked for. */
  readAhead?: PullReadAhead | undefined;
  /** Hears the rows each pull answers. */
  pulled?(table: string, rows: number): void;
}

/**
 * `pull<Table>s(after, limit, where)`, `pull<Table>Pages(after, limit, pages, where)` and
 * the `<table>(id)` lookup.
 */
export function addPullFields(builder: Builder, types: TableTypes, parts: PullFieldParts) {
  const { db, limits, readAhead } = parts;
  const source: PullSource = { db, readRows: parts.readRows };
  const { served, page, row, where } = types;
  const { names } = served;
  async function resolvePull<TRows>(
    args: PullArgs,
    context: GatewayContext,
    projection: PullProjection<TRows>,
  ): Promise<PullPageValue<TRows>[]> {
    const limit = args.limit ?? limits.pullDefault;
    if (limit < 1) throw badInput('limit', `must be at least 1, got ${limit}`);
    if (limit > limits.pullMax)
      throw limitExceeded('limit', `at most ${limits.pullMax} rows a page, got ${limit}`);
    const pages = args.pages ?? limits.pullMaxPages;
    if (pages < 1) throw badInput('pages', `must be at least 1, got ${pages}`);
    let cursor: PullCursor = { seen: null, upto: null, after: null };
    if (args.after != null) {
      const decoded = decodePullCursor(served.info.name, args.after);
      if (!decoded.ok) throw badInput('after', decoded.reason);
      cursor = decoded.cursor;
    }
    const request: PullRequest<TRows> = {
      served,
      projection,
      userId: context.userId,
      cursor,
      limit,
      // Asked for more pages than it answers, the gateway answers fewer: the last has more.
      pages: Math.min(pages, limits.pullMaxPages),
      where: args.where ? pullFilter(types, args.where as Where) : undefined,
    };
    const result = readAhead
      ? await readAhead.pull(source, request)
      : await pullChanges(source, request);
    if (result.status === 'expired') {
      const message = `after: the cursor is older than the tombstone horizon of ${served.info.name}; pull again from the start`;
      throw syncError('CURSOR_EXPIRED', message, 'after');
    }
    return result.pages.map(({ rows, rowCount, cursor: next, hasMore, movedOut }) => {
      parts.pulled?.(served.info.name, rowCount);
      return { rows, cursor: encodePullCursor(served.info.name, next), hasMore, movedOut };
    });
  }
  const resolvePages: PullResolver = resolvePull;
  // `pull<Table>s` answers one page, whatever its arguments say.
  const resolvePage: PullResolver = (args, context, projection) =>
    resolvePull({ ...args, pages: 1 }, context, projection);
  const pullArgs = builder.args((t) => ({
    after: t.field({
      type: 'Cursor',
      description: 'The cursor of the previous pull; none: from the start.',
    }),
    limit: t.int({
      description: `Rows per page: default ${limits.pullDefault}, at most ${limits.pullMax}.`,
    }),
    where: t.field({ type: where }),
  }));
  const jsonRows = (fields: readonly RowField[]) => jsonProjection(served, fields);
  builder.queryField(names.pull, (t) =>
    t.field({
      type: page,
      description: `The ${served.info.name} rows changed after \`after\`, tombstones included, in change order, and the ids of those that left this query (\`movedOut\`).`,
      args: pullArgs,
      // The same functions for the compiled path (see compiled-pulls.ts).
      extensions: {
        [PULL_FIELD]: { resolve: resolvePage, jsonRows, list: false } satisfies PullFieldExtension,
      },
      resolve: async (_root, args, context) => {
        const [only] = await resolvePage(args, context, pullProjection(served));
        if (!only) throw new Error('pull: an answer without a page');
        return only;
      },
    }),
  );
  builder.queryField(names.pullPages, (t) =>
    t.field({
      type: [page],
      description: `As \`${names.pull}\`, several pages in one answer: each page the one \`${names.pull}\` would give with the cursor of the page before it. The pages stop at the first without more.`,
      args: {
        ...pullArgs,
        pages: t.arg.int({
          description: `Pages at most: default and most ${limits.pullMaxPages} (asked for more, the gateway answers ${limits.pullMaxPages}; the last page then has more).`,
        }),
      },
      extensions: {
        [PULL_FIELD]: { resolve: resolvePages, jsonRows, list: true } satisfies PullFieldExtension,
      },
      resolve: (_root, args, context) => resolvePages(args, context, pullProjection(served)),
    }),
  );
  builder.queryField(names.lookup, (t) =>
    t.field({
      type: row,
      nullable: true,
      description: `One ${served.info.name} by id, a tombstone included; null when there is none.`,
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, args, context) => {
        const found = await selectRow(db, served, args.id, ownedBy(served, context.userId));
        return found && publicRow(served, found);
      },
    }),
  );
}

/** The condition of a `where` input, known by the input itself (see `pullQuery`). */
function pullFilter(types: TableTypes, where: Where): PullFilter | undefined {
  try {
    const condition = whereToSql(types.served, where);
    return condition && { sql: condition, key: JSON.stringify(where) };
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    throw error.code === 'LIMIT_EXCEEDED'
      ? limitExceeded(error.path, error.problem)
      : badInput(error.path, error.problem);
  }
}
