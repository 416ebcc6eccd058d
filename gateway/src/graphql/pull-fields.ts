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
  where?: unknown;
}

/**
 * A pull field's resolver, with the projection its rows are made by: `Row` objects for
 * GraphQL's execution, JSON text for a compiled pull (compiled-pulls.ts).
 */
export type PullResolver = <TRows>(
  args: PullArgs,
  context: GatewayContext,
  projection: PullProjection<TRows>,
) => Promise<PullPageValue<TRows>>;

/** What a pull field keeps in its GraphQL extensions for the compiled path (compiled-pulls.ts). */
export interface PullFieldExtension {
  resolve: PullResolver;
  /** Rows as their JSON text, with these fields. */
  jsonRows(fields: readonly RowField[]): PullProjection<JsonRows>;
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

/** `pull<Table>s(after, limit, where)` and the `<table>(id)` lookup. */
export function addPullFields(builder: Builder, types: TableTypes, parts: PullFieldParts) {
  const { db, limits, readAhead } = parts;
  const source: PullSource = { db, readRows: parts.readRows };
  const { served, page, row, where } = types;
  const { names } = served;
  async function resolvePull<TRows>(
    args: PullArgs,
    context: GatewayContext,
    projection: PullProjection<TRows>,
  ): Promise<PullPageValue<TRows>> {
    const limit = args.limit ?? limits.pullDefault;
    if (limit < 1) throw badInput('limit', `must be at least 1, got ${limit}`);
    if (limit > limits.pullMax)
      throw limitExceeded('limit', `at most ${limits.pullMax} rows a page, got ${limit}`);
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
      where: args.where ? pullFilter(types, args.where as Where) : undefined,
    };
    const result = readAhead
      ? await readAhead.pull(source, request)
      : await pullChanges(source, request);
    if (result.status === 'expired') {
      const message = `after: the cursor is older than the tombstone horizon of ${served.info.name}; pull again from the start`;
      throw syncError('CURSOR_EXPIRED', message, 'after');
    }
    const next = encodePullCursor(served.info.name, result.cursor);
    parts.pulled?.(served.info.name, result.rowCount);
    return { rows: result.rows, cursor: next, hasMore: result.hasMore, movedOut: result.movedOut };
  }
  const resolve: PullResolver = resolvePull;
  builder.queryField(names.pull, (t) =>
    t.field({
      type: page,
      description: `The ${served.info.name} rows changed after \`after\`, tombstones included, in change order, and the ids of those that left this query (\`movedOut\`).`,
      args: {
        after: t.arg({
          type: 'Cursor',
          description: 'The cursor of the previous pull; none: from the start.',
        }),
        limit: t.arg.int({
          description: `Rows per page: default ${limits.pullDefault}, at most ${limits.pullMax}.`,
        }),
        where: t.arg({ type: where }),
      },
      // The same function for the compiled path (see compiled-pulls.ts).
      extensions: {
        [PULL_FIELD]: {
          resolve,
          jsonRows: (fields) => jsonProjection(served, fields),
        } satisfies PullFieldExtension,
      },
      resolve: (_root, args, context) => resolve(args, context, pullProjection(served)),
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
