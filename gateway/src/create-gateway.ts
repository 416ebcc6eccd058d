import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { CSRF_HEADER } from '@syncline/schema';
import type { PgTable } from 'drizzle-orm/pg-core';
import { createYoga, maskError } from 'graphql-yoga';
import pino, { type Logger } from 'pino';
import type { SyncDatabase } from './db/database';
import type { GatewayContext } from './graphql/builder';
import { useCompiledPulls } from './graphql/compiled-pulls';
import { createSchema } from './graphql/create-schema';
import { DEFAULT_LIMITS, type GatewayLimits } from './graphql/limits';
import { useDatabaseReadiness } from './plugins/use-database-readiness';
import { useErrorCodes } from './plugins/use-error-codes';
import { corsPolicy, useHardening } from './plugins/use-hardening';
import { DEFAULT_HEARTBEAT_MS, useHeartbeats } from './plugins/use-heartbeats';
import { useInputGuards } from './plugins/use-input-guards';
import { useRequestSizeLimit } from './plugins/use-request-size-limit';
import { ChangeHub } from './sync/change-hub';
import { publicColumnKeys, type ServedTable, serveTables } from './sync/tables';

export interface GatewayOptions {
  /** The tables to serve, each made by `syncTable()`. */
  tables: readonly PgTable[];
  database: SyncDatabase;
  limits?: Partial<GatewayLimits>;
  /** Who is asking. Until auth is configured, everyone is the development user `anonymous`. */
  authenticate?: (request: Request) => string | Promise<string>;
  logger?: Logger;
  /** Serve GraphiQL at the GraphQL endpoint (default true). */
  graphiql?: boolean;
  /** Answer introspection (default true); off, `__schema`/`__type` fail, suggestions are hidden. */
  introspection?: boolean;
  /** Web origins allowed to call from a browser (CORS): a list or '*' (default none: same-origin). */
  corsOrigins?: readonly string[] | '*';
  /** How often each `changes` stream sends a heartbeat comment, in ms (default 15,000). */
  heartbeatMs?: number;
  /**
   * Under a burst of writes, the hints of one (table, owner) go out at most once per this
   * many ms, the first at once and the last with the newest position (default 25; 0: every one).
   */
  hintWindowMs?: number;
}

export const GRAPHQL_ENDPOINT = '/graphql';
export const ANONYMOUS_USER = 'anonymous';

/** Builds the gateway: a Yoga instance that serves the sync tables' GraphQL API. */
export function createGateway(options: GatewayOptions) {
  const logger = options.logger ?? pino({ level: 'silent' });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const tables = serveTables(options.tables);
  const hub = new ChangeHub(
    options.database,
    (error) => logger.error({ err: error }, 'a change hint failed'),
    tables,
    options.hintWindowMs,
  );
  const schema = createSchema({ tables, db: options.database.db, hub, limits, logger });
  const authenticate = options.authenticate ?? (() => ANONYMOUS_USER);
  const firstPullable = tables.find((served) => served.info.access !== 'write');

  return createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: '/health',
    landingPage: false,
    logging: logger,
    graphiql:
      options.graphiql === false
        ? false
        : {
            title: 'Syncline',
            defaultQuery: firstPullable ? exampleQuery(firstPullable) : '',
            additionalHeaders: { [CSRF_HEADER]: 'graphiql' },
          },
    cors: corsPolicy(options.corsOrigins ?? []),
    renderGraphiQL,
    context: async ({ request }) => ({ userId: await authenticate(request) }),
    maskedErrors: {
      // Never in development mode: an unexpected error must not leak SQL or stacks anywhere.
      maskError: (error, message) => {
        const masked = maskError(error, message, false);
        if (masked !== error) logger.error({ err: error }, 'unexpected error');
        return masked;
      },
    },
    plugins: [
      useDatabaseReadiness(options.database.db),
      useHardening({ limits, introspection: options.introspection ?? true }),
      useRequestSizeLimit(limits.maxBodyBytes),
      useInputGuards(),
      useErrorCodes(),
      useHeartbeats(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS),
      // Last: it only runs operations that passed every check above.
      useCompiledPulls(),
      { onDispose: () => hub.stop() },
    ],
  });
}

export type Gateway = ReturnType<typeof createGateway>;

function exampleQuery(served: ServedTable) {
  return `# Pull the rows changed after a cursor (none: from the start).
# Pass the returned cursor back as "after" to get only what changed since.
query Pull($after: Cursor) {
  ${served.names.pull}(after: $after, limit: 20) {
    rows {
      ${publicColumnKeys(served).join('\n      ')}
    }
    cursor
    hasMore
  }
}
`;
}
