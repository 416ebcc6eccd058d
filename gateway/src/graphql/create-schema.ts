import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import type { PgTable } from 'drizzle-orm/pg-core';
import { specifiedDirectives } from 'graphql';
import type { Logger } from 'pino';
import type { Db, ReadRows } from '../db/database';
import type { ChangeHub } from '../sync/change-hub';
import type { WriteOutcome } from '../sync/outcomes';
import type { PullReadAhead } from '../sync/read-ahead';
import type { ServedTable } from '../sync/tables';
import { createBuilder } from './builder';
import type { GatewayLimits } from './limits';
import { addPullFields } from './pull-fields';
import { addPushField } from './push-fields';
import { addSharedTypes } from './shared-types';
import { addSubscriptionField } from './subscription-fields';
import { addTableTypes } from './table-types';
import { addWriteFields, createApply } from './write-fields';

export interface SchemaParts {
  tables: readonly ServedTable[];
  db: Db;
  /** How pulls read their statement's rows (`SyncDatabase.readRows`). */
  readRows: ReadRows;
  hub: ChangeHub;
  limits: GatewayLimits;
  /** Where the writes report a transaction run again after a deadlock. */
  logger: Pick<Logger, 'warn'>;
  /** Where pull pages are read ahead (none: each page is read when asked for). */
  readAhead?: PullReadAhead | undefined;
  /** What the metrics count: rows pulled, each batch of write outcomes, each hint sent on a stream. */
  observe?: {
    pulled(table: string, rows: number): void;
    answered(outcomes: readonly WriteOutcome[]): void;
    hintSent(table: string): void;
  };
}

/** The GraphQL schema generated from the sync tables; see DESIGN.md, "GraphQL API". */
export function createSchema(parts: SchemaParts) {
  const { tables, db, hub, limits, logger, observe } = parts;
  const builder = createBuilder();
  builder.queryType({});
  builder.mutationType({});
  const shared = addSharedTypes(builder);
  const servedTables = new Map<PgTable, ServedTable>(
    tables.map((served) => [served.table, served]),
  );
  const apply = createApply(db, servedTables, logger, (outcomes) => observe?.answered(outcomes));
  const typesPerTable = tables.map((served) => addTableTypes(builder, shared, served));
  for (const types of typesPerTable) {
    // Fields that could never succeed are left out: no pull of a write-only table, no
    // direct mutation of a read-only one. Push still takes them, to answer REJECTED.
    if (types.served.info.access !== 'write')
      addPullFields(builder, types, {
        db,
        readRows: parts.readRows,
        limits,
        readAhead: parts.readAhead,
        pulled: (table, rows) => observe?.pulled(table, rows),
      });
    if (types.served.info.access !== 'read') addWriteFields(builder, types, apply);
  }
  addPushField(builder, shared, typesPerTable, apply, limits);
  addSubscriptionField(builder, tables, hub, limits, (table) => observe?.hintSent(table));
  // `@defer` and `@stream` (Yoga's defer-stream plugin, create-gateway.ts), in the schema
  // from the start: the plugin would otherwise build the whole schema again.
  const directives = [...specifiedDirectives, GraphQLDeferDirective, GraphQLStreamDirective];
  return builder.toSchema({ sortSchema: false, directives });
}
