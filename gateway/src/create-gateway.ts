import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
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
import { GatewayMetrics } from './metrics/gateway-metrics';
import { RequestTracker } from './plugins/request-tracker';
import { useDatabaseReadiness } from './plugins/use-database-readiness';
import { useErrorCodes } from './plugins/use-error-codes';
import { corsPolicy, useHardening } from './plugins/use-hardening';
import { DEFAULT_HEARTBEAT_MS, useHeartbeats } from './plugins/use-heartbeats';
import { useInputGuards } from './plugins/use-input-guards';
import { useMetrics } from './plugins/use-metrics';
import { type RateLimits, useRateLimits } from './plugins/use-rate-limits';
import { useRequestSizeLimit } from './plugins/use-request-size-limit';
import { ChangeHub } from './sync/change-hub';
import { PullReadAhead } from './sync/read-ahead';
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
  /**
   * Serve Prometheus metrics at `/metrics` (default false). With `{ token }`, a scrape must
   * send `Authorization: Bearer <token>`. See docs/deployment.md.
   */
  metrics?: boolean | { token: string };
  /** Requests and change streams a minute per user; absent or 0: no limit (the default). */
  rateLimits?: Partial<RateLimits>;
  /**
   * How many proxies stand in front of the gateway (default 0): the client address that
   * unauthenticated requests are limited by is read this far from the end of X-Forwarded-For.
   */
  trustProxy?: number;
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
  const requests = new RequestTracker(logger);
  // Each line logged while a request runs carries its id.
  const requestLog = {
    warn: ((...args: Parameters<Logger['warn']>) => requests.log().warn(...args)) as Logger['warn'],
  };
  const metrics = options.metrics
    ? new GatewayMetrics({ database: options.database, openStreams: () => hub.subscriberCount })
    : undefined;
  const readAhead = new PullReadAhead({
    hasRoom: () => hasFreeConnection(options.database),
    ...(metrics ? { onTaken: (outcome) => metrics.pageReadAhead(outcome) } : {}),
  });
  const schema = createSchema({
    tables,
    db: options.database.db,
    readRows: options.database.readRows,
    hub,
    readAhead,
    limits,
    logger: requestLog,
    ...(metrics ? { observe: metrics } : {}),
  });
  const identify = identifyOnce(options.authenticate ?? (() => ANONYMOUS_USER));
  /** Each pullable table's pull fields, `pullTodoItems` and `pullTodoItemPages` -> `todoItem`. */
  const pullFields = new Map(
    tables
      .filter((served) => served.info.access !== 'write')
      .flatMap((served) => [
        [served.names.pull, served.info.name],
        [served.names.pullPages, served.info.name],
      ]),
  );
  const firstPullable = tables.find((served) => served.info.access !== 'write');
  const rateLimits = { requestsPerMinute: 0, streamsPerMinute: 0, ...options.rateLimits };
  const limited = rateLimits.requestsPerMinute > 0 || rateLimits.streamsPerMinute > 0;

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
    // Nothing here takes files; multipart requests are refused before parsing (useHardening).
    multipart: false,
    context: async ({ request }) => ({ userId: await identify(request) }),
    maskedErrors: {
      // Never in development mode: an unexpected error must not leak SQL or stacks anywhere.
      maskError: (error, message) => {
        const masked = maskError(error, message, false);
        if (masked !== error) requests.log().error({ err: error }, 'unexpected error');
        return masked;
      },
    },
    plugins: [
      requests.plugin(GRAPHQL_ENDPOINT),
      useDatabaseReadiness(options.database.db),
      ...(metrics
        ? [
            useMetrics({
              metrics,
              requests,
              graphqlEndpoint: GRAPHQL_ENDPOINT,
              token: typeof options.metrics === 'object' ? options.metrics.token : undefined,
            }),
          ]
        : []),
      ...(limited
        ? [
            useRateLimits({
              limits: rateLimits,
              identify,
              anonymousUser: ANONYMOUS_USER,
              trustProxy: options.trustProxy ?? 0,
              ...(metrics ? { onLimited: (budget) => metrics.rateLimited(budget) } : {}),
            }),
          ]
        : []),
      useHardening({ limits, introspection: options.introspection ?? true }),
      useRequestSizeLimit(limits.maxBodyBytes),
      useInputGuards(),
      useErrorCodes(),
      useHeartbeats(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS),
      // `@defer` and `@stream`: the client's pull streams its rows (see graphql/pull-answer.ts).
      useDeferStream(),
      // Last: it only runs operations that passed every check above.
      useCompiledPulls(
        metrics
          ? { onPull: (field, path) => metrics.pulledOn(pullFields.get(field) ?? field, path) }
          : {},
      ),
      { onDispose: () => Promise.all([hub.stop(), readAhead.close()]) },
    ],
  });
}

export type Gateway = ReturnType<typeof createGateway>;

/**
 * `authenticate`, run once per request however often it is asked: the rate limits need the
 * user before the body is read, the context needs it again after validation.
 */
function identifyOnce(authenticate: NonNullable<GatewayOptions['authenticate']>) {
  const users = new WeakMap<Request, Promise<string>>();
  return (request: Request): Promise<string> => {
    let user = users.get(request);
    if (!user) {
      user = Promise.resolve().then(() => authenticate(request));
      // Whoever asks gets the rejection; nobody asking is not an unhandled one.
      user.catch(() => {});
      users.set(request, user);
    }
    return user;
  };
}

/** A query could start now without waiting for a connection (PGlite has one, shared, always). */
function hasFreeConnection(database: SyncDatabase): boolean {
  const connections = database.connections();
  if (!connections) return true;
  return connections.waiting === 0 && (connections.idle > 0 || connections.open < connections.max);
}

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
